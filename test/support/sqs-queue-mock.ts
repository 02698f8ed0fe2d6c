import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AwsStub } from 'aws-sdk-client-mock';

interface Stored {
  message: Message;
  hiddenUntil: number;
  receipts: number;
}

/**
 * A standard SQS queue behind a mocked SQSClient: ReceiveMessage hides what it
 * returns for its VisibilityTimeout (on a clock the test moves), DeleteMessage
 * needs the latest receipt handle, ChangeMessageVisibility 0 shows a message again.
 */
export class MockQueue {
  readonly stored: Stored[] = [];
  now = 0;
  private sequence = 0;

  constructor(
    sqs: AwsStub<ServiceInputTypes, ServiceOutputTypes, SQSClient['config']>,
    readonly url = 'https://sqs.eu-west-1.amazonaws.com/123456789012/sagedrop-dev-RedriveQueue',
  ) {
    sqs.on(ReceiveMessageCommand, { QueueUrl: url }).callsFake((input) => {
      const max = input.MaxNumberOfMessages ?? 1;
      const visible = this.stored.filter((s) => s.hiddenUntil <= this.now).slice(0, max);
      for (const entry of visible) {
        entry.receipts += 1;
        entry.hiddenUntil = this.now + (input.VisibilityTimeout ?? 30) * 1000;
        entry.message = { ...entry.message, ReceiptHandle: `${entry.message.MessageId}#${entry.receipts}` };
      }
      return { Messages: visible.map((s) => s.message) };
    });
    sqs.on(DeleteMessageCommand, { QueueUrl: url }).callsFake((input) => {
      const index = this.stored.findIndex((s) => s.message.ReceiptHandle === input.ReceiptHandle);
      if (index < 0)
        throw Object.assign(new Error('ReceiptHandleIsInvalid'), { name: 'ReceiptHandleIsInvalid' });
      this.stored.splice(index, 1);
      return {};
    });
    sqs.on(ChangeMessageVisibilityCommand, { QueueUrl: url }).callsFake((input) => {
      const entry = this.stored.find((s) => s.message.ReceiptHandle === input.ReceiptHandle);
      if (!entry)
        throw Object.assign(new Error('ReceiptHandleIsInvalid'), { name: 'ReceiptHandleIsInvalid' });
      entry.hiddenUntil = this.now + (input.VisibilityTimeout ?? 0) * 1000;
      return {};
    });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: url }).callsFake(() => ({
      Attributes: {
        ApproximateNumberOfMessages: String(this.stored.filter((s) => s.hiddenUntil <= this.now).length),
        ApproximateNumberOfMessagesNotVisible: String(
          this.stored.filter((s) => s.hiddenUntil > this.now).length,
        ),
      },
    }));
  }

  /** Sends a message as Lambda's destination or EventBridge would. */
  send(body: unknown, attributes: Record<string, string> = {}): string {
    this.sequence += 1;
    const id = `00000000-0000-4000-8000-${String(this.sequence).padStart(12, '0')}`;
    this.stored.push({
      message: {
        MessageId: id,
        Body: typeof body === 'string' ? body : JSON.stringify(body),
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      },
      hiddenUntil: 0,
      receipts: 0,
    });
    return id;
  }

  ids(): string[] {
    return this.stored.map((s) => s.message.MessageId ?? '');
  }
}
