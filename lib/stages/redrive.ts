import { type FailedEvent, type FailureMessage, parseFailureMessage } from '../events/failed-event';
import { NOTIFY_LEASE_MS } from '../notifications/notify-once';
import { CLAIM_LEASE_MS } from './pairing';

/**
 * How old a failure must be before it is replayed. An attempt that timed out
 * could not release what it held (a run's input claims, a notification being
 * sent): those stay another invocation's for their lease, and a replay within
 * it would be answered "in progress" and do nothing, while its message is
 * deleted. After the lease a replay takes them over.
 */
export const REPLAY_AFTER_MS = Math.max(CLAIM_LEASE_MS, NOTIFY_LEASE_MS);

/** A message as a queue hands it to one reader: `receipt` names this delivery. */
export interface ReceivedMessage extends FailureMessage {
  receipt: string;
}

/** Where failed events wait: the redrive queue on AWS, the local failure list locally. */
export interface FailureQueue {
  /**
   * Messages nobody is working on, hidden from other readers until deleted or
   * released; an empty list when none is left.
   */
  receive(): Promise<ReceivedMessage[]>;
  /** Removes a message for good: only after its replay succeeded. */
  delete(message: ReceivedMessage): Promise<void>;
  /** Makes a message visible again now (a failed replay, a dry run). */
  release(message: ReceivedMessage): Promise<void>;
}

/** Invokes a function with an event and waits for its answer, as Lambda's synchronous invoke does. */
export interface FunctionReplayer {
  /** Resolves when the function handled the event; throws `ReplayFailedError` when it failed. */
  replay(functionName: string, event: unknown): Promise<void>;
}

/** The function failed again on the replayed event. The message stays in the queue. */
export class ReplayFailedError extends Error {
  override readonly name = 'ReplayFailedError';
  readonly code = 'SAGEDROP_REPLAY_FAILED';
}

export type RedriveOutcome =
  /** Replayed, the function succeeded, the message is deleted. */
  | 'replayed'
  /** Dry run: this message would be replayed into `functionName`. */
  | 'would-replay'
  /** Another message of the same failure was replayed in this pass: deleted without a second replay. */
  | 'duplicate'
  /** The function failed again: the message is kept. */
  | 'failed'
  /** Failed less than {@link REPLAY_AFTER_MS} ago: kept for a later redrive. */
  | 'too-recent'
  /** Cannot be replayed (unreadable, no event, not a function of this stack): the message is kept. */
  | 'kept';

export interface RedriveResult {
  outcome: RedriveOutcome;
  messageId: string;
  failure: FailedEvent;
  /** Why it failed again, or why it cannot be replayed. */
  reason?: string;
}

export interface RedriveOptions {
  queue: FailureQueue;
  replayer: FunctionReplayer;
  /** Whether a function name belongs to this stack: nothing else is ever invoked. */
  isStackFunction: (functionName: string) => boolean;
  /** Read and report only: no replay, no deletion, every message released. */
  dryRun?: boolean;
  /** Called as each message is done, for progress output. */
  onResult?: (result: RedriveResult) => void;
  /** Replay only failures at least this old (default {@link REPLAY_AFTER_MS}). */
  minAgeMs?: number;
  now?: () => Date;
}

/** When a failure may be replayed, or `undefined` when it may be at once. */
function replayableFrom(failure: FailedEvent, minAgeMs: number, now: Date): Date | undefined {
  // EventBridge never ran the function: nothing can hold a claim.
  if (failure.kind !== 'function-failed' || !failure.failedAt || minAgeMs <= 0) return undefined;
  const from = new Date(Date.parse(failure.failedAt) + minAgeMs);
  return Number.isNaN(from.getTime()) || from <= now ? undefined : from;
}

function unreplayable(failure: FailedEvent, isStackFunction: (name: string) => boolean): string | undefined {
  if (failure.kind === 'unreadable') return failure.error;
  if (!failure.functionName) return 'the message does not name the function it came from';
  if (!isStackFunction(failure.functionName)) {
    return `${failure.functionName} is not a function of this stack: it is never invoked from here`;
  }
  if (failure.payload === undefined) return 'the message does not hold the event (Lambda left it out)';
  return undefined;
}

/**
 * Replays every event of the failure queue into the function it came from,
 * one at a time and synchronously, deleting a message only when its replay
 * succeeded; a message that fails again, or that cannot be replayed, is kept
 * and made visible again at the end of the pass. Safe to repeat and to
 * interrupt: the functions are idempotent, and a message is gone only once
 * its event was handled. Returns one result per message, in queue order.
 */
export async function redriveFailures(options: RedriveOptions): Promise<RedriveResult[]> {
  const { queue, replayer } = options;
  const results: RedriveResult[] = [];
  const seen = new Set<string>();
  const replayedFailures = new Set<string>();
  const toRelease: ReceivedMessage[] = [];
  const finish = (result: RedriveResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  try {
    for (;;) {
      const batch = (await queue.receive()).filter((message) => !seen.has(message.id));
      // Only messages already handled in this pass came back (their hiding ran out): nothing new is left.
      if (batch.length === 0) break;
      for (const message of batch) {
        seen.add(message.id);
        const failure = parseFailureMessage(message);
        const base = { messageId: message.id, failure };
        const reason = unreplayable(failure, options.isStackFunction);
        const from = replayableFrom(
          failure,
          options.minAgeMs ?? REPLAY_AFTER_MS,
          (options.now ?? (() => new Date()))(),
        );
        if (reason) {
          toRelease.push(message);
          finish({ ...base, outcome: 'kept', reason });
        } else if (from) {
          toRelease.push(message);
          finish({
            ...base,
            outcome: 'too-recent',
            reason: `it failed at ${failure.failedAt}: a timed-out attempt may hold its claims until ${from.toISOString()}`,
          });
        } else if (options.dryRun) {
          toRelease.push(message);
          finish({ ...base, outcome: 'would-replay' });
        } else if (replayedFailures.has(failure.id)) {
          await queue.delete(message);
          finish({ ...base, outcome: 'duplicate' });
        } else {
          try {
            await replayer.replay(failure.functionName as string, failure.payload);
          } catch (error) {
            toRelease.push(message);
            finish({ ...base, outcome: 'failed', reason: (error as Error).message ?? String(error) });
            continue;
          }
          replayedFailures.add(failure.id);
          await queue.delete(message);
          finish({ ...base, outcome: 'replayed' });
        }
      }
    }
  } finally {
    for (const message of toRelease) await queue.release(message);
  }
  return results;
}

/** One line per result, as `sagedrop redrive` prints them. */
export function describeRedriveResult(result: RedriveResult): string {
  const { failure } = result;
  const fn = failure.functionName ?? 'unknown function';
  const about =
    [
      failure.subject.dataset && `dataset ${failure.subject.dataset}`,
      failure.subject.key,
      failure.subject.job,
    ]
      .filter(Boolean)
      .join(', ') || 'an event of no known dataset';
  switch (result.outcome) {
    case 'replayed':
      return `replayed into ${fn}: ${about}; done, message deleted`;
    case 'would-replay':
      return `would replay into ${fn}: ${about} (last error: ${failure.error})`;
    case 'duplicate':
      return `duplicate of an event replayed above (${about}): message deleted`;
    case 'failed':
      return `replay into ${fn} failed again: ${about}: ${result.reason}; message kept`;
    case 'kept':
      return `not replayed (${result.reason}): ${about}; message kept`;
    case 'too-recent':
      return `not replayed yet (${result.reason}): ${about}; message kept, run redrive again after that`;
  }
}
