import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A Lambda handler as middy exposes it. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** An event whose every attempt failed: what the on-failure SQS queue would hold. */
export interface FailedInvocation {
  fn: string;
  requestId: string;
  attempts: number;
  event: unknown;
  error: unknown;
  /** ISO time of the last attempt's failure. */
  failedAt: string;
}

export interface AttemptFailure {
  fn: string;
  requestId: string;
  attempt: number;
  error: unknown;
  /** False when another attempt follows. */
  final: boolean;
}

export interface InvokerOptions {
  region: string;
  /** Lambda retries an asynchronous invocation twice. */
  retries?: number;
  /** Lambda waits a minute or more between attempts; locally a moment is enough. */
  retryDelayMs?: number;
  timeoutMs?: number;
  onAttemptFailed?: (failure: AttemptFailure) => void;
  /** An event whose every attempt failed, as it goes to the on-failure destination. */
  onFailed?: (failure: FailedInvocation) => void;
}

export interface Invoker {
  /** Queues an asynchronous invocation (as S3 and EventBridge invoke Lambda) and returns at once. */
  invoke(fn: string, handler: LambdaHandler, event: unknown): void;
  /** Resolves when no invocation is queued or running. */
  idle(): Promise<void>;
  /** Increases on every invocation queued: lets callers see whether anything happened while they waited. */
  readonly started: number;
  readonly failures: FailedInvocation[];
}

/** The context Lambda gives an invocation of the local function `fn`. */
export function lambdaContext(fn: string, requestId: string, region: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const name = `sagedrop-local-${fn}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${name}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Lambda's asynchronous invocation, in process: each event runs with a
 * Lambda-like context whose request id stays the same across retries; a
 * failure is retried `retries` times, then kept in `failures`.
 */
export function createInvoker(options: InvokerOptions): Invoker {
  const retries = options.retries ?? 2;
  const delay = options.retryDelayMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 15 * 60 * 1000;
  const running = new Set<Promise<void>>();
  const failures: FailedInvocation[] = [];
  let started = 0;

  const attemptAll = async (fn: string, handler: LambdaHandler, event: unknown) => {
    const requestId = randomUUID();
    for (let attempt = 1; attempt <= retries + 1; attempt += 1) {
      try {
        // Each attempt gets its own copy, as each Lambda delivery deserialises the event anew.
        await handler(structuredClone(event), lambdaContext(fn, requestId, options.region, timeoutMs));
        return;
      } catch (error) {
        const final = attempt === retries + 1;
        options.onAttemptFailed?.({ fn, requestId, attempt, error, final });
        if (final) {
          const failed = {
            fn,
            requestId,
            attempts: attempt,
            event,
            error,
            failedAt: new Date().toISOString(),
          };
          failures.push(failed);
          options.onFailed?.(failed);
        } else await new Promise((resolve) => setTimeout(resolve, delay * attempt));
      }
    }
  };

  return {
    invoke(fn, handler, event) {
      started += 1;
      const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        attemptAll(fn, handler, event),
      );
      running.add(run);
      void run.finally(() => running.delete(run));
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    get started() {
      return started;
    },
    failures,
  };
}
