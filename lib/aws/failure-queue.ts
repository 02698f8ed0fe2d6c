import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { FailureQueue, ReceivedMessage } from '../stages/redrive';

export interface SqsFailureQueueOptions {
  client: SQSClient;
  queueUrl: string;
  /**
   * How long a received message stays hidden from other readers: longer than
   * the slowest replay (a merge may run 15 minutes), so no one else takes it meanwhile.
   */
  visibilitySeconds: number;
  /** Messages per ReceiveMessage call (1 to 10). */
  batchSize?: number;
}

/** How many messages a queue holds, as SQS approximates it. */
export interface QueueDepth {
  /** Waiting to be received. */
  visible: number;
  /** Received by someone and not yet deleted or released. */
  inFlight: number;
}

function stringAttributes(attributes: Record<string, MessageAttributeValue> | undefined) {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.StringValue !== undefined) out[name] = value.StringValue;
  }
  return out;
}

/**
 * An SQS queue of failed events. Receiving uses long polling (one second),
 * which asks every SQS server: an empty answer means the queue has no visible
 * message left, where short polling could miss some.
 */
export function createSqsFailureQueue(options: SqsFailureQueueOptions): FailureQueue {
  const { client, queueUrl } = options;
  return {
    async receive() {
      const answer = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: options.batchSize ?? 1,
          VisibilityTimeout: options.visibilitySeconds,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      const messages: ReceivedMessage[] = [];
      for (const message of answer.Messages ?? []) {
        if (!message.MessageId || !message.ReceiptHandle) continue;
        messages.push({
          id: message.MessageId,
          receipt: message.ReceiptHandle,
          body: message.Body ?? '',
          attributes: stringAttributes(message.MessageAttributes),
        });
      }
      return messages;
    },
    async delete(message) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.receipt }));
    },
    async release(message) {
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.receipt,
          VisibilityTimeout: 0,
        }),
      );
    },
  };
}

/** The approximate number of messages in a queue, waiting and in flight. */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const answer = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  const attributes = answer.Attributes ?? {};
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
