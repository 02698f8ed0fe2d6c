import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { TERMINAL_STATUSES, type TerminalStatus, trainChannelUri } from '../events/sagemaker';

/** One step of a job's life as SageMaker reports it (Starting, Downloading, Training...). */
export interface JobStep {
  status: string;
  startTime?: string;
  endTime?: string;
  message?: string;
}

/** A finished training job, reduced to what the catalog and the notification need. */
export interface FinishedJob {
  job: string;
  jobArn?: string;
  status: TerminalStatus;
  secondaryStatus?: string;
  failureReason?: string;
  /** On Failed or Stopped: the last step that was under way, e.g. `Training`. */
  failedStep?: JobStep;
  image?: string;
  /** Set instead of `image` for marketplace or own algorithm resources. */
  algorithmName?: string;
  hyperparameters: Record<string, string>;
  instanceType?: string;
  instanceCount?: number;
  maxRuntimeSeconds?: number;
  maxWaitSeconds?: number;
  spot: boolean;
  /** `s3://.../model.tar.gz` when the job wrote one. */
  modelArtifact?: string;
  metrics: Record<string, number>;
  trainingSeconds?: number;
  billableSeconds?: number;
  /** Fraction of the on-demand cost saved by spot training: 1 - billable / training. */
  spotSavings?: number;
  createdAt?: string;
  trainingStartedAt?: string;
  trainingEndedAt?: string;
  lastModifiedAt?: string;
  steps: JobStep[];
  trainChannelUri?: string;
}

/** Secondary statuses that end a job rather than being a step of its work. */
const ENDING_STEPS = new Set([
  'Completed',
  'Failed',
  'Stopped',
  'Stopping',
  'MaxRuntimeExceeded',
  'MaxWaitTimeExceeded',
]);

const iso = (date: Date | undefined) => (date ? date.toISOString() : undefined);

/** Keys sorted, so the same job always serialises to the same bytes. */
function sortedRecord<T>(record: Record<string, T> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Spot savings rounded to 0.01 %, or `undefined` when there is nothing to compare. */
export function spotSavings(spot: boolean, trainingSeconds?: number, billableSeconds?: number) {
  if (!spot || !trainingSeconds || billableSeconds === undefined) return undefined;
  return Math.max(0, Math.round((1 - billableSeconds / trainingSeconds) * 10_000) / 10_000);
}

/**
 * The finished job as DescribeTrainingJob reports it, or `undefined` while
 * the job is not in a terminal state. Pure and deterministic: the same
 * description always gives the same summary.
 */
export function summariseTrainingJob(description: DescribeTrainingJobResponse): FinishedJob | undefined {
  const status = description.TrainingJobStatus;
  if (!status || !(TERMINAL_STATUSES as readonly string[]).includes(status)) return undefined;
  const steps = (description.SecondaryStatusTransitions ?? []).map((t) =>
    withoutUndefined<JobStep>({
      status: t.Status ?? 'Unknown',
      startTime: iso(t.StartTime),
      endTime: iso(t.EndTime),
      message: t.StatusMessage,
    }),
  );
  const spot = description.EnableManagedSpotTraining === true;
  const metrics: Record<string, number> = {};
  for (const metric of description.FinalMetricDataList ?? []) {
    if (metric.MetricName && typeof metric.Value === 'number' && Number.isFinite(metric.Value)) {
      metrics[metric.MetricName] = metric.Value;
    }
  }
  const failedStep =
    status === 'Completed' ? undefined : [...steps].reverse().find((s) => !ENDING_STEPS.has(s.status));
  return withoutUndefined<FinishedJob>({
    job: description.TrainingJobName ?? '',
    jobArn: description.TrainingJobArn,
    status: status as TerminalStatus,
    secondaryStatus: description.SecondaryStatus,
    failureReason: description.FailureReason,
    failedStep,
    image: description.AlgorithmSpecification?.TrainingImage,
    algorithmName: description.AlgorithmSpecification?.AlgorithmName,
    hyperparameters: sortedRecord(description.HyperParameters),
    instanceType: description.ResourceConfig?.InstanceType,
    instanceCount: description.ResourceConfig?.InstanceCount,
    maxRuntimeSeconds: description.StoppingCondition?.MaxRuntimeInSeconds,
    maxWaitSeconds: description.StoppingCondition?.MaxWaitTimeInSeconds,
    spot,
    modelArtifact: description.ModelArtifacts?.S3ModelArtifacts,
    metrics: sortedRecord(metrics),
    trainingSeconds: description.TrainingTimeInSeconds,
    billableSeconds: description.BillableTimeInSeconds,
    spotSavings: spotSavings(spot, description.TrainingTimeInSeconds, description.BillableTimeInSeconds),
    createdAt: iso(description.CreationTime),
    trainingStartedAt: iso(description.TrainingStartTime),
    trainingEndedAt: iso(description.TrainingEndTime),
    lastModifiedAt: iso(description.LastModifiedTime),
    steps,
    trainChannelUri: trainChannelUri(description.InputDataConfig),
  });
}
