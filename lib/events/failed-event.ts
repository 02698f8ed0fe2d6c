import * as z from 'zod';
import { parseManifestKey, parseRawKey } from '../layout';
import { readJobTags } from '../training/job-tags';
import { parseS3Notification } from './s3';
import { parseTrainingJobEvent } from './sagemaker';

/** One message of the failure queue as SQS (or the local failure list) hands it over. */
export interface FailureMessage {
  /** SQS's MessageId: the same for every delivery of one message. */
  id: string;
  body: string;
  /** String message attributes; EventBridge's dead-letter messages carry the error here. */
  attributes?: Record<string, string>;
}

/** What a failed event was about, as far as its payload tells. */
export interface FailureSubject {
  dataset?: string;
  /** The S3 key of the upload or manifest the event announced. */
  key?: string;
  run?: string;
  job?: string;
}

/** A message of the failure queue, read. */
export interface FailedEvent {
  /**
   * `function-failed`: Lambda ran the function and every attempt failed (the
   * on-failure destination's invocation record). `delivery-failed`: EventBridge
   * could not hand the event to the function at all (the rule's dead-letter
   * queue). `unreadable`: neither; kept as it is.
   */
  kind: 'function-failed' | 'delivery-failed' | 'unreadable';
  /** Stable across every delivery of the same failure: the notify-once id. */
  id: string;
  functionArn?: string;
  /** The function's name without version or alias, e.g. `sagedrop-dev-merge`. */
  functionName?: string;
  /** The asynchronous invocation's request id (the same on all of its attempts). */
  requestId?: string;
  /** `RetriesExhausted`, `EventAgeExceeded`, or EventBridge's exhausted-retry condition. */
  condition?: string;
  attempts?: number;
  failedAt?: string;
  errorType?: string;
  /** The last error, as Lambda or EventBridge reported it. */
  error: string;
  /** The event the function was invoked with: what a redrive replays. Absent when unreadable. */
  payload?: unknown;
  subject: FailureSubject;
}

/** Lambda's invocation record, as its on-failure destination sends it. */
const invocationRecordSchema = z.lazy(() =>
  z.object({
    timestamp: z.string().optional(),
    requestContext: z.object({
      requestId: z.string().min(1),
      functionArn: z.string().min(1),
      condition: z.string().optional(),
      approximateInvokeCount: z.number().optional(),
    }),
    requestPayload: z.unknown(),
    responseContext: z.object({ functionError: z.string().optional() }).partial().optional(),
    responsePayload: z.unknown(),
  }),
);

const eventIdSchema = z.lazy(() => z.object({ id: z.string().min(1) }));

/** The function name in a Lambda ARN (`arn:...:function:NAME[:qualifier]`), or `undefined`. */
export function functionNameOf(arn: string): string | undefined {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/.exec(arn);
  return match?.[1];
}

/** The error Lambda reports in `responsePayload`: `{ errorType, errorMessage }`, a string, or nothing. */
function lambdaError(
  payload: unknown,
  functionError: string | undefined,
): { type?: string; message: string } {
  if (typeof payload === 'string' && payload) return { message: payload };
  if (payload && typeof payload === 'object') {
    const { errorType, errorMessage } = payload as { errorType?: unknown; errorMessage?: unknown };
    if (typeof errorMessage === 'string' && errorMessage) {
      return typeof errorType === 'string' && errorType
        ? { type: errorType, message: errorMessage }
        : { message: errorMessage };
    }
  }
  return { message: `the function gave no error message (${functionError ?? 'unknown'} error)` };
}

/**
 * What a failed event was about: the dataset and key of an S3 notification
 * (an upload under `raw/` or a run's manifest), the dataset, run and job of a
 * training job event. Empty for anything else.
 */
export function subjectOf(payload: unknown): FailureSubject {
  try {
    const [first] = parseS3Notification(payload);
    if (first) {
      const manifest = parseManifestKey(first.key);
      if (manifest) return { dataset: manifest.dataset, run: manifest.run, key: first.key };
      const raw = parseRawKey(first.key);
      return raw ? { dataset: raw.dataset, key: first.key } : { key: first.key };
    }
    return {};
  } catch {
    // Not an S3 notification: try the training job event below.
  }
  try {
    const change = parseTrainingJobEvent(payload);
    const { dataset, run } = readJobTags(change.tags);
    const subject: FailureSubject = { job: change.job };
    if (dataset) subject.dataset = dataset;
    if (run) subject.run = run;
    return subject;
  } catch {
    return {};
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fromInvocationRecord(record: z.infer<typeof invocationRecordSchema>): FailedEvent {
  const { requestContext: context } = record;
  const error = lambdaError(record.responsePayload, record.responseContext?.functionError);
  const failed: FailedEvent = {
    kind: 'function-failed',
    id: `failed-${context.requestId}`,
    functionArn: context.functionArn,
    requestId: context.requestId,
    error: error.message,
    payload: record.requestPayload,
    subject: subjectOf(record.requestPayload),
  };
  const name = functionNameOf(context.functionArn);
  if (name) failed.functionName = name;
  if (context.condition) failed.condition = context.condition;
  if (context.approximateInvokeCount !== undefined) failed.attempts = context.approximateInvokeCount;
  if (record.timestamp) failed.failedAt = record.timestamp;
  if (error.type) failed.errorType = error.type;
  return failed;
}

function fromDeadLetter(message: FailureMessage, event: unknown, targetArn: string): FailedEvent {
  const attributes = message.attributes ?? {};
  const eventId = eventIdSchema.safeParse(event);
  const code = attributes.ERROR_CODE;
  const text = attributes.ERROR_MESSAGE;
  const failed: FailedEvent = {
    kind: 'delivery-failed',
    id: eventId.success ? `failed-event-${eventId.data.id}` : `failed-message-${message.id}`,
    functionArn: targetArn,
    error:
      [code, text].filter(Boolean).join(': ') || 'EventBridge could not deliver the event (no error given)',
    payload: event,
    subject: subjectOf(event),
  };
  const name = functionNameOf(targetArn);
  if (name) failed.functionName = name;
  if (code) failed.errorType = code;
  if (attributes.EXHAUSTED_RETRY_CONDITION) failed.condition = attributes.EXHAUSTED_RETRY_CONDITION;
  const attempts = Number(attributes.RETRY_ATTEMPTS);
  if (attributes.RETRY_ATTEMPTS !== undefined && Number.isInteger(attempts)) failed.attempts = attempts;
  return failed;
}

/**
 * Reads a message of the failure queue: a Lambda invocation record (sent by a
 * function's on-failure destination) or an event EventBridge could not
 * deliver (the rule's dead-letter queue: the event as the body, the target
 * and the error as message attributes). Anything else is `unreadable`: it is
 * reported and kept, never dropped. Never throws.
 */
export function parseFailureMessage(message: FailureMessage): FailedEvent {
  const body = parseJson(message.body);
  const record = invocationRecordSchema.safeParse(body);
  if (record.success) return fromInvocationRecord(record.data);
  const target = message.attributes?.TARGET_ARN;
  if (target && body !== undefined) return fromDeadLetter(message, body, target);
  const preview = message.body.length > 200 ? `${message.body.slice(0, 200)}...` : message.body;
  return {
    kind: 'unreadable',
    id: `failed-message-${message.id}`,
    error: `the failure queue holds a message that is neither a Lambda invocation record nor an EventBridge dead letter: ${preview}`,
    subject: {},
  };
}

/** `merge` for `sagedrop-dev-merge` in stack `sagedrop-dev`; the whole name for any other function. */
export function shortFunctionName(functionName: string, stackName: string): string {
  const prefix = `${stackName}-`;
  return functionName.startsWith(prefix) && functionName.length > prefix.length
    ? functionName.slice(prefix.length)
    : functionName;
}
