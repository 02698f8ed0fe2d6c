import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EVENT_SOURCE, type PipelineEvent } from '../notifications';
import type { Notifier } from '../ports';
import { renderMessage } from '../render-notification';

export interface AwsNotifierOptions {
  sns: SNSClient;
  eventBridge: EventBridgeClient;
  topicArn: string;
  eventBusName: string;
}

/** Publishes each event twice: an email-friendly SNS message and an EventBridge event. */
export function createAwsNotifier(options: AwsNotifierOptions): Notifier {
  return {
    async notify(event: PipelineEvent) {
      const { subject, body } = renderMessage(event);
      await options.sns.send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Subject: subject,
          Message: body,
          MessageAttributes: {
            detailType: { DataType: 'String', StringValue: event.detailType },
            dataset: { DataType: 'String', StringValue: event.detail.dataset },
          },
        }),
      );
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
        const entry = result.Entries?.[0];
        throw new Error(`EventBridge rejected the event: ${entry?.ErrorCode} ${entry?.ErrorMessage}`);
      }
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
