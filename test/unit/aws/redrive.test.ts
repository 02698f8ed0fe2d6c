import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSqsFailureQueue, queueDepth } from '../../../lib/aws/failure-queue';
import { createLambdaReplayer } from '../../../lib/aws/function-replayer';
import { describeRedriveResult, redriveFailures } from '../../../lib/stages/redrive';
import {
  deadLetterAttributes,
  invocationRecord,
  s3Event,
  trainingJobEvent,
} from '../../support/failure-records';
import { MockQueue } from '../../support/sqs-queue-mock';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const STACK_FUNCTIONS = new Set(['sagedrop-dev-merge', 'sagedrop-dev-train', 'sagedrop-dev-complete']);

/** Invocations Lambda received: function name and decoded payload. */
let invoked: { fn: string; event: unknown }[];
/** Functions that fail when invoked, with the error they return. */
let failing: Map<string, { errorType: string; errorMessage: string }>;
let queue: MockQueue;

beforeEach(() => {
  sqs.reset();
  lambda.reset();
  invoked = [];
  failing = new Map();
  queue = new MockQueue(sqs);
  lambda.on(InvokeCommand).callsFake((input) => {
    const fn = String(input.FunctionName);
    invoked.push({ fn, event: JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')) });
    const error = failing.get(fn);
    if (error) {
      return {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: Buffer.from(JSON.stringify({ ...error, trace: [] })),
      };
    }
    return { StatusCode: 200, Payload: Buffer.from('null') };
  });
});

function redrive(dryRun = false, now = new Date('2026-01-01T01:00:00Z')) {
  return redriveFailures({
    now: () => now,
    queue: createSqsFailureQueue({
      client: new SQSClient({ region: 'eu-west-1' }),
      queueUrl: queue.url,
      visibilitySeconds: 960,
    }),
    replayer: createLambdaReplayer(new LambdaClient({ region: 'eu-west-1' })),
    isStackFunction: (name) => STACK_FUNCTIONS.has(name),
    dryRun,
  });
}

const mergeX = invocationRecord({
  functionName: 'sagedrop-dev-merge',
  payload: s3Event('raw/iris/x.csv'),
  requestId: 'req-x',
});
const trainRun = invocationRecord({
  functionName: 'sagedrop-dev-train',
  payload: s3Event('train/iris/r1/manifest.json'),
  requestId: 'req-t',
});

describe('sagedrop redrive on AWS (mocked SQS and Lambda)', () => {
  it('replays each event into the function it came from, synchronously, and deletes its message', async () => {
    queue.send(mergeX);
    queue.send(trainRun);
    const results = await redrive();
    expect(results.map((r) => r.outcome)).toEqual(['replayed', 'replayed']);
    expect(invoked).toEqual([
      { fn: 'sagedrop-dev-merge', event: s3Event('raw/iris/x.csv') },
      { fn: 'sagedrop-dev-train', event: s3Event('train/iris/r1/manifest.json') },
    ]);
    expect(lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input.InvocationType)).toEqual([
      'RequestResponse',
      'RequestResponse',
    ]);
    expect(queue.ids()).toEqual([]);
    expect(describeRedriveResult(results[0] as never)).toBe(
      'replayed into sagedrop-dev-merge: dataset iris, raw/iris/x.csv; done, message deleted',
    );
  });

  it('keeps the message of a replay that fails again, visible for the next redrive, and goes on', async () => {
    const failedId = queue.send(mergeX);
    queue.send(trainRun);
    failing.set('sagedrop-dev-merge', { errorType: 'AccessDenied', errorMessage: 'Access Denied' });
    const results = await redrive();
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ['failed', 'AccessDenied: Access Denied'],
      ['replayed', undefined],
    ]);
    expect(queue.ids()).toEqual([failedId]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(1);
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.VisibilityTimeout),
    ).toEqual([0]);
    expect(await queueDepth(new SQSClient({ region: 'eu-west-1' }), queue.url)).toEqual({
      visible: 1,
      inFlight: 0,
    });

    failing.clear();
    const again = await redrive();
    expect(again.map((r) => r.outcome)).toEqual(['replayed']);
    expect(queue.ids()).toEqual([]);
  });

  it('hides each message while it is replayed, longer than the slowest function runs', async () => {
    queue.send(mergeX);
    await redrive();
    const receive = sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input;
    expect(receive).toMatchObject({
      VisibilityTimeout: 960,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    });
  });

  it('replays an event EventBridge could not deliver into its target', async () => {
    const event = trainingJobEvent('sagedrop-dev-iris--r1', 'iris', 'r1');
    queue.send(event, deadLetterAttributes('sagedrop-dev-complete'));
    const results = await redrive();
    expect(results.map((r) => r.outcome)).toEqual(['replayed']);
    expect(invoked).toEqual([{ fn: 'sagedrop-dev-complete', event }]);
  });

  it('replays a failure Lambda recorded twice once, and deletes both messages', async () => {
    queue.send(mergeX);
    queue.send(mergeX);
    const results = await redrive();
    expect(results.map((r) => r.outcome)).toEqual(['replayed', 'duplicate']);
    expect(invoked).toHaveLength(1);
    expect(queue.ids()).toEqual([]);
  });

  it('never invokes a function of another stack, nor replays what it cannot read, and keeps both', async () => {
    queue.send(invocationRecord({ functionName: 'sagedrop-prod-merge', payload: s3Event('raw/iris/x.csv') }));
    queue.send('garbage');
    const results = await redrive();
    expect(results.map((r) => r.outcome)).toEqual(['kept', 'kept']);
    expect(results[0]?.reason).toMatch(/sagedrop-prod-merge is not a function of this stack/);
    expect(invoked).toEqual([]);
    expect(queue.ids()).toHaveLength(2);
    expect(queue.stored.every((s) => s.hiddenUntil <= queue.now)).toBe(true);
  });

  it('on a dry run invokes nothing, deletes nothing and leaves every message visible', async () => {
    queue.send(mergeX);
    queue.send(trainRun);
    const results = await redrive(true);
    expect(results.map((r) => r.outcome)).toEqual(['would-replay', 'would-replay']);
    expect(invoked).toEqual([]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(queue.stored.every((s) => s.hiddenUntil <= queue.now)).toBe(true);
    expect(describeRedriveResult(results[0] as never)).toBe(
      'would replay into sagedrop-dev-merge: dataset iris, raw/iris/x.csv (last error: Please reduce your request rate.)',
    );
  });

  it('keeps a failure younger than the claim lease for a later redrive, without invoking anything', async () => {
    // The record says the last attempt failed at 00:03:05: a timed-out attempt may hold claims until 00:19:05.
    queue.send(mergeX);
    const early = await redrive(false, new Date('2026-01-01T00:10:00Z'));
    expect(early.map((r) => r.outcome)).toEqual(['too-recent']);
    expect(early[0]?.reason).toBe(
      'it failed at 2026-01-01T00:03:05.568Z: a timed-out attempt may hold its claims until 2026-01-01T00:19:05.568Z',
    );
    expect(invoked).toEqual([]);
    expect(queue.stored.every((s) => s.hiddenUntil <= queue.now)).toBe(true);
    const later = await redrive(false, new Date('2026-01-01T00:19:06Z'));
    expect(later.map((r) => r.outcome)).toEqual(['replayed']);
  });

  it('finishes on an empty queue without invoking anything', async () => {
    expect(await redrive()).toEqual([]);
    expect(invoked).toEqual([]);
  });
});
