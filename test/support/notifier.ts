import type { PipelineEvent } from '../../lib/notifications/events';
import type { Notifier } from '../../lib/ports';

/** A Notifier that keeps what it was asked to send, and fails when told to. */
export class RecordingNotifier implements Notifier {
  /** What was sent, in order (a failed send is not in it). */
  readonly sent: PipelineEvent[] = [];
  /** Thrown by the next notify calls, in order. */
  readonly failures: unknown[] = [];

  async notify(event: PipelineEvent): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(event);
  }
}
