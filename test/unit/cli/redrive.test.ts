import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../../cli/command';
import { readDeployedStack } from '../../../cli/deployed-stack';
import { deployedFailureCounts, describeFailureCounts, redriveDeployed } from '../../../cli/redrive';
import { invocationRecord, s3Event } from '../../support/failure-records';
import { MockQueue } from '../../support/sqs-queue-mock';

const cloudFormation = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
/** A function's answer as Lambda returns it (the SDK wraps the bytes in a blob adapter). */
const payload = (value: unknown) =>
  Buffer.from(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];
const QUEUES = 'https://sqs.eu-west-1.amazonaws.com/123456789012';

let redriveQueue: MockQueue;
let failureQueue: MockQueue;
let out: string[];
const io = { out: (text: string) => out.push(text), err: (text: string) => out.push(`ERR ${text}`) };

beforeEach(() => {
  cloudFormation.reset();
  sqs.reset();
  lambda.reset();
  out = [];
  redriveQueue = new MockQueue(sqs, `${QUEUES}/sagedrop-dev-RedriveQueue-1`);
  failureQueue = new MockQueue(sqs, `${QUEUES}/sagedrop-dev-FailureQueue-1`);
  cloudFormation.on(DescribeStacksCommand, { StackName: 'sagedrop-dev' }).resolves({
    Stacks: [
      {
        StackName: 'sagedrop-dev',
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [
          { OutputKey: 'BucketName', OutputValue: 'sagedrop-dev-123456789012-eu-west-1' },
          { OutputKey: 'FailureQueueUrl', OutputValue: failureQueue.url },
          { OutputKey: 'RedriveQueueUrl', OutputValue: redriveQueue.url },
        ],
      },
    ],
  });
  cloudFormation.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: ['merge', 'train', 'complete', 'alert'].map((fn) => ({
      LogicalResourceId: `${fn}LambdaFunction`,
      PhysicalResourceId: `sagedrop-dev-${fn}`,
      ResourceType: 'AWS::Lambda::Function',
      ResourceStatus: 'CREATE_COMPLETE',
      LastUpdatedTimestamp: new Date(),
    })),
  });
});

describe('sagedrop redrive --stage on AWS (mocked CloudFormation, SQS and Lambda)', () => {
  it('replays into the stack functions, keeps a failed replay, prints a line each and exits 1', async () => {
    redriveQueue.send(
      invocationRecord({
        functionName: 'sagedrop-dev-merge',
        payload: s3Event('raw/iris/x.csv'),
        requestId: 'a',
      }),
    );
    redriveQueue.send(
      invocationRecord({
        functionName: 'sagedrop-dev-train',
        payload: s3Event('train/iris/r1/manifest.json'),
        requestId: 'b',
      }),
    );
    failureQueue.send('arriving');
    lambda
      .on(InvokeCommand, { FunctionName: 'sagedrop-dev-merge' })
      .resolves({ StatusCode: 200, Payload: payload([]) })
      .on(InvokeCommand, { FunctionName: 'sagedrop-dev-train' })
      .resolves({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: payload({ errorType: 'ThrottlingException', errorMessage: 'Rate exceeded' }),
      });

    const code = await redriveDeployed(io, { stage: 'dev', region: 'eu-west-1', dryRun: false });

    expect(code).toBe(1);
    expect(out).toEqual([
      `replaying ${redriveQueue.url}`,
      'replayed into sagedrop-dev-merge: dataset iris, raw/iris/x.csv; done, message deleted',
      'replay into sagedrop-dev-train failed again: dataset iris, train/iris/r1/manifest.json: ThrottlingException: Rate exceeded; message kept',
      '1 replayed, 1 failed again; 1 message(s) kept in the queue',
      '1 more failed event(s) are in the failure queue, being reported; they reach the redrive queue within minutes: run this again then',
    ]);
    expect(redriveQueue.stored).toHaveLength(1);
    expect(failureQueue.stored).toHaveLength(1);
  });

  it('counts what waits and what is still arriving, for sagedrop status', async () => {
    redriveQueue.send('a');
    redriveQueue.send('b');
    failureQueue.send('c');
    const stack = await readDeployedStack(
      new CloudFormationClient({ region: 'eu-west-1' }),
      'dev',
      'eu-west-1',
    );
    expect(stack.bucket).toBe('sagedrop-dev-123456789012-eu-west-1');
    expect([...stack.functions]).toContain('sagedrop-dev-merge');
    const counts = await deployedFailureCounts(stack, 'eu-west-1');
    expect(counts).toEqual({ waiting: 2, arriving: 1 });
    expect(describeFailureCounts(counts, 'sagedrop redrive --stage dev')).toBe(
      'failure queue: 2 failed event(s) wait for `sagedrop redrive --stage dev`; 1 more arriving (being reported)',
    );
    expect(describeFailureCounts({ waiting: 0, arriving: 0 }, 'x')).toBe('failure queue: empty');
  });

  it('names the stage and region when the stack does not exist', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id sagedrop-qa does not exist'), { name: 'ValidationError' }),
      );
    const failure = redriveDeployed(io, { stage: 'qa', region: 'eu-west-1', dryRun: true });
    await expect(failure).rejects.toBeInstanceOf(UnavailableError);
    await expect(failure).rejects.toThrow(/no stack sagedrop-qa in eu-west-1: check --stage and --region/);
  });
});
