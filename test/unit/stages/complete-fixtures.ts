import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { keys, s3Uri } from '../../../lib/layout';
import { silentLogger } from '../../../lib/logger';
import type { RunManifest } from '../../../lib/manifest';
import type { PipelineEvent } from '../../../lib/notifications/events';
import type { ModelPackageInput, ModelRegistry, Notifier, TrainingBackend } from '../../../lib/ports';
import { type Config, readDefaults } from '../../../lib/settings/config';
import type { CompleteDeps } from '../../../lib/stages/deps';
import { readAwsEvent } from '../../support/aws-fixtures';
import { MemoryStore } from '../../support/memory-store';

/** A documented AWS event sample from the repository's copy (test/fixtures/aws/events). */
export function sharedEvent(name: string): Record<string, unknown> {
  return readAwsEvent<Record<string, unknown>>(name);
}

export const BUCKET = 'sagedrop-data-123456789012';
export const PREFIX = 'sagedrop-dev';
export const IMAGE = '685385470294.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1';

export const config: Config = {
  region: 'eu-west-1',
  bucket: BUCKET,
  jobPrefix: PREFIX,
  stackName: 'sagedrop-dev',
  sagemakerRoleArn: 'arn:aws:iam::123456789012:role/sagedrop-dev-sagemaker',
  topicArn: 'arn:aws:sns:eu-west-1:123456789012:sagedrop-dev',
  eventBusName: 'default',
  registerModels: true,
  defaults: readDefaults({}),
  logLevel: 'error',
};

export const jobName = (dataset: string, run: string) => `${PREFIX}--${dataset}--${run}`;

export function manifest(dataset: string, run: string): RunManifest {
  const input = (file: string) => ({
    key: keys.raw(dataset, file as 'x' | 'y'),
    versionId: `${file}-v1`,
    etag: `"${file}etag"`,
    size: 1200,
    lastModified: '2026-01-01T00:00:00.000Z',
  });
  const channel = (name: 'train' | 'validation') => ({
    prefix: keys.channelPrefix(dataset, run, name),
    files: [keys.channel(dataset, run, name)],
    rows: name === 'train' ? 120 : 30,
    bytes: 4000,
    labelFirst: true,
  });
  return {
    schemaVersion: '1.0',
    dataset,
    run,
    createdAt: '2026-01-01T00:00:05.000Z',
    bucket: BUCKET,
    inputs: { x: input('x'), y: input('y') },
    rows: { total: 150, train: 120, validation: 30, test: 0 },
    featureCount: 4,
    headerDropped: { x: true, y: true },
    labels: { distinct: ['0', '1', '2'], moreDistinct: false, numeric: true, integer: true, min: 0, max: 2 },
    settings: {
      algorithm: 'linear-learner',
      hyperparameters: { predictor_type: 'multiclass_classifier', num_classes: '3' },
      instanceType: 'ml.m5.large',
      instanceCount: 1,
      volumeSizeGb: 10,
      maxRuntimeSeconds: 3600,
      spot: false,
      validationFraction: 0.2,
      testFraction: 0,
      splitSeed: 'sagedrop',
    },
    channels: { train: channel('train'), validation: channel('validation') },
  };
}

export interface JobOptions {
  dataset?: string;
  run?: string;
  job?: string;
  status?: 'Completed' | 'Failed' | 'Stopped' | 'InProgress';
  secondaryStatus?: string;
  failureReason?: string;
  end?: string;
  spot?: boolean;
}

/** DescribeTrainingJob's answer for a job the train stage started. */
export function describeJob(options: JobOptions = {}): DescribeTrainingJobResponse {
  const dataset = options.dataset ?? 'iris';
  const run = options.run ?? 'r1';
  const job = options.job ?? jobName(dataset, run);
  const status = options.status ?? 'Completed';
  const end = new Date(options.end ?? '2026-01-01T01:00:00Z');
  const start = new Date(end.getTime() - 300_000);
  const failed = status === 'Failed' || status === 'Stopped';
  const transitions = [
    { Status: 'Starting', StartTime: new Date(start.getTime() - 120_000), EndTime: start },
    { Status: 'Downloading', StartTime: start, EndTime: new Date(start.getTime() + 30_000) },
    {
      Status: 'Training',
      StartTime: new Date(start.getTime() + 30_000),
      EndTime: end,
      StatusMessage: 'Training in progress',
    },
  ];
  if (status !== 'InProgress') {
    transitions.push({
      Status: options.secondaryStatus ?? status,
      StartTime: end,
      EndTime: end,
      StatusMessage: options.failureReason ?? `Training job ${status.toLowerCase()}`,
    });
  }
  const description: DescribeTrainingJobResponse = {
    TrainingJobName: job,
    TrainingJobArn: `arn:aws:sagemaker:eu-west-1:123456789012:training-job/${job}`,
    TrainingJobStatus: status,
    SecondaryStatus: (options.secondaryStatus ?? (status === 'InProgress' ? 'Training' : status)) as never,
    HyperParameters: { predictor_type: 'multiclass_classifier', num_classes: '3', feature_dim: '4' },
    AlgorithmSpecification: { TrainingImage: IMAGE, TrainingInputMode: 'File' },
    InputDataConfig: [
      {
        ChannelName: 'train',
        DataSource: {
          S3DataSource: {
            S3DataType: 'S3Prefix',
            S3Uri: s3Uri(BUCKET, keys.channelPrefix(dataset, run, 'train')),
          },
        },
      },
    ],
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600, ...(options.spot ? { MaxWaitTimeInSeconds: 7200 } : {}) },
    ModelArtifacts: failed
      ? undefined
      : { S3ModelArtifacts: s3Uri(BUCKET, keys.modelArtifact(dataset, job)) },
    CreationTime: new Date(start.getTime() - 120_000),
    TrainingStartTime: start,
    TrainingEndTime: status === 'InProgress' ? undefined : end,
    LastModifiedTime: end,
    SecondaryStatusTransitions: transitions as DescribeTrainingJobResponse['SecondaryStatusTransitions'],
    FinalMetricDataList: failed
      ? []
      : [
          { MetricName: 'validation:objective_loss', Value: 0.123456789, Timestamp: end },
          { MetricName: 'validation:multiclass_accuracy', Value: 0.96, Timestamp: end },
        ],
    EnableManagedSpotTraining: options.spot ?? false,
    TrainingTimeInSeconds: 300,
    BillableTimeInSeconds: options.spot ? 90 : 300,
  };
  if (options.failureReason) description.FailureReason = options.failureReason;
  return description;
}

/** The EventBridge event SageMaker sends for `description`, in one of the shapes seen in practice. */
export function stateChangeEvent(
  description: DescribeTrainingJobResponse,
  shape: { times?: 'iso' | 'ms' | 'seconds'; tags?: 'object' | 'list'; status?: string } = {},
) {
  const time = (date: Date | undefined) => {
    if (!date) return undefined;
    if (shape.times === 'ms') return date.getTime();
    if (shape.times === 'seconds') return date.getTime() / 1000;
    return date.toISOString();
  };
  const channel = description.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri ?? '';
  const parts = channel.split('/');
  const tags: Record<string, string> = {
    'sagedrop:dataset': parts[4] ?? '',
    'sagedrop:run': parts[5] ?? '',
    'sagedrop:stack': config.stackName,
  };
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: '2026-01-01T01:00:01Z',
    region: 'eu-west-1',
    resources: [description.TrainingJobArn],
    detail: {
      ...description,
      TrainingJobStatus: shape.status ?? description.TrainingJobStatus,
      CreationTime: time(description.CreationTime),
      TrainingStartTime: time(description.TrainingStartTime),
      TrainingEndTime: time(description.TrainingEndTime),
      LastModifiedTime: time(description.LastModifiedTime),
      SecondaryStatusTransitions: [],
      FinalMetricDataList: [],
      Tags: (shape.tags === 'list' ? Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) : tags) as
        | Record<string, string>
        | { Key: string; Value: string }[],
    },
  };
}

/** A TrainingBackend answering DescribeTrainingJob from a table of jobs. */
export function fakeTrainer(jobs: DescribeTrainingJobResponse[]): TrainingBackend & { describes: string[] } {
  const byName = new Map(jobs.map((j) => [j.TrainingJobName ?? '', j]));
  const describes: string[] = [];
  return {
    describes,
    async createTrainingJob() {
      throw new Error('the completion stage never starts jobs');
    },
    async describeTrainingJob(name) {
      describes.push(name);
      const job = byName.get(name);
      if (!job)
        throw Object.assign(new Error(`Requested resource not found: ${name}`), {
          name: 'ValidationException',
        });
      return job;
    },
  };
}

/** A registry that, like SageMaker's ClientToken, registers each token once. */
export function fakeRegistry(): ModelRegistry & {
  calls: ModelPackageInput[];
  packages: Map<string, string>;
} {
  const calls: ModelPackageInput[] = [];
  const packages = new Map<string, string>();
  return {
    calls,
    packages,
    async register(input) {
      calls.push(input);
      await new Promise((r) => setImmediate(r));
      let arn = packages.get(input.clientToken);
      if (!arn) {
        arn = `arn:aws:sagemaker:eu-west-1:123456789012:model-package/${input.groupName}/${packages.size + 1}`;
        packages.set(input.clientToken, arn);
      }
      return arn;
    },
  };
}

export function recordingNotifier(): Notifier & { sent: PipelineEvent[] } {
  const sent: PipelineEvent[] = [];
  return {
    sent,
    async notify(event) {
      sent.push(event);
    },
  };
}

/** A store holding the run's manifest and model artifact, and deps around it. */
export async function setup(jobs: DescribeTrainingJobResponse[], options: { registry?: boolean } = {}) {
  const store = new MemoryStore();
  for (const job of jobs) {
    const uri = job.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri ?? '';
    const [, , , , dataset = '', run = ''] = uri.split('/');
    await store.put(keys.manifest(dataset, run), JSON.stringify(manifest(dataset, run)));
    if (job.ModelArtifacts?.S3ModelArtifacts) {
      await store.put(keys.modelArtifact(dataset, job.TrainingJobName ?? ''), new Uint8Array(2048));
    }
  }
  const trainer = fakeTrainer(jobs);
  const registry = fakeRegistry();
  const notifier = recordingNotifier();
  const deps: CompleteDeps = { config, store, trainer, notifier, logger: silentLogger };
  if (options.registry !== false) deps.registry = registry;
  return { store, trainer, registry, notifier, deps };
}
