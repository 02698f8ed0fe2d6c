import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EVENT_SOURCE, type PipelineEvent } from '../notifications/events';
import { renderMessage } from '../notifications/render';
import type { Notifier } from '../ports';

export interface AwsNotifierOptions {
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  topicArn: string;
  eventBusName: string;
}

/** EventBridge or SNS did not take the notification. Retryable. */
export class NotificationDeliveryError extends Error {
  override readonly name = 'NotificationDeliveryError';
}

/** SNS message attributes subscribers can filter on (a filter policy on `detailType`, say). */
function messageAttributes(event: PipelineEvent) {
  const attributes: Record<string, { DataType: 'String'; StringValue: string }> = {
    detailType: { DataType: 'String', StringValue: event.detailType },
    dataset: { DataType: 'String', StringValue: event.detail.dataset },
  };
  if ('job' in event.detail && event.detail.job) {
    attributes.job = { DataType: 'String', StringValue: event.detail.job };
  }
  return attributes;
}

/** Events for programs only: their words reach people in another notification. */
const EVENTBRIDGE_ONLY: ReadonlySet<PipelineEvent['detailType']> = new Set(['Model Evaluated']);

/**
 * Publishes each event twice: an EventBridge event (source `sagedrop`, the
 * detail-type and versioned detail of lib/notifications/events.ts) for programs, then
 * an email-friendly SNS message for people. EventBridge goes first so that a
 * failure there sends nothing and the retry sends both once; only an SNS
 * failure after it makes the retry repeat the event, which programs can
 * de-duplicate on `detail.job` or `detail.run`, unlike people reading mail.
 */
export function createAwsNotifier(options: AwsNotifierOptions): Notifier {
  return {
    async notify(event: PipelineEvent) {
      const result = await options.eventBridge.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: EVENT_SOURCE,
              DetailType: event.detailType,
              Detail: JSON.stringify(event.detail),
              EventBusName: options.eventBusName,
            },
          ],
        }),
      );
      if (result.FailedEntryCount) {
        const entry = result.Entries?.find((e) => e.ErrorCode) ?? result.Entries?.[0];
        throw new NotificationDeliveryError(
          `EventBridge rejected the "${event.detailType}" event on bus ${options.eventBusName}: ` +
            `${entry?.ErrorCode ?? 'unknown error'} ${entry?.ErrorMessage ?? ''}`.trim(),
        );
      }
      // The verdict is in the "Training Completed" email already: programs get it, inboxes do not twice.
      if (EVENTBRIDGE_ONLY.has(event.detailType)) return;
      const { subject, body } = renderMessage(event);
      await options.sns.send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Subject: subject,
          Message: body,
          MessageAttributes: messageAttributes(event),
        }),
      );
    },
  };
}

/** Clients for the notifier, created once per container. */
export function createDefaultNotifier(region: string, topicArn: string, eventBusName: string): Notifier {
  return createAwsNotifier({
    sns: new SNSClient({ region }),
    eventBridge: new EventBridgeClient({ region }),
    topicArn,
    eventBusName,
  });
}
