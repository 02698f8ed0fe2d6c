import {
  type FailedEvent,
  type FailureMessage,
  parseFailureMessage,
  shortFunctionName,
} from '../events/failed-event';
import { UNKNOWN_DATASET } from '../layout';
import type { Logger } from '../logger';
import { type EventFailedDetail, type PipelineEvent, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import type { Notifier, ObjectStore } from '../ports';
import { REPLAY_AFTER_MS } from './redrive';

export interface AlertDeps {
  store: ObjectStore;
  notifier: Notifier;
  logger: Logger;
  /** Deployed functions are named `<stackName>-<function>`. */
  stackName: string;
  /** The command that replays the failure queue, e.g. `npx sagedrop redrive --stage dev --region eu-west-1`. */
  redriveCommand: string;
  /** Whether the functions log to CloudWatch (`/aws/lambda/<name>`): true on AWS. */
  cloudWatchLogs?: boolean;
}

const HINTS: Record<string, string> = {
  merge:
    'The merge of the upload above failed on every attempt. Find the cause in the log lines of the request id (an S3 permission or outage, a timeout on a very large file), fix it,',
  train:
    'Starting the training job of the run above failed on every attempt. Find the cause in the log lines of the request id (a SageMaker outage or throttling, a permission), fix it,',
  complete:
    'Cataloguing the training job above failed on every attempt: its catalog entry, model registration or notification may be missing. Find the cause in the log lines of the request id, fix it,',
};

function hintFor(failed: FailedEvent, fn: string): string {
  if (failed.kind === 'unreadable') {
    return 'sagedrop cannot tell which function or event this message belongs to; `sagedrop redrive` reports it and leaves it in the queue. Look at it in the SQS console and delete it there once understood.';
  }
  if (failed.kind === 'delivery-failed') {
    return `EventBridge could not invoke the ${fn} function at all (${failed.errorType ?? 'unknown error'}). Check that the stack is deployed completely (\`npx sls deploy\` again repairs a missing function or permission), then replay the event.`;
  }
  const start = HINTS[fn] ?? 'The function failed on every attempt. Find the cause in its log lines, fix it,';
  return `${start} then replay the event.`;
}

/** The "Pipeline Event Failed" notification of a failed event. */
export function failureNotification(
  failed: FailedEvent,
  stackName: string,
  redriveCommand: string,
  cloudWatchLogs = false,
): PipelineEvent {
  const fn = failed.functionName ? shortFunctionName(failed.functionName, stackName) : 'unknown';
  const detail: EventFailedDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: failed.subject.dataset ?? UNKNOWN_DATASET,
    function: fn,
    error: failed.error,
    redrive: redriveCommand,
    hint: hintFor(failed, fn),
  };
  if (failed.functionName) detail.functionName = failed.functionName;
  if (failed.functionName && cloudWatchLogs) detail.logGroup = `/aws/lambda/${failed.functionName}`;
  if (failed.subject.key) detail.key = failed.subject.key;
  if (failed.subject.run) detail.run = failed.subject.run;
  if (failed.subject.job) detail.job = failed.subject.job;
  if (failed.errorType) detail.errorType = failed.errorType;
  if (failed.condition) detail.condition = failed.condition;
  if (failed.attempts !== undefined) detail.attempts = failed.attempts;
  if (failed.failedAt) {
    detail.failedAt = failed.failedAt;
    const after = Date.parse(failed.failedAt) + REPLAY_AFTER_MS;
    if (failed.kind === 'function-failed' && !Number.isNaN(after)) {
      detail.replayAfter = new Date(after).toISOString();
    }
  }
  if (failed.requestId) detail.requestId = failed.requestId;
  return { detailType: 'Pipeline Event Failed', detail };
}

/** What became of one message of the failure queue. */
export interface AlertOutcome {
  messageId: string;
  failure: FailedEvent;
  /** False when this failure had been reported already (a repeated delivery). */
  sent: boolean;
}

/**
 * Tells the owner about one message of the failure queue, once per failure
 * whatever SQS redelivers: the notify-once record is keyed by the failed
 * invocation's request id (by the event id for EventBridge's dead letters),
 * not by the message. Throws when the notification could not be sent, so the
 * message is delivered again.
 */
export async function reportFailedEvent(
  deps: AlertDeps,
  message: FailureMessage,
  owner: string,
): Promise<AlertOutcome> {
  const failure = parseFailureMessage(message);
  const event = failureNotification(failure, deps.stackName, deps.redriveCommand, deps.cloudWatchLogs);
  const sent = await notifyOnce(deps.store, deps.notifier, event, failure.id, owner);
  deps.logger.info(sent ? 'failed event reported' : 'failed event reported before', {
    messageId: message.id,
    failureId: failure.id,
    kind: failure.kind,
    function: failure.functionName,
    dataset: failure.subject.dataset,
  });
  return { messageId: message.id, failure, sent };
}
