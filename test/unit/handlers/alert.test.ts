import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAlertHandler } from '../../../handlers/alert';
import { silentLogger } from '../../../lib/logger';
import type { EventFailedDetail } from '../../../lib/notifications/events';
import { renderMessage } from '../../../lib/notifications/render';
import type { AlertDeps } from '../../../lib/stages/alert';
import {
  deadLetterAttributes,
  invocationRecord,
  s3Event,
  trainingJobEvent,
} from '../../support/failure-records';
import { MemoryStore } from '../../support/memory-store';
import { RecordingNotifier } from '../../support/notifier';

const REDRIVE = 'npx sagedrop redrive --stage dev --region eu-west-1';

function world() {
  const store = new MemoryStore();
  const notifier = new RecordingNotifier();
  const deps: AlertDeps = {
    store,
    notifier,
    logger: silentLogger,
    stackName: 'sagedrop-dev',
    redriveCommand: REDRIVE,
    cloudWatchLogs: true,
  };
  return { store, notifier, handler: createAlertHandler(() => deps) };
}

/** SQS's event for the alert function, as Lambda's event source mapping delivers it. */
function sqsEvent(messages: { id: string; body: unknown; attributes?: Record<string, string> }[]) {
  return {
    Records: messages.map((m) => ({
      messageId: m.id,
      receiptHandle: `receipt-${m.id}`,
      body: JSON.stringify(m.body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1767225785568' },
      messageAttributes: Object.fromEntries(
        Object.entries(m.attributes ?? {}).map(([k, v]) => [
          k,
          { stringValue: v, stringListValues: [], binaryListValues: [], dataType: 'String' },
        ]),
      ),
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:sagedrop-dev-FailureQueue',
      awsRegion: 'eu-west-1',
    })),
  };
}

const ctx = (id: string) => ({ awsRequestId: id }) as Context;
const mergeFailure = invocationRecord({
  functionName: 'sagedrop-dev-merge',
  payload: s3Event('raw/iris/x.csv'),
});

describe('alert handler', () => {
  it('tells the owner which function, dataset and key failed, the last error and how to replay it', async () => {
    const { handler, notifier } = world();
    await handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a1'));
    expect(notifier.sent).toHaveLength(1);
    const [event] = notifier.sent;
    expect(event?.detailType).toBe('Pipeline Event Failed');
    const detail = event?.detail as EventFailedDetail;
    expect(detail).toMatchObject({
      schemaVersion: '1.0',
      dataset: 'iris',
      function: 'merge',
      functionName: 'sagedrop-dev-merge',
      key: 'raw/iris/x.csv',
      error: 'Please reduce your request rate.',
      errorType: 'SlowDown',
      attempts: 3,
      condition: 'RetriesExhausted',
      redrive: REDRIVE,
    });
    const email = renderMessage(event as never);
    expect(email.subject).toBe('sagedrop: merge failed: iris');
    expect(email.body).toContain('Key:');
    expect(email.body).toContain('raw/iris/x.csv');
    expect(email.body).toContain('SlowDown: Please reduce your request rate.');
    expect(email.body).toContain('3 (every attempt failed)');
    expect(email.body).toContain(`  ${REDRIVE}`);
    expect(detail.replayAfter).toBe('2026-01-01T00:19:05.568Z');
    expect(email.body).toContain('Then replay it, from 2026-01-01T00:19:05.568Z on');
    expect(email.body).toContain('Logs: CloudWatch log group /aws/lambda/sagedrop-dev-merge');
  });

  it('hands every message back, so SQS moves it to the redrive queue instead of deleting it', async () => {
    const { handler } = world();
    const response = await handler(
      sqsEvent([
        { id: 'm1', body: mergeFailure },
        { id: 'm2', body: 'not a record' },
      ]),
      ctx('a1'),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
  });

  it('notifies once however often SQS delivers the message, in one batch or across invocations', async () => {
    const { handler, notifier } = world();
    await handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a1'));
    await handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a2'));
    await Promise.all([
      handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a3')),
      handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a4')),
    ]);
    expect(notifier.sent).toHaveLength(1);
  });

  it('notifies once when Lambda delivered the same failure record twice, as two messages', async () => {
    const { handler, notifier } = world();
    await handler(
      sqsEvent([
        { id: 'm1', body: mergeFailure },
        { id: 'm2', body: mergeFailure },
      ]),
      ctx('a1'),
    );
    expect(notifier.sent).toHaveLength(1);
  });

  it('sends on a later delivery a notification that failed the first time', async () => {
    const { handler, notifier } = world();
    notifier.failures.push(new Error('SNS unavailable'));
    const first = await handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a1'));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(notifier.sent).toHaveLength(0);
    await handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a2'));
    await handler(sqsEvent([{ id: 'm1', body: mergeFailure }]), ctx('a3'));
    expect(notifier.sent).toHaveLength(1);
  });

  it('reports an event EventBridge could not deliver, with its error code', async () => {
    const { handler, notifier } = world();
    const event = trainingJobEvent('sagedrop-dev-iris--r1', 'iris', 'r1');
    await handler(
      sqsEvent([{ id: 'm1', body: event, attributes: deadLetterAttributes('sagedrop-dev-complete') }]),
      ctx('a1'),
    );
    const detail = notifier.sent[0]?.detail as EventFailedDetail;
    expect(detail).toMatchObject({
      function: 'complete',
      dataset: 'iris',
      job: 'sagedrop-dev-iris--r1',
      errorType: 'NO_PERMISSIONS',
    });
    expect(detail.hint).toMatch(/EventBridge could not invoke the complete function/);
  });

  it('reports an unreadable message under the _unknown folder, naming no dataset', async () => {
    const { handler, notifier, store } = world();
    await handler(sqsEvent([{ id: 'm9', body: { hello: 'world' } }]), ctx('a1'));
    const detail = notifier.sent[0]?.detail as EventFailedDetail;
    expect(detail.dataset).toBe('_unknown');
    expect(detail.function).toBe('unknown');
    expect(await store.getText('notifications/_unknown/failed-message-m9.json')).toBeDefined();
    expect(renderMessage(notifier.sent[0] as never).body).toMatch(/failed on an event\. /);
  });

  it('rejects an event that is not from SQS', async () => {
    const { handler } = world();
    await expect(handler({ Records: [{ s3: {} }] }, ctx('a1'))).rejects.toThrow();
  });
});
