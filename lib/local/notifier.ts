import type { PipelineEvent } from '../notifications/events';
import { renderMessage } from '../notifications/render';
import type { Notifier } from '../ports';

/** A notification as a subscriber of the SNS topic would read it, with the event behind it. */
export interface LocalNotification {
  event: PipelineEvent;
  subject: string;
  body: string;
}

export interface LocalNotifier extends Notifier {
  /** Every notification sent so far, oldest first. */
  readonly sent: LocalNotification[];
}

/**
 * Local mode's stand-in for SNS + EventBridge: keeps each notification,
 * rendered as the email would read for a local run (no billing, no CloudWatch
 * logs), and hands it to `onNotification`.
 */
export function createLocalNotifier(
  onNotification?: (notification: LocalNotification) => void,
): LocalNotifier {
  const sent: LocalNotification[] = [];
  return {
    sent,
    async notify(event) {
      const notification = { event, ...renderMessage(event, { backend: 'local' }) };
      sent.push(notification);
      onNotification?.(notification);
    },
  };
}
