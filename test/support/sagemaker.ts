import type { CreateTrainingJobRequest, DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { keys, s3Uri } from '../../lib/layout';
import {
  type ApprovalStatus,
  type ModelPackageInput,
  type ModelRegistry,
  type StartResult,
  type TrainingBackend,
  TrainingRequestRejectedError,
} from '../../lib/ports';
import { createTrainingJobProblems } from './botocore-validator';
import { testConfig } from './config';

/** The linear learner image of eu-west-1, as jobs of the test stack run it. */
export const IMAGE = '685385470294.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1';

/** The name the train stage gives the job of a run of the test stack (short names: no hash). */
export const jobName = (dataset: string, run: string) => `${testConfig.jobPrefix}--${dataset}--${run}`;

/**
 * SageMaker as the stages see it. CreateTrainingJob refuses requests its
 * service model would refuse and, like SageMaker, a second job of the same
 * name (case-insensitively) is what the adapter makes of `ResourceInUse`.
 * DescribeTrainingJob answers from the descriptions it was given, then
 * "InProgress" for jobs it created, else as SageMaker does for an unknown job.
 */
export class FakeSageMaker implements TrainingBackend {
  /** Requests of the jobs created, by lower-cased name. */
  readonly jobs = new Map<string, CreateTrainingJobRequest>();
  /** Names asked of DescribeTrainingJob, in order. */
  readonly describes: string[] = [];
  /** CreateTrainingJob calls, failed ones included. */
  calls = 0;
  /** Thrown by the next createTrainingJob calls, in order. */
  readonly failures: unknown[] = [];
  private readonly described: Map<string, DescribeTrainingJobResponse>;

  constructor(descriptions: DescribeTrainingJobResponse[] = []) {
    this.described = new Map(descriptions.map((d) => [d.TrainingJobName ?? '', d]));
  }

  /** DescribeTrainingJob answers `description` for its job from now on. */
  answer(description: DescribeTrainingJobResponse): void {
    this.described.set(description.TrainingJobName ?? '', description);
  }

  async createTrainingJob(request: CreateTrainingJobRequest): Promise<StartResult> {
    this.calls += 1;
    await new Promise((resolve) => setImmediate(resolve));
    const failure = this.failures.shift();
    if (failure) throw failure;
    const problems = createTrainingJobProblems(request);
    if (problems.length > 0) throw new TrainingRequestRejectedError(problems.join('; '));
    const name = request.TrainingJobName?.toLowerCase() ?? '';
    if (this.jobs.has(name)) return 'already-exists';
    this.jobs.set(name, request);
    return 'started';
  }

  async describeTrainingJob(name: string): Promise<DescribeTrainingJobResponse> {
    this.describes.push(name);
    const described = this.described.get(name);
    if (described) return described;
    const request = this.jobs.get(name.toLowerCase());
    if (request) {
      return {
        TrainingJobName: request.TrainingJobName,
        TrainingJobStatus: 'InProgress',
      } as DescribeTrainingJobResponse;
    }
    throw Object.assign(new Error(`Requested resource not found: ${name}`), { name: 'ValidationException' });
  }
}

/** A model registry that, like SageMaker's ClientToken, registers each token once. */
export class FakeRegistry implements ModelRegistry {
  /** Every register call, repeats included. */
  readonly calls: ModelPackageInput[] = [];
  /** Package ARNs by client token. */
  readonly packages = new Map<string, string>();
  /** Every UpdateModelPackage approval, by package ARN, in order. */
  readonly approvals = new Map<string, { status: ApprovalStatus; description: string }[]>();

  async setApproval(arn: string, status: ApprovalStatus, description: string): Promise<void> {
    this.approvals.set(arn, [...(this.approvals.get(arn) ?? []), { status, description }]);
  }

  /** The approval status of a registered package: PendingManualApproval until set otherwise. */
  approvalOf(arn: string): ApprovalStatus | undefined {
    if (![...this.packages.values()].includes(arn)) return undefined;
    return this.approvals.get(arn)?.at(-1)?.status ?? 'PendingManualApproval';
  }

  async register(input: ModelPackageInput): Promise<string> {
    this.calls.push(input);
    await new Promise((r) => setImmediate(r));
    let arn = this.packages.get(input.clientToken);
    if (!arn) {
      arn = `arn:aws:sagemaker:${testConfig.region}:123456789012:model-package/${input.groupName}/${this.packages.size + 1}`;
      this.packages.set(input.clientToken, arn);
    }
    return arn;
  }
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
            S3Uri: s3Uri(testConfig.bucket, keys.channelPrefix(dataset, run, 'train')),
          },
        },
      },
    ],
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600, ...(options.spot ? { MaxWaitTimeInSeconds: 7200 } : {}) },
    ModelArtifacts: failed
      ? undefined
      : { S3ModelArtifacts: s3Uri(testConfig.bucket, keys.modelArtifact(dataset, job)) },
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
