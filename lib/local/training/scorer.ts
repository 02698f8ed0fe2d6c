import { randomUUID } from 'node:crypto';
import type {
  CreateModelInput,
  CreateTransformJobRequest,
  DescribeTransformJobResponse,
} from '@aws-sdk/client-sagemaker';
import { type Logger, silentLogger } from '../../logger';
import { readLines } from '../../models/predictions';
import { type ObjectStore, readObject, type ScoringBackend, type StartResult } from '../../ports';
import { imageRepository, LOCAL_ALGORITHMS } from './algorithms';
import { type LocalModel, predictLine, readLocalModel } from './local-model';
import { type TransformStateChangeEvent, transformStateChangeEvent } from './transform-event';

export interface LocalScorerOptions {
  store: ObjectStore;
  /** The only bucket the store reaches; inputs and outputs must name it. */
  bucket: string;
  region?: string;
  accountId?: string;
  /** Receives "SageMaker Transform Job State Change" events as EventBridge would deliver them. */
  onStateChange?: (event: TransformStateChangeEvent) => void | Promise<void>;
  logger?: Logger;
  now?: () => Date;
}

export interface LocalScorer extends ScoringBackend {
  /** Resolves once every transform started so far has ended and its events were delivered. */
  idle(): Promise<void>;
  /** The requests received, oldest first: what a test validates against the API shapes. */
  readonly requests: { createModel: CreateModelInput[]; createTransformJob: CreateTransformJobRequest[] };
}

/** SageMaker's ValidationException / ResourceNotFound, by name. */
function sageMakerError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`${uri} is not an s3:// URI`);
  return { bucket: match[1] as string, key: match[2] as string };
}

/**
 * A local stand-in for SageMaker models and batch transform: the same
 * CreateModel / CreateTransformJob requests, run in this process on the
 * local trainer's `model.tar.gz`, writing `<output>/<input file>.out` in the
 * container's format (JSON lines for linear learner, CSV
 * `closest_cluster,distance_to_cluster` for k-means), and the same
 * EventBridge state-change events. Other images end in a Failed job.
 */
export function createLocalScorer(options: LocalScorerOptions): LocalScorer {
  const { store, bucket } = options;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const models = new Map<string, CreateModelInput>();
  const jobs = new Map<string, DescribeTransformJobResponse>();
  const running = new Set<Promise<void>>();
  const requests: LocalScorer['requests'] = { createModel: [], createTransformJob: [] };

  const emit = async (job: DescribeTransformJobResponse, tags: CreateTransformJobRequest['Tags']) => {
    await options.onStateChange?.(
      transformStateChangeEvent(job, tags ?? [], { region, accountId, id: randomUUID() }),
    );
  };

  const loadModel = async (name: string): Promise<LocalModel> => {
    const model = models.get(name);
    const container = model?.PrimaryContainer;
    const image = container?.Image ?? '';
    if (!(LOCAL_ALGORITHMS as readonly string[]).includes(imageRepository(image))) {
      throw new Error(`${image} runs on SageMaker only: locally, k-means and linear learner models score.`);
    }
    const location = parseS3Uri(container?.ModelDataUrl ?? '');
    if (location.bucket !== bucket)
      throw new Error(`ModelDataUrl ${container?.ModelDataUrl} is outside ${bucket}`);
    const ref = await store.head(location.key);
    if (!ref) throw new Error(`ClientError: ${container?.ModelDataUrl} does not exist`);
    return readLocalModel(await readObject(store, ref));
  };

  const transform = async (request: CreateTransformJobRequest, job: DescribeTransformJobResponse) => {
    const model = await loadModel(request.ModelName ?? '');
    const input = parseS3Uri(request.TransformInput?.DataSource?.S3DataSource?.S3Uri ?? '');
    const output = parseS3Uri(request.TransformOutput?.S3OutputPath ?? '');
    if (input.bucket !== bucket || output.bucket !== bucket)
      throw new Error(`ClientError: input and output must be in ${bucket}`);
    const accept = request.TransformOutput?.Accept ?? 'text/csv';
    if (model.algorithm === 'linear-learner' && accept !== 'application/jsonlines') {
      throw new Error(
        `ClientError: linear learner answers application/jsonlines or application/json, not ${accept}`,
      );
    }
    const filter = request.DataProcessing?.InputFilter;
    if (filter !== undefined && filter !== '$[1:]')
      throw new Error(`ClientError: the local transform applies InputFilter $[1:] only, not ${filter}`);
    const base = output.key === '' || output.key.endsWith('/') ? output.key : `${output.key}/`;
    for await (const ref of store.list(input.key)) {
      if (ref.key.endsWith('/') || ref.size === 0) continue;
      const lines: string[] = [];
      let row = 0;
      for await (const line of readLines(store.read(ref))) {
        row += 1;
        const values = line.split(',');
        const features = (filter ? values.slice(1) : values).map(Number);
        lines.push(predictLine(model, features, accept, `${ref.key} row ${row}`));
      }
      // Like SageMaker: one object per input file, written only once the whole file succeeded.
      const relative = ref.key.slice(input.key.length).replace(/^\//, '');
      await store.put(`${base}${relative}.out`, lines.length ? `${lines.join('\n')}\n` : '', {
        contentType: accept,
      });
    }
    job.TransformOutput = request.TransformOutput;
  };

  const run = async (request: CreateTransformJobRequest, job: DescribeTransformJobResponse) => {
    const name = request.TransformJobName ?? '';
    try {
      job.TransformStartTime = now();
      await transform(request, job);
      job.TransformJobStatus = 'Completed';
    } catch (error) {
      job.TransformJobStatus = 'Failed';
      const message = error instanceof Error ? error.message : String(error);
      job.FailureReason = (/^[A-Za-z]+Error:/.test(message) ? message : `AlgorithmError: ${message}`).slice(
        0,
        1024,
      );
      logger.warn('local transform failed', { job: name, reason: job.FailureReason });
    }
    job.TransformEndTime = now();
    await emit(job, request.Tags);
  };

  return {
    requests,
    async createModel(request) {
      requests.createModel.push(structuredClone(request));
      const name = request.ModelName ?? '';
      if (!NAME.test(name))
        throw sageMakerError('ValidationException', `ModelName "${name}" must match ${NAME.source}`);
      if (models.has(name)) return 'already-exists' satisfies StartResult;
      models.set(name, structuredClone(request));
      return 'started' satisfies StartResult;
    },
    async createTransformJob(request) {
      requests.createTransformJob.push(structuredClone(request));
      const name = request.TransformJobName ?? '';
      if (!NAME.test(name))
        throw sageMakerError('ValidationException', `TransformJobName "${name}" must match ${NAME.source}`);
      if (jobs.has(name)) return 'already-exists' satisfies StartResult;
      if (!models.has(request.ModelName ?? '')) {
        throw sageMakerError('ValidationException', `Could not find model "${request.ModelName}".`);
      }
      const job: DescribeTransformJobResponse = {
        TransformJobName: name,
        TransformJobArn: `arn:aws:sagemaker:${region}:${accountId}:transform-job/${name.toLowerCase()}`,
        TransformJobStatus: 'InProgress',
        ModelName: request.ModelName,
        MaxPayloadInMB: request.MaxPayloadInMB,
        BatchStrategy: request.BatchStrategy,
        TransformInput: request.TransformInput,
        TransformOutput: request.TransformOutput,
        TransformResources: request.TransformResources,
        DataProcessing: request.DataProcessing,
        CreationTime: now(),
      };
      jobs.set(name, job);
      const tracked = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => run(structuredClone(request), job))
        .catch((error: unknown) => logger.error('local scorer crashed', { job: name, error }));
      running.add(tracked);
      void tracked.finally(() => running.delete(tracked));
      return 'started' satisfies StartResult;
    },
    async describeTransformJob(name) {
      const job = jobs.get(name);
      if (!job) throw sageMakerError('ValidationException', `Could not find requested job with name ${name}`);
      return structuredClone(job);
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
