import type { TrainingStateChangeEvent } from '../../lib/local/training/training-event';
import type { FunctionName } from '../support/faults/invocation-faults';

/** How one event is delivered: how many times in all, and whether later copies wait a little. */
export interface DeliveryPlan {
  copies: number;
  /** Later copies arrive within this many milliseconds (0: all at once, concurrently). */
  spreadMs: number;
}

/** What EventBridge does with one training-job event. */
export interface TrainingDeliveryPlan extends DeliveryPlan {
  /** Held back until `releaseHeld`, so that it arrives after newer jobs' events. */
  hold: boolean;
}

const ONCE: TrainingDeliveryPlan = { copies: 1, spreadMs: 0, hold: false };

interface Delivered {
  fn: FunctionName;
  event: unknown;
}

/**
 * At-least-once delivery, as S3 notifications and EventBridge practise it:
 * each event may be delivered several times, concurrently or a moment apart,
 * training-job events may be held back and delivered out of order, and any
 * past event may be replayed long after it was handled.
 */
export class DeliveryFaults {
  s3Plan: (fn: FunctionName, key: string) => DeliveryPlan = () => ONCE;
  trainingPlan: (event: TrainingStateChangeEvent) => TrainingDeliveryPlan = () => ONCE;
  readonly counts = {
    s3Events: 0,
    s3Duplicates: 0,
    trainingEvents: 0,
    trainingDuplicates: 0,
    outOfOrder: 0,
    lateReplays: 0,
  };
  private readonly history: Delivered[] = [];
  private readonly held: TrainingStateChangeEvent[] = [];
  private timers = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly random: () => number,
    private readonly invoke: (fn: FunctionName, event: unknown) => void,
  ) {}

  /** An object-created notification for `fn`. */
  s3(fn: FunctionName, event: { Records: { s3: { object: { key: string } } }[] }): void {
    const key = event.Records[0]?.s3.object.key ?? '';
    const plan = this.s3Plan(fn, key);
    this.counts.s3Events += 1;
    this.counts.s3Duplicates += plan.copies - 1;
    this.history.push({ fn, event });
    this.send(fn, event, plan);
  }

  /** A "SageMaker Training Job State Change" event that matched the rule. */
  training(event: TrainingStateChangeEvent): void {
    const plan = this.trainingPlan(event);
    this.counts.trainingEvents += 1;
    if (plan.hold) {
      this.held.push(event);
      return;
    }
    this.counts.trainingDuplicates += plan.copies - 1;
    this.history.push({ fn: 'complete', event });
    this.send('complete', event, plan);
  }

  /** Delivers every held event now, after the events that overtook them. Returns how many. */
  releaseHeld(): number {
    const held = this.held.splice(0);
    for (const event of held) {
      this.counts.outOfOrder += 1;
      this.history.push({ fn: 'complete', event });
      this.invoke('complete', event);
    }
    return held.length;
  }

  /** Replays `count` past deliveries picked at random, long after they were handled. */
  replayLate(count: number): number {
    if (this.history.length === 0) return 0;
    for (let i = 0; i < count; i += 1) {
      const past = this.history[Math.floor(this.random() * this.history.length)];
      if (!past) continue;
      this.counts.lateReplays += 1;
      this.invoke(past.fn, past.event);
    }
    return count;
  }

  /** Copies still waiting for their moment. */
  inFlight(): number {
    return this.timers;
  }

  /** Resolves once every delayed copy has been handed over. */
  settled(): Promise<void> {
    if (this.timers === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private send(fn: FunctionName, event: unknown, plan: DeliveryPlan): void {
    this.invoke(fn, event);
    for (let copy = 1; copy < plan.copies; copy += 1) {
      if (plan.spreadMs === 0) {
        this.invoke(fn, event);
        continue;
      }
      this.timers += 1;
      setTimeout(
        () => {
          this.invoke(fn, event);
          this.timers -= 1;
          if (this.timers === 0) for (const wake of this.waiters.splice(0)) wake();
        },
        Math.floor(this.random() * plan.spreadMs),
      );
    }
  }
}
