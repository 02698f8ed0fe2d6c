import { describe, expect, it } from 'vitest';
import { functionNameOf, parseFailureMessage, shortFunctionName } from '../../../lib/events/failed-event';
import {
  deadLetterAttributes,
  invocationRecord,
  s3Event,
  trainingJobEvent,
} from '../../support/failure-records';

const message = (body: unknown, attributes?: Record<string, string>) => ({
  id: 'msg-1',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...(attributes ? { attributes } : {}),
});

describe('reading a message of the failure queue', () => {
  it('names the function, the upload and its dataset, the attempts and the last error of a failed merge', () => {
    const failed = parseFailureMessage(
      message(
        invocationRecord({ functionName: 'sagedrop-dev-merge', payload: s3Event('raw/my iris/x.csv') }),
      ),
    );
    expect(failed).toMatchObject({
      kind: 'function-failed',
      id: 'failed-e4b46cbf-b738-4a1e-8880-a18cdf61200e',
      functionName: 'sagedrop-dev-merge',
      requestId: 'e4b46cbf-b738-4a1e-8880-a18cdf61200e',
      condition: 'RetriesExhausted',
      attempts: 3,
      failedAt: '2026-01-01T00:03:05.568Z',
      errorType: 'SlowDown',
      error: 'Please reduce your request rate.',
      subject: { dataset: 'my iris', key: 'raw/my iris/x.csv' },
    });
    expect(failed.payload).toEqual(s3Event('raw/my iris/x.csv'));
  });

  it('gives the run of a failed train from its manifest key', () => {
    const failed = parseFailureMessage(
      message(
        invocationRecord({
          functionName: 'sagedrop-dev-train',
          payload: s3Event('train/iris/20260101T000000Z-abc/manifest.json'),
        }),
      ),
    );
    expect(failed.subject).toEqual({
      dataset: 'iris',
      run: '20260101T000000Z-abc',
      key: 'train/iris/20260101T000000Z-abc/manifest.json',
    });
  });

  it('gives the job, dataset and run of a failed complete from the job event and its tags', () => {
    const job = 'sagedrop-dev-iris--r1';
    const failed = parseFailureMessage(
      message(
        invocationRecord({
          functionName: 'sagedrop-dev-complete',
          payload: trainingJobEvent(job, 'iris', 'r1'),
        }),
      ),
    );
    expect(failed.subject).toEqual({ job, dataset: 'iris', run: 'r1' });
  });

  it('takes a timeout reported without an error type as the last error', () => {
    const failed = parseFailureMessage(
      message(
        invocationRecord({
          functionName: 'sagedrop-dev-merge',
          payload: s3Event('raw/x.csv'),
          error: { errorMessage: '2026-01-01T00:15:00.000Z abc Task timed out after 900.00 seconds' },
        }),
      ),
    );
    expect(failed.error).toMatch(/Task timed out after 900\.00 seconds/);
    expect(failed.errorType).toBeUndefined();
    expect(failed.subject).toEqual({ dataset: 'default', key: 'raw/x.csv' });
  });

  it('says so when Lambda gave no error message', () => {
    const failed = parseFailureMessage(
      message(invocationRecord({ functionName: 'sagedrop-dev-merge', payload: {}, error: null })),
    );
    expect(failed.error).toBe('the function gave no error message (Unhandled error)');
    expect(failed.subject).toEqual({});
  });

  it('reads an event EventBridge could not deliver from the body and the dead-letter attributes', () => {
    const event = trainingJobEvent('sagedrop-dev-iris--r1', 'iris', 'r1', 'evt-42');
    const failed = parseFailureMessage(message(event, deadLetterAttributes('sagedrop-dev-complete')));
    expect(failed).toMatchObject({
      kind: 'delivery-failed',
      id: 'failed-event-evt-42',
      functionName: 'sagedrop-dev-complete',
      errorType: 'NO_PERMISSIONS',
      error: 'NO_PERMISSIONS: EventBridge is not allowed to invoke the function',
      condition: 'MaximumRetryAttempts',
      attempts: 0,
      subject: { job: 'sagedrop-dev-iris--r1', dataset: 'iris', run: 'r1' },
    });
    expect(failed.payload).toEqual(event);
  });

  it('keeps anything else as unreadable, keyed by its message id, without throwing', () => {
    for (const body of ['not json', '{"hello":1}', '']) {
      const failed = parseFailureMessage(message(body));
      expect(failed.kind).toBe('unreadable');
      expect(failed.id).toBe('failed-message-msg-1');
      expect(failed.payload).toBeUndefined();
    }
  });
});

describe('function names', () => {
  it('come from an ARN with or without a version', () => {
    expect(functionNameOf('arn:aws:lambda:eu-west-1:1:function:sagedrop-dev-merge:$LATEST')).toBe(
      'sagedrop-dev-merge',
    );
    expect(functionNameOf('arn:aws-cn:lambda:cn-north-1:1:function:f')).toBe('f');
    expect(functionNameOf('arn:aws:sqs:eu-west-1:1:queue')).toBeUndefined();
  });

  it('are shortened only when they are of the stack', () => {
    expect(shortFunctionName('sagedrop-dev-merge', 'sagedrop-dev')).toBe('merge');
    expect(shortFunctionName('sagedrop-dev-eu-merge', 'sagedrop-dev')).toBe('eu-merge');
    expect(shortFunctionName('other-merge', 'sagedrop-dev')).toBe('other-merge');
  });
});
