import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import {
  type CreateTrainingJobRequest,
  type DescribeTrainingJobResponse,
  type SecondaryStatus,
  TrainingInstanceType,
  type TrainingJobStatus,
} from '@aws-sdk/client-sagemaker';
import { type Logger, silentLogger } from '../../logger';
import {
  type ObjectStore,
  type StartResult,
  type TrainingBackend,
  TrainingRequestRejectedError,
} from '../../ports';
import {
  type AlgorithmOutcome,
  type ChannelInput,
  imageRepository,
  LOCAL_ALGORITHMS,
  type LocalAlgorithm,
  labelColumns,
  TrainingInputError,
  trainKMeans,
  trainLinearLearner,
} from './algorithms';
import { NumericCsvError, readNumericCsv } from './numeric-csv';
import { createTarGz } from './tar';
import { type TrainingStateChangeEvent, trainingStateChangeEvent } from './training-event';

export interface LocalTrainerOptions {
  store: ObjectStore;
  /** The only bucket the store reaches; channels and outputs must name it. */
  bucket: string;
  region?: string;
  accountId?: string;
  /** Receives "SageMaker Training Job State Change" events as EventBridge would deliver them. */
  onStateChange?: (event: TrainingStateChangeEvent) => void | Promise<void>;
  logger?: Logger;
  now?: () => Date;
  /** How far a job's training has come (epochs or restarts), as it goes; local runs show it. */
  onProgress?: (progress: { job: string; done: number; total: number; unit: string }) => void;
}

export interface LocalTrainer extends TrainingBackend {
  /** Resolves once every job started so far has ended and its events were delivered. */
  idle(): Promise<void>;
  /** Names of every job created, oldest first. */
  jobNames(): string[];
}

const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const TRAINING_INSTANCE_TYPES: ReadonlySet<string> = new Set(Object.values(TrainingInstanceType));

/**
 * What SageMaker's ValidationException would say about `request`, or
 * `undefined` when the checks it shares with SageMaker pass: the job name and
 * an instance type offered for training (the SDK's list of them).
 */
function requestProblem(request: CreateTrainingJobRequest): string | undefined {
  const name = request.TrainingJobName ?? '';
  if (!JOB_NAME.test(name)) {
    return `Value '${name}' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${JOB_NAME.source}`;
  }
  const instanceType = request.ResourceConfig?.InstanceType;
  if (instanceType !== undefined && !TRAINING_INSTANCE_TYPES.has(instanceType)) {
    return `Value '${instanceType}' at 'resourceConfig.instanceType' failed to satisfy constraint: Member must be an instance type SageMaker offers for training (such as ml.m5.large)`;
  }
  return undefined;
}

interface Job {
  request: CreateTrainingJobRequest;
  describe: DescribeTrainingJobResponse;
}

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new TrainingInputError(`${uri} is not an s3:// URI`);
  return { bucket: match[1] as string, key: match[2] as string };
}

function supportedAlgorithm(request: CreateTrainingJobRequest): LocalAlgorithm | undefined {
  const image = request.AlgorithmSpecification?.TrainingImage ?? '';
  const repository = imageRepository(image);
  return (LOCAL_ALGORITHMS as readonly string[]).includes(repository)
    ? (repository as LocalAlgorithm)
    : undefined;
}

/**
 * A local stand-in for SageMaker training: the same request, really trained
 * in this process (k-means, linear learner), `model.tar.gz` written under the
 * output path, DescribeTrainingJob's answer and the EventBridge state-change
 * event. Any other image ends as a Failed job saying it runs on SageMaker only.
 */
export function createLocalTrainer(options: LocalTrainerOptions): LocalTrainer {
  const { store, bucket } = options;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const jobs = new Map<string, Job>();
  const running = new Set<Promise<void>>();

  const emit = async (job: Job) => {
    if (!options.onStateChange) return;
    const event = trainingStateChangeEvent(job.describe, job.request.Tags ?? [], {
      region,
      accountId,
      id: randomUUID(),
    });
    await options.onStateChange(event);
  };

  const transition = (job: Job, status: SecondaryStatus, message: string) => {
    const at = now();
    const transitions = job.describe.SecondaryStatusTransitions ?? [];
    const previous = transitions.at(-1);
    if (previous && !previous.EndTime) previous.EndTime = at;
    transitions.push({ Status: status, StartTime: at, StatusMessage: message });
    job.describe.SecondaryStatusTransitions = transitions;
    job.describe.SecondaryStatus = status;
    job.describe.LastModifiedTime = at;
  };

  const finish = (job: Job, status: TrainingJobStatus, secondary: SecondaryStatus, message: string) => {
    transition(job, secondary, message);
    const end = now();
    const last = job.describe.SecondaryStatusTransitions?.at(-1);
    if (last) last.EndTime = end;
    const started = job.describe.TrainingStartTime ?? job.describe.CreationTime ?? end;
    const seconds = Math.max(1, Math.ceil((end.getTime() - started.getTime()) / 1000));
    job.describe.TrainingJobStatus = status;
    job.describe.TrainingEndTime = end;
    job.describe.LastModifiedTime = end;
    job.describe.TrainingTimeInSeconds = seconds;
    job.describe.BillableTimeInSeconds = seconds;
  };

  const readChannels = async (job: Job): Promise<Map<string, ChannelInput>> => {
    const channels = new Map<string, ChannelInput>();
    for (const channel of job.request.InputDataConfig ?? []) {
      const name = channel.ChannelName ?? '';
      const source = channel.DataSource?.S3DataSource;
      if (!source?.S3Uri) throw new TrainingInputError(`Channel ${name} has no S3DataSource`);
      if (source.S3DataType && source.S3DataType !== 'S3Prefix') {
        throw new TrainingInputError(`Channel ${name}: the local trainer reads S3Prefix data sources only`);
      }
      const contentType = channel.ContentType ?? 'text/csv';
      if (!/^text\/csv\b/i.test(contentType)) {
        throw new TrainingInputError(
          `Channel ${name}: content type ${contentType} is not supported locally (text/csv)`,
        );
      }
      const location = parseS3Uri(source.S3Uri);
      if (location.bucket !== bucket) {
        throw new TrainingInputError(
          `Channel ${name}: ${source.S3Uri} is outside the local bucket ${bucket}`,
        );
      }
      const gzip = channel.CompressionType === 'Gzip';
      const sources = [];
      for await (const ref of store.list(location.key)) {
        if (ref.key.endsWith('/') || ref.size === 0) continue;
        const chunks = gzip ? Readable.from(store.read(ref)).pipe(createGunzip()) : store.read(ref);
        sources.push({ name: `s3://${bucket}/${ref.key}`, chunks });
      }
      if (sources.length === 0)
        throw new TrainingInputError(`Channel ${name}: no data under ${source.S3Uri}`);
      channels.set(name, {
        matrix: await readNumericCsv(sources),
        labelColumns: labelColumns(contentType),
      });
    }
    return channels;
  };

  const writeModel = async (job: Job, outcome: AlgorithmOutcome): Promise<string> => {
    const output = job.request.OutputDataConfig?.S3OutputPath ?? '';
    const location = parseS3Uri(output);
    if (location.bucket !== bucket) {
      throw new TrainingInputError(`S3OutputPath ${output} is outside the local bucket ${bucket}`);
    }
    const base = location.key === '' || location.key.endsWith('/') ? location.key : `${location.key}/`;
    const key = `${base}${job.request.TrainingJobName}/output/model.tar.gz`;
    const model = { format: 'sagedrop-local-model/1', trainedAt: now().toISOString(), ...outcome.model };
    const archive = createTarGz([
      {
        name: 'model.json',
        data: Buffer.from(`${JSON.stringify(model, null, 2)}\n`),
        mtime: now().getTime() / 1000,
      },
    ]);
    await store.put(key, archive, { contentType: 'application/x-gzip' });
    return `s3://${bucket}/${key}`;
  };

  const train = async (job: Job) => {
    const name = job.request.TrainingJobName ?? '';
    const log = logger.child({ job: name });
    job.describe.TrainingJobStatus = 'InProgress';
    await emit(job);
    const algorithm = supportedAlgorithm(job.request);
    try {
      if (!algorithm) {
        const image = job.request.AlgorithmSpecification?.TrainingImage ?? 'this algorithm';
        throw new TrainingInputError(
          `${image} runs on SageMaker only: the local trainer trains the built-in ${LOCAL_ALGORITHMS.join(' and ')} algorithms. Deploy with sls deploy to train it.`,
        );
      }
      job.describe.TrainingStartTime = now();
      transition(job, 'Downloading', 'Downloading input data');
      const channels = await readChannels(job);
      transition(job, 'Training', 'Training image download completed. Training in progress.');
      await new Promise((resolve) => setImmediate(resolve));
      const hp = job.request.HyperParameters ?? {};
      const progress = (done: number, total: number, unit: string) =>
        options.onProgress?.({ job: name, done, total, unit });
      const outcome =
        algorithm === 'kmeans'
          ? await trainKMeans(hp, channels, progress)
          : trainLinearLearner(hp, channels, progress);
      transition(job, 'Uploading', 'Uploading generated training model');
      const artifact = await writeModel(job, outcome);
      const at = now();
      job.describe.ModelArtifacts = { S3ModelArtifacts: artifact };
      job.describe.FinalMetricDataList = Object.entries(outcome.metrics).map(([MetricName, Value]) => ({
        MetricName,
        Value,
        Timestamp: at,
      }));
      const limit = job.request.StoppingCondition?.MaxRuntimeInSeconds;
      const elapsed = (at.getTime() - (job.describe.TrainingStartTime?.getTime() ?? at.getTime())) / 1000;
      if (limit !== undefined && elapsed > limit) {
        finish(
          job,
          'Stopped',
          'MaxRuntimeExceeded',
          `Training job stopped: it ran longer than ${limit} seconds`,
        );
      } else {
        finish(job, 'Completed', 'Completed', 'Training job completed');
      }
      log.info('local training done', { algorithm, metrics: outcome.metrics });
    } catch (error) {
      const known = error instanceof TrainingInputError || error instanceof NumericCsvError;
      const reason = `${known ? 'ClientError' : 'AlgorithmError'}: ${error instanceof Error ? error.message : String(error)}`;
      job.describe.FailureReason = reason.slice(0, 1024);
      finish(job, 'Failed', 'Failed', 'Training job failed');
      log.warn('local training failed', { reason, error: known ? undefined : error });
    }
    await emit(job);
  };

  return {
    async createTrainingJob(request) {
      const name = request.TrainingJobName ?? '';
      const problem = requestProblem(request);
      if (problem) throw new TrainingRequestRejectedError(`1 validation error detected: ${problem}`);
      if (jobs.has(name)) return 'already-exists' satisfies StartResult;
      const created = now();
      const job: Job = {
        request: structuredClone(request),
        describe: {
          TrainingJobName: name,
          TrainingJobArn: `arn:aws:sagemaker:${region}:${accountId}:training-job/${name.toLowerCase()}`,
          TrainingJobStatus: 'InProgress',
          SecondaryStatus: 'Starting',
          HyperParameters: { ...(request.HyperParameters ?? {}) },
          AlgorithmSpecification: request.AlgorithmSpecification,
          RoleArn: request.RoleArn,
          InputDataConfig: request.InputDataConfig,
          OutputDataConfig: request.OutputDataConfig,
          ResourceConfig: request.ResourceConfig,
          StoppingCondition: request.StoppingCondition,
          EnableManagedSpotTraining: request.EnableManagedSpotTraining ?? false,
          CreationTime: created,
          LastModifiedTime: created,
          SecondaryStatusTransitions: [],
          ModelArtifacts: undefined,
        },
      };
      transition(job, 'Starting', 'Preparing the instances for training');
      jobs.set(name, job);
      const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() => train(job));
      const tracked = run.catch((error: unknown) =>
        logger.error('local trainer crashed', { job: name, error }),
      );
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
      return 'started' satisfies StartResult;
    },

    async describeTrainingJob(name) {
      const job = jobs.get(name);
      if (!job) {
        const error = new Error(`Requested resource not found: training job ${name}`);
        error.name = 'ValidationException';
        throw error;
      }
      return structuredClone(job.describe);
    },

    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },

    jobNames: () => [...jobs.keys()],
  };
}
