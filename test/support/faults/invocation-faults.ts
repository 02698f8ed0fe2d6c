import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import type { LambdaHandler } from '../../../lib/local/invoker';
import type { PipelineEvent } from '../../../lib/notifications/events';
import type { Notifier, ObjectRef, ObjectStore, PutOptions, TrainingBackend } from '../../../lib/ports';

export type FunctionName = 'merge' | 'train' | 'complete';

/**
 * Where a Lambda timeout cuts an invocation: half-way through reading an
 * object, just before or just after a write, after CreateTrainingJob
 * answered, or just before a notification leaves.
 */
export type KillPoint = 'mid-read' | 'before-put' | 'after-put' | 'after-create-job' | 'before-notify';

export interface KillRule {
  fn: FunctionName;
  point: KillPoint;
  /** The object key (reads, writes) or job name (after-create-job) the kill is aimed at. */
  target: (keyOrJob: string) => boolean;
  times: number;
}

export interface NotifierFailureRule {
  match: (event: PipelineEvent) => boolean;
  times: number;
}

/** What Lambda reports when an invocation runs out of time. */
export class LambdaTimeoutError extends Error {
  override readonly name = 'Sandbox.Timedout';
}

/** What SNS answers when it cannot take a message right now. */
export class SnsInternalError extends Error {
  override readonly name = 'InternalErrorException';
}

/** One attempt of one function, for as long as it lives. */
export class Invocation {
  killed = false;
  readonly dead: Promise<never>;
  private reject: (error: Error) => void = () => {};

  constructor(
    readonly fn: FunctionName,
    readonly requestId: string,
  ) {
    this.dead = new Promise<never>((_, reject) => {
      this.reject = reject;
    });
    this.dead.catch(() => undefined);
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    this.reject(new LambdaTimeoutError(`Task timed out: ${this.fn} invocation ${this.requestId} was killed`));
  }
}

/** A promise that never settles: what a killed process's pending work turns into. */
function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/**
 * Lambda timeouts and SNS failures aimed at chosen steps of chosen
 * invocations. Each handler runs inside its invocation's context; the store,
 * trainer and notifier the functions get consult that context on every call,
 * so a killed invocation stops dead (nothing more reaches S3, SageMaker or
 * SNS, as with a process that is gone) while Lambda's retry of the same event
 * starts afresh.
 */
export class InvocationFaults {
  private readonly context = new AsyncLocalStorage<Invocation>();
  private readonly kills: KillRule[] = [];
  private readonly notifierFailures: NotifierFailureRule[] = [];
  readonly injected = { 'lambda-timeout': 0, 'sns-failure': 0 };
  /** Invocations started, and those running now, per function. */
  readonly running = new Set<Invocation>();

  killAt(rule: KillRule): void {
    if (rule.times > 0) this.kills.push({ ...rule });
  }

  failNotification(rule: NotifierFailureRule): void {
    if (rule.times > 0) this.notifierFailures.push({ ...rule });
  }

  clear(): void {
    this.kills.length = 0;
    this.notifierFailures.length = 0;
  }

  /** The handler, run as an invocation that a kill rule can end like a Lambda timeout. */
  wrap(fn: FunctionName, handler: LambdaHandler, onStart?: (event: unknown) => () => void): LambdaHandler {
    return async (event: unknown, context: Context) => {
      const invocation = new Invocation(fn, context.awsRequestId);
      const done = onStart?.(event);
      this.running.add(invocation);
      try {
        return await this.context.run(invocation, () =>
          Promise.race([handler(event, context), invocation.dead]),
        );
      } finally {
        this.running.delete(invocation);
        done?.();
      }
    };
  }

  /** Whether a kill rule fires here; if so the current invocation dies. */
  private strike(point: KillPoint, keyOrJob: string): Invocation | undefined {
    const invocation = this.context.getStore();
    if (!invocation || invocation.killed) return invocation;
    const index = this.kills.findIndex(
      (rule) => rule.fn === invocation.fn && rule.point === point && rule.target(keyOrJob),
    );
    const rule = this.kills[index];
    if (!rule) return invocation;
    rule.times -= 1;
    if (rule.times <= 0) this.kills.splice(index, 1);
    this.injected['lambda-timeout'] += 1;
    invocation.kill();
    return invocation;
  }

  private async step<T>(point: KillPoint | undefined, key: string, op: () => Promise<T>): Promise<T> {
    if (point && this.strike(point, key)?.killed) return never();
    if (this.context.getStore()?.killed) return never();
    const result = await op();
    if (this.context.getStore()?.killed) return never();
    return result;
  }

  store(base: ObjectStore): ObjectStore {
    const self = this;
    return {
      head: (key) => this.step(undefined, key, () => base.head(key)),
      getText: (key) => this.step(undefined, key, () => base.getText(key)),
      delete: (key) => this.step(undefined, key, () => base.delete(key)),
      list: (prefix) => base.list(prefix),
      async put(key: string, body, options?: PutOptions) {
        const result = await self.step('before-put', key, () => base.put(key, body, options));
        if (self.strike('after-put', key)?.killed) return never();
        return result;
      },
      async *read(ref: ObjectRef) {
        const source = base.read(ref)[Symbol.asyncIterator]();
        let seen = 0;
        try {
          for (;;) {
            const next = await self.step(undefined, ref.key, () => source.next());
            if (next.done) return;
            seen += next.value.byteLength;
            yield next.value;
            // Once the merge has taken in half the object (for a small one: all of it, end not yet seen).
            if (seen * 2 >= ref.size && self.strike('mid-read', ref.key)?.killed) {
              // The process is gone: its connection closes, and nothing after this point runs.
              await source.return?.();
              await never();
            }
          }
        } finally {
          await source.return?.();
        }
      },
    };
  }

  trainer(base: TrainingBackend): TrainingBackend {
    return {
      createTrainingJob: async (request) => {
        const result = await this.step(undefined, request.TrainingJobName ?? '', () =>
          base.createTrainingJob(request),
        );
        if (this.strike('after-create-job', request.TrainingJobName ?? '')?.killed) return never();
        return result;
      },
      describeTrainingJob: (name) => this.step(undefined, name, () => base.describeTrainingJob(name)),
    };
  }

  notifier(base: Notifier): Notifier {
    return {
      notify: async (event) => {
        if (this.strike('before-notify', event.detail.dataset)?.killed) return never();
        const index = this.notifierFailures.findIndex((rule) => rule.match(event));
        const rule = this.notifierFailures[index];
        if (rule) {
          rule.times -= 1;
          if (rule.times <= 0) this.notifierFailures.splice(index, 1);
          this.injected['sns-failure'] += 1;
          throw new SnsInternalError(`SNS could not publish the "${event.detailType}" notification`);
        }
        return this.step(undefined, event.detail.dataset, () => base.notify(event));
      },
    };
  }
}
