import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAwsNotifier, NotificationDeliveryError } from '../../../lib/aws/notifier';
import type { PipelineEvent } from '../../../lib/notifications/events';

const sns = mockClient(SNSClient);
const eventBridge = mockClient(EventBridgeClient);

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:sagedrop-dev';
const event: PipelineEvent = {
  detailType: 'Training Failed',
  detail: {
    schemaVersion: '1.0',
    dataset: 'données',
    run: 'r1',
    job: 'sagedrop-dev-donnees-r1---abc',
    status: 'Failed',
    metrics: {},
    failureReason: 'AlgorithmError: boom',
    catalogUri: 's3://b/catalog/données/sagedrop-dev-donnees-r1---abc.json',
  },
};

function notifier() {
  return createAwsNotifier({
    sns: new SNSClient({ region: 'eu-west-1' }),
    eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
    topicArn: TOPIC,
    eventBusName: 'sagedrop-bus',
  });
}

describe('createAwsNotifier', () => {
  beforeEach(() => {
    sns.reset();
    eventBridge.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'm1' });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
  });

  it('puts one EventBridge event with source sagedrop, the detail-type and the JSON detail', async () => {
    await notifier().notify(event);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      Entries: [
        {
          Source: 'sagedrop',
          DetailType: 'Training Failed',
          Detail: JSON.stringify(event.detail),
          EventBusName: 'sagedrop-bus',
        },
      ],
    });
  });

  it('publishes one email-ready SNS message with filterable attributes', async () => {
    await notifier().notify(event);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toBe('sagedrop: training failed: donnees');
    expect(input?.Message).toContain('AlgorithmError: boom');
    expect(input?.MessageAttributes).toEqual({
      detailType: { DataType: 'String', StringValue: 'Training Failed' },
      dataset: { DataType: 'String', StringValue: 'données' },
      job: { DataType: 'String', StringValue: 'sagedrop-dev-donnees-r1---abc' },
    });
  });

  it('fails with the EventBridge error when the entry is rejected, and sends no email', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const sent = notifier().notify(event);
    await expect(sent).rejects.toBeInstanceOf(NotificationDeliveryError);
    await expect(sent).rejects.toThrow(/InternalFailure try again/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('lets an SNS error through so the caller retries', async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException' }));
    await expect(notifier().notify(event)).rejects.toThrow(/Rate exceeded/);
  });
});
