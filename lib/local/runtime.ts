import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { createAlertHandler } from '../../handlers/alert';
import { createCompleteHandler } from '../../handlers/complete';
import { createEvaluateHandler } from '../../handlers/evaluate';
import { createMergeHandler } from '../../handlers/merge';
import { createPredictHandler } from '../../handlers/predict';
import { createTrainHandler } from '../../handlers/train';
import type { FailureMessage } from '../events/failed-event';
import { decodeS3Key } from '../events/s3';
import { transformJobPattern } from '../events/scoring';
import { functionsTriggeredBy, matchesEventPattern, trainingJobPattern } from '../events/triggers';
import { type Logger, silentLogger } from '../logger';
import { evaluationTransformPrefix, predictionTransformPrefix } from '../models/transform';
import type { EndpointBackend, ObjectStore } from '../ports';
import { type Config, readDefaults } from '../settings/config';
import type { Deps } from '../stages/deps';
import type { MergeOutcome } from '../stages/merge';
import {
  type FunctionReplayer,
  type RedriveResult,
  ReplayFailedError,
  redriveFailures,
} from '../stages/redrive';
import { LOCAL_STACK_NAME, type LocalFailureQueue, openLocalFailureQueue } from './failure-queue';
import {
  type AttemptFailure,
  createInvoker,
  type FailedInvocation,
  type LambdaHandler,
  lambdaContext,
} from './invoker';
import { createLocalNotifier, type LocalNotification } from './notifier';
import { createLocalStore } from './s3-adapter';
import { type LocalS3, type S3Notification, startLocalS3 } from './s3-server';
import { createLocalScorer, type LocalScorer } from './training/scorer';
import { createLocalTrainer, type LocalTrainer } from './training/trainer';
import type { TrainingStateChangeEvent } from './training/training-event';
import type { TransformStateChangeEvent } from './training/transform-event';

/** The execution role local jobs "run as": a fixed, obviously local ARN (nothing assumes it). */
export const LOCAL_ROLE_ARN = 'arn:aws:iam::000000000000:role/sagedrop-local';
export const LOCAL_JOB_PREFIX = 'sagedrop-local';
const LOCAL_REGION = 'us-east-1';

/** Something that happened in the local pipeline, for progress output. */
export type LocalStep =
  | { kind: 'object-created'; key: string; functions: string[] }
  | { kind: 'training-state'; event: TrainingStateChangeEvent; routedToComplete: boolean }
  /** How far a local training job has come: `done` of `total` epochs or restarts. */
  | { kind: 'training-progress'; job: string; done: number; total: number; unit: string }
  | {
      kind: 'transform-state';
      event: TransformStateChangeEvent;
      routedToEvaluate: boolean;
      routedToPredict?: boolean;
    }
  | { kind: 'notification'; notification: LocalNotification }
  /** What a merge invocation concluded about an upload (waiting for a partner, merged, ...). */
  | { kind: 'merge-outcome'; outcome: MergeOutcome }
  | { kind: 'invocation-failed'; failure: AttemptFailure };

export interface LocalStackOptions {
  /** Where the S3 server keeps the bucket (kept across runs: `serve` and `local` reuse it). */
  dir: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** The handlers' JSON log lines; silent by default. */
  logger?: Logger;
  onNotification?: (notification: LocalNotification) => void;
  onStep?: (step: LocalStep) => void;
  /** Lambda retries failed asynchronous invocations twice; tests may shorten the wait. */
  retryDelayMs?: number;
  /** Where the failure queue is kept between runs; in memory only without it. */
  failureDir?: string;
  /** The command the failure notifications name for replaying (`sagedrop redrive --local ...`). */
  redriveCommand?: string;
  /**
   * SageMaker hosting for the evaluate function's opt-in endpoints. None
   * locally (`sagedrop serve` answers from the champion itself); tests give
   * a fake that checks every request against the API shapes.
   */
  endpoints?: EndpointBackend;
}

export interface LocalStack {
  endpoint: string;
  bucket: string;
  region: string;
  s3: LocalS3;
  client: S3Client;
  store: ObjectStore;
  trainer: LocalTrainer;
  /** Models and batch transforms: scores each completed model for its evaluation. */
  scorer: LocalScorer;
  config: Config;
  /** Notifications sent so far, as the SNS email would read. */
  notifications: LocalNotification[];
  /** Invocations that failed every attempt: the on-failure queue. */
  failures: FailedInvocation[];
  failureQueue: LocalFailureQueue;
  /**
   * Replays every failed event into its function (as \`sagedrop redrive\` does on
   * AWS), removes those that succeeded, and waits until what they started is done.
   */
  redrive(options?: {
    dryRun?: boolean;
    onResult?: (result: RedriveResult) => void;
  }): Promise<RedriveResult[]>;
  /** Resolves once no invocation is queued or running, no training runs, and no event is in flight. */
  waitForIdle(): Promise<void>;
  stop(): Promise<void>;
}

/** The configuration the functions get in local mode: the stack defaults, a local bucket and job prefix. */
export function localConfig(bucket: string, logLevel: Config['logLevel'] = 'info'): Config {
  return {
    region: LOCAL_REGION,
    bucket,
    jobPrefix: LOCAL_JOB_PREFIX,
    stackName: LOCAL_STACK_NAME,
    sagemakerRoleArn: LOCAL_ROLE_ARN,
    topicArn: `arn:aws:sns:${LOCAL_REGION}:000000000000:sagedrop-local`,
    eventBusName: 'default',
    registerModels: false,
    defaults: readDefaults({}),
    logLevel,
  };
}

/** Lets events delivered "after the response" (setImmediate, timers) land before checking for quiet. */
const SETTLE_MS = 30;

/**
 * The whole pipeline on this machine: an S3 server on loopback, the three
 * handlers wired to it exactly as serverless.yml wires them on AWS (same S3
 * filters, same EventBridge pattern), Lambda-style asynchronous invocation
 * with retries, and the local trainer in place of SageMaker.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  await mkdir(options.dir, { recursive: true });
  const logger = options.logger ?? silentLogger;
  const step = options.onStep ?? (() => {});
  const s3 = await startLocalS3({
    dir: options.dir,
    port: options.port ?? 0,
    region: LOCAL_REGION,
    onListenerError: (error) => logger.error('local S3 notification failed', { error }),
  });
  const client = new S3Client(s3.clientConfig);
  const store = createLocalStore(client, s3.bucket);
  const config = localConfig(s3.bucket);
  const notifier = createLocalNotifier((notification) => {
    step({ kind: 'notification', notification });
    options.onNotification?.(notification);
  });
  let alertHandler: LambdaHandler | undefined;
  const alerts = new Set<Promise<void>>();
  const invoker = createInvoker({
    region: LOCAL_REGION,
    retryDelayMs: options.retryDelayMs ?? 200,
    onAttemptFailed: (failure) => step({ kind: 'invocation-failed', failure }),
    // The on-failure destination: the failure queue, which feeds the alert function.
    onFailed: (failure) => {
      const queued = failureQueue.add(failure).then((message) => {
        if (alertHandler) invoker.invoke('alert', alertHandler, sqsEvent(message));
      });
      alerts.add(queued);
      void queued.finally(() => alerts.delete(queued));
    },
  });
  const failureQueue = await openLocalFailureQueue({
    failures: invoker.failures,
    region: LOCAL_REGION,
    ...(options.failureDir ? { dir: options.failureDir } : {}),
  });
  const pattern = trainingJobPattern(config.jobPrefix);
  let completeHandler: LambdaHandler | undefined;
  const trainer = createLocalTrainer({
    store,
    bucket: s3.bucket,
    region: LOCAL_REGION,
    logger: logger.child({ function: 'trainer' }),
    onProgress: (progress) => step({ kind: 'training-progress', ...progress }),
    onStateChange: (event) => {
      // EventBridge delivers JSON: nothing but what survives serialisation reaches the function.
      const delivered = JSON.parse(JSON.stringify(event)) as TrainingStateChangeEvent;
      const routed = matchesEventPattern(pattern, delivered);
      step({ kind: 'training-state', event: delivered, routedToComplete: routed });
      if (routed && completeHandler) invoker.invoke('complete', completeHandler, delivered);
    },
  });
  // The handlers add their function name and request id to the logger's lines.
  const transformPattern = transformJobPattern(evaluationTransformPrefix(config.jobPrefix));
  const predictionPattern = transformJobPattern(predictionTransformPrefix(config.jobPrefix));
  let evaluateHandler: LambdaHandler | undefined;
  let predictHandler: LambdaHandler | undefined;
  const scorer = createLocalScorer({
    store,
    bucket: s3.bucket,
    region: LOCAL_REGION,
    logger: logger.child({ function: 'scorer' }),
    onStateChange: (event) => {
      const delivered = JSON.parse(JSON.stringify(event)) as TransformStateChangeEvent;
      const routed = matchesEventPattern(transformPattern, delivered);
      const routedToPredict = matchesEventPattern(predictionPattern, delivered);
      step({ kind: 'transform-state', event: delivered, routedToEvaluate: routed, routedToPredict });
      if (routed && evaluateHandler) invoker.invoke('evaluate', evaluateHandler, delivered);
      if (routedToPredict && predictHandler) invoker.invoke('predict', predictHandler, delivered);
    },
  });
  const deps = (): Deps => ({ config, store, trainer, scorer, notifier, logger });
  predictHandler = createPredictHandler(() => ({ ...deps(), scorer }));
  const handlers: Record<'merge' | 'train' | 'predict', LambdaHandler> = {
    merge: reportingOutcomes(createMergeHandler(deps), step),
    train: createTrainHandler(deps),
    predict: predictHandler,
  };
  completeHandler = createCompleteHandler(deps);
  evaluateHandler = createEvaluateHandler(() => ({
    ...deps(),
    scorer,
    ...(options.endpoints ? { endpoints: options.endpoints } : {}),
  }));
  alertHandler = createAlertHandler(() => ({
    store,
    notifier,
    logger,
    stackName: LOCAL_STACK_NAME,
    redriveCommand: options.redriveCommand ?? 'npx sagedrop redrive --local',
  }));
  const replayable: Record<string, LambdaHandler> = {
    [`${LOCAL_STACK_NAME}-merge`]: handlers.merge,
    [`${LOCAL_STACK_NAME}-train`]: handlers.train,
    [`${LOCAL_STACK_NAME}-complete`]: completeHandler,
    [`${LOCAL_STACK_NAME}-predict`]: predictHandler,
  };
  // A synchronous invoke: one attempt, its error is the answer (no retry, no failure record).
  const replayer: FunctionReplayer = {
    async replay(functionName, event) {
      const handler = replayable[functionName];
      if (!handler) throw new ReplayFailedError(`${functionName} is not a local function`);
      const fn = functionName.slice(LOCAL_STACK_NAME.length + 1);
      try {
        await handler(structuredClone(event), lambdaContext(fn, randomUUID(), LOCAL_REGION, 15 * 60_000));
      } catch (error) {
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new ReplayFailedError(text, { cause: error });
      }
    },
  };

  s3.onObjectCreated((notification: S3Notification) => {
    // S3 sends one record per notification; each matching configuration gets its own delivery.
    for (const record of notification.Records) {
      const key = decodeS3Key(record.s3.object.key);
      const functions = functionsTriggeredBy(key);
      step({ kind: 'object-created', key, functions });
      for (const fn of functions) invoker.invoke(fn, handlers[fn], { Records: [record] });
    }
  });

  const stack: LocalStack = {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: LOCAL_REGION,
    s3,
    client,
    store,
    trainer,
    scorer,
    config,
    notifications: notifier.sent,
    failures: invoker.failures,
    failureQueue,
    async redrive(redriveOptions = {}) {
      await stack.waitForIdle();
      const results = await redriveFailures({
        queue: failureQueue,
        replayer,
        isStackFunction: (name) => replayable[name] !== undefined,
        // Local invocations fail by throwing, which releases their claims; none is killed by a timeout.
        minAgeMs: 0,
        ...redriveOptions,
      });
      await stack.waitForIdle();
      return results;
    },
    async waitForIdle() {
      for (;;) {
        const before = invoker.started;
        while (alerts.size > 0) await Promise.allSettled([...alerts]);
        await invoker.idle();
        await trainer.idle();
        await scorer.idle();
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        if (invoker.started === before) {
          await invoker.idle();
          await trainer.idle();
          await scorer.idle();
          if (invoker.started === before && alerts.size === 0) return;
        }
      }
    },
    async stop() {
      while (alerts.size > 0) await Promise.allSettled([...alerts]);
      await invoker.idle();
      await trainer.idle();
      await scorer.idle();
      await invoker.idle();
      client.destroy();
      await s3.stop();
    },
  };
  return stack;
}

/** The merge handler, telling `step` what each invocation that finished concluded. */
function reportingOutcomes(handler: LambdaHandler, step: (step: LocalStep) => void): LambdaHandler {
  return async (event, context) => {
    const outcomes = (await handler(event, context)) as MergeOutcome[];
    for (const outcome of outcomes) step({ kind: 'merge-outcome', outcome });
    return outcomes;
  };
}

/** The SQS event the alert function gets for one message of the failure queue. */
function sqsEvent(message: FailureMessage) {
  return {
    Records: [{ messageId: message.id, body: message.body, messageAttributes: {}, eventSource: 'aws:sqs' }],
  };
}
