import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { createCompleteHandler } from '../../handlers/complete';
import { createMergeHandler } from '../../handlers/merge';
import { createTrainHandler } from '../../handlers/train';
import { decodeS3Key } from '../../lib/events/s3';
import { functionsTriggeredBy, matchesEventPattern, trainingJobPattern } from '../../lib/events/triggers';
import { parseChannelUri } from '../../lib/layout';
import {
  createInvoker,
  type FailedInvocation,
  type Invoker,
  type LambdaHandler,
} from '../../lib/local/invoker';
import { createLocalNotifier, type LocalNotifier } from '../../lib/local/notifier';
import { localConfig } from '../../lib/local/runtime';
import { createLocalStore } from '../../lib/local/s3-adapter';
import { type LocalS3, type S3Notification, startLocalS3 } from '../../lib/local/s3-server';
import { createRandom } from '../../lib/local/training/random';
import { createLocalTrainer, type LocalTrainer } from '../../lib/local/training/trainer';
import type { TrainingStateChangeEvent } from '../../lib/local/training/training-event';
import { silentLogger } from '../../lib/logger';
import type { ObjectStore } from '../../lib/ports';
import type { Config } from '../../lib/settings/config';
import type { Deps } from '../../lib/stages/deps';
import { type FunctionName, InvocationFaults } from '../support/faults/invocation-faults';
import { type S3FaultProxy, startS3FaultProxy } from '../support/faults/s3-fault-proxy';
import { createSageMakerFaults, type SageMakerFaults } from '../support/faults/sagemaker-faults';
import { DeliveryFaults } from './delivery-faults';
import { RaceMeter } from './race-meter';

/** S3's smallest part size: big datasets then really go through UploadPart. */
const PART_SIZE = 5 * 1024 * 1024;

export interface FaultyStack {
  config: Config;
  bucket: string;
  s3: LocalS3;
  /** What the functions reach S3 through. */
  proxy: S3FaultProxy;
  /** Straight to the server: user uploads, the trainer (SageMaker reads S3 itself) and the checks. */
  direct: ObjectStore;
  directClient: S3Client;
  trainer: LocalTrainer;
  sagemaker: SageMakerFaults;
  invocations: InvocationFaults;
  delivery: DeliveryFaults;
  races: RaceMeter;
  notifier: LocalNotifier;
  invoker: Invoker;
  /** The on-failure destination: events whose every attempt failed. */
  failures: FailedInvocation[];
  /** Attempts that failed and were retried by "Lambda". */
  retried: { count: number };
  handlers: Record<FunctionName, LambdaHandler>;
  /** The dataset of a job the functions asked for. */
  jobDataset(job: string): string | undefined;
  /** Redelivers everything in the on-failure queue as a new invocation (an operator's redrive). */
  redrive(): FailedInvocation[];
  waitForIdle(): Promise<void>;
  stop(): Promise<void>;
}

export interface FaultyStackOptions {
  seed: number;
  retryDelayMs?: number;
}

/**
 * The local stack as `lib/local/runtime.ts` wires it (the same handlers,
 * filters, event pattern, invoker with Lambda's retries, local trainer), with
 * every seam a fault can enter through opened up: the functions' S3 traffic
 * goes through a fault proxy, SageMaker through the real adapter over a
 * throttling stand-in, each invocation can be killed, and S3 and EventBridge
 * deliveries can be duplicated, delayed, held back and replayed.
 */
export async function startFaultyStack(options: FaultyStackOptions): Promise<FaultyStack> {
  const dir = await mkdtemp(join(tmpdir(), 'sagedrop-reliability-'));
  const s3 = await startLocalS3({ dir, onListenerError: (error) => console.error('S3 listener', error) });
  const proxy = await startS3FaultProxy(s3.endpoint);
  // Queueing for a socket is expected when hundreds of invocations share one process: not worth a warning.
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const directClient = new S3Client({ ...s3.clientConfig, maxAttempts: 5, logger: quiet });
  const direct = createLocalStore(directClient, s3.bucket, { partSize: PART_SIZE });
  const functionClient = new S3Client({ ...s3.clientConfig, endpoint: proxy.endpoint, logger: quiet });
  const invocations = new InvocationFaults();
  const functionStore = invocations.store(
    createLocalStore(functionClient, s3.bucket, { partSize: PART_SIZE }),
  );
  const config = localConfig(s3.bucket);
  const notifier = createLocalNotifier();
  const retried = { count: 0 };
  const invoker = createInvoker({
    region: s3.region,
    retryDelayMs: options.retryDelayMs ?? 5,
    onAttemptFailed: (failure) => {
      if (!failure.final) retried.count += 1;
    },
  });
  const pattern = trainingJobPattern(config.jobPrefix);
  const races = new RaceMeter();
  let delivery: DeliveryFaults | undefined;
  const trainer = createLocalTrainer({
    store: direct,
    bucket: s3.bucket,
    region: s3.region,
    onStateChange: (event) => {
      const delivered = JSON.parse(JSON.stringify(event)) as TrainingStateChangeEvent;
      if (matchesEventPattern(pattern, delivered)) delivery?.training(delivered);
    },
  });
  const sagemaker = createSageMakerFaults(trainer);
  const deps = (): Deps => ({
    config,
    store: functionStore,
    trainer: invocations.trainer(sagemaker.trainer),
    notifier: invocations.notifier(notifier),
    logger: silentLogger,
  });
  const handlers: Record<FunctionName, LambdaHandler> = {
    merge: invocations.wrap('merge', createMergeHandler(deps), (event) => races.enter(event)),
    train: invocations.wrap('train', createTrainHandler(deps)),
    complete: invocations.wrap('complete', createCompleteHandler(deps)),
  };
  delivery = new DeliveryFaults(createRandom(options.seed), (fn, event) =>
    invoker.invoke(fn, handlers[fn], event),
  );
  const deliveries = delivery;

  s3.onObjectCreated((notification: S3Notification) => {
    for (const record of notification.Records) {
      // The harness drives the training pipeline; scoring uploads are not part of it.
      for (const fn of functionsTriggeredBy(decodeS3Key(record.s3.object.key))) {
        if (fn !== 'predict') deliveries.s3(fn, { Records: [record] });
      }
    }
  });

  const stack: FaultyStack = {
    config,
    bucket: s3.bucket,
    s3,
    proxy,
    direct,
    directClient,
    trainer,
    sagemaker,
    invocations,
    delivery: deliveries,
    races,
    notifier,
    invoker,
    failures: invoker.failures,
    retried,
    handlers,
    jobDataset(job) {
      const request = sagemaker.requests.find((r) => r.TrainingJobName === job);
      return request ? datasetOfRequest(request) : undefined;
    },
    redrive() {
      const queued = invoker.failures.splice(0);
      for (const failure of queued) {
        invoker.invoke(failure.fn, handlers[failure.fn as FunctionName], failure.event);
      }
      return queued;
    },
    async waitForIdle() {
      for (;;) {
        const before = invoker.started;
        await deliveries.settled();
        await invoker.idle();
        await trainer.idle();
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (invoker.started === before && deliveries.inFlight() === 0) return;
      }
    },
    async stop() {
      proxy.clear();
      invocations.clear();
      sagemaker.clear();
      await stack.waitForIdle();
      functionClient.destroy();
      directClient.destroy();
      await proxy.stop();
      await s3.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** The dataset a training request trains on, from its train channel's URI. */
export function datasetOfRequest(request: CreateTrainingJobRequest): string | undefined {
  const train = request.InputDataConfig?.find((channel) => channel.ChannelName === 'train');
  const uri = train?.DataSource?.S3DataSource?.S3Uri;
  return uri ? parseChannelUri(uri)?.dataset : undefined;
}
