import type {
  CreateModelInput,
  CreateTransformJobRequest,
  DescribeTransformJobResponse,
} from '@aws-sdk/client-sagemaker';
import { readLines } from '../../lib/models/predictions';
import type { ScoringBackend, StartResult } from '../../lib/ports';
import { readAwsEvent } from './aws-fixtures';
import { scoringRequestProblems } from './botocore-validator';
import { testConfig } from './config';
import type { MemoryStore } from './memory-store';

/** How a fake model answers a test row: right for the first `correct` rows of each file, wrong after. */
export interface FakeModelQuality {
  /** Fraction of the rows (0..1) it classifies right. */
  accuracy: number;
  /** The classes it chooses among (wrong answers are the next class). Default 3. */
  classes?: number;
}

export interface TransformOutcome {
  status: 'Completed' | 'Failed' | 'Stopped';
  failureReason?: string;
}

/**
 * SageMaker's models and batch transform in memory, over a MemoryStore.
 * CreateModel and CreateTransformJob refuse requests the service model would
 * refuse, and a second one of the same name is `already-exists`. A transform
 * stays InProgress until the test ends it with {@link FakeScoring.finish},
 * which writes `<output>/<input file>.out` in linear learner's JSON lines (the
 * model's quality set by {@link FakeScoring.quality}) and returns the
 * EventBridge event SageMaker would send.
 */
export class FakeScoring implements ScoringBackend {
  readonly models = new Map<string, CreateModelInput>();
  readonly transforms = new Map<
    string,
    { request: CreateTransformJobRequest; status: string; reason?: string }
  >();
  /** Every call, in order, e.g. `CreateTransformJob <name>`. */
  readonly calls: string[] = [];
  /** The answers of each model, by model name (a training job's name). */
  readonly quality = new Map<string, FakeModelQuality>();

  constructor(private readonly store: MemoryStore) {}

  private check(shape: 'CreateModelInput' | 'CreateTransformJobRequest', request: unknown): void {
    const problems = scoringRequestProblems(shape, request);
    if (problems.length > 0) {
      throw Object.assign(new Error(`invalid ${shape}: ${problems.join('; ')}`), {
        name: 'ValidationException',
      });
    }
  }

  async createModel(request: CreateModelInput): Promise<StartResult> {
    this.check('CreateModelInput', request);
    this.calls.push(`CreateModel ${request.ModelName}`);
    await new Promise((resolve) => setImmediate(resolve));
    if (this.models.has(request.ModelName ?? '')) return 'already-exists';
    this.models.set(request.ModelName ?? '', request);
    return 'started';
  }

  async createTransformJob(request: CreateTransformJobRequest): Promise<StartResult> {
    this.check('CreateTransformJobRequest', request);
    this.calls.push(`CreateTransformJob ${request.TransformJobName}`);
    await new Promise((resolve) => setImmediate(resolve));
    const name = request.TransformJobName ?? '';
    if (this.transforms.has(name)) return 'already-exists';
    if (!this.models.has(request.ModelName ?? '')) {
      throw Object.assign(new Error(`Could not find model "${request.ModelName}".`), {
        name: 'ValidationException',
      });
    }
    this.transforms.set(name, { request, status: 'InProgress' });
    return 'started';
  }

  async describeTransformJob(name: string): Promise<DescribeTransformJobResponse> {
    this.calls.push(`DescribeTransformJob ${name}`);
    const job = this.transforms.get(name);
    if (!job) {
      throw Object.assign(new Error(`Could not find requested job with name ${name}`), {
        name: 'ValidationException',
      });
    }
    const described: DescribeTransformJobResponse = {
      TransformJobName: name,
      TransformJobArn: `arn:aws:sagemaker:${testConfig.region}:123456789012:transform-job/${name}`,
      TransformJobStatus: job.status as DescribeTransformJobResponse['TransformJobStatus'],
      ModelName: job.request.ModelName,
      TransformInput: job.request.TransformInput,
      TransformOutput: job.request.TransformOutput,
      TransformResources: job.request.TransformResources,
      CreationTime: new Date('2026-01-01T01:02:00Z'),
    };
    if (job.reason) described.FailureReason = job.reason;
    return described;
  }

  /** Names of the transforms created, in order. */
  transformNames(): string[] {
    return [...this.transforms.keys()];
  }

  /**
   * Ends transform `name` as SageMaker would: on Completed, the output of every
   * input file first, then the status. Returns the state-change event.
   */
  async finish(name: string, outcome: TransformOutcome = { status: 'Completed' }): Promise<unknown> {
    const job = this.transforms.get(name);
    if (!job) throw new Error(`no transform ${name}`);
    if (outcome.status === 'Completed') await this.writeOutput(job.request);
    job.status = outcome.status;
    if (outcome.failureReason) job.reason = outcome.failureReason;
    return this.event(name);
  }

  /** The "SageMaker Transform Job State Change" event of the transform as it stands (or with `status`). */
  async event(name: string, status?: string): Promise<unknown> {
    const sample = readAwsEvent<{ detail: Record<string, unknown> }>(
      'sagemaker-transform-job-state-change.sample.json',
    );
    const described = await this.describeTransformJob(name);
    return {
      ...sample,
      resources: [described.TransformJobArn],
      detail: {
        ...sample.detail,
        ...JSON.parse(JSON.stringify(described)),
        TransformJobStatus: status ?? described.TransformJobStatus,
      },
    };
  }

  private async writeOutput(request: CreateTransformJobRequest): Promise<void> {
    const model = request.ModelName ?? '';
    const quality = this.quality.get(model);
    if (!quality) throw new Error(`the test gave model ${model} no quality`);
    const classes = quality.classes ?? 3;
    const input = request.TransformInput?.DataSource?.S3DataSource?.S3Uri ?? '';
    const output = request.TransformOutput?.S3OutputPath ?? '';
    const bucketPrefix = `s3://${testConfig.bucket}/`;
    const inputPrefix = input.slice(bucketPrefix.length);
    const outputPrefix = output.slice(bucketPrefix.length).replace(/\/?$/, '/');
    for (const key of this.store.keys().filter((k) => k.startsWith(inputPrefix))) {
      const rows: number[] = [];
      for await (const line of readLines(this.readAll(key))) rows.push(Number(line.split(',')[0]));
      const correct = Math.round(quality.accuracy * rows.length);
      const lines = rows.map((label, i) => {
        const predicted = i < correct ? label : (label + 1) % classes;
        return JSON.stringify({ score: [0.1, 0.2, 0.7], predicted_label: predicted });
      });
      const file = key.slice(key.lastIndexOf('/') + 1);
      await this.store.put(`${outputPrefix}${file}.out`, `${lines.join('\n')}\n`);
    }
  }

  private async *readAll(key: string): AsyncIterable<Uint8Array> {
    const ref = await this.store.head(key);
    if (ref) yield* this.store.read(ref);
  }
}
