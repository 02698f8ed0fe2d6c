import type { DescribeTrainingJobResponse, Tag } from '@aws-sdk/client-sagemaker';

export const TRAINING_EVENT_SOURCE = 'aws.sagemaker';
export const TRAINING_EVENT_DETAIL_TYPE = 'SageMaker Training Job State Change';

/** The EventBridge event SageMaker sends on each training job state change. */
export interface TrainingStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': typeof TRAINING_EVENT_DETAIL_TYPE;
  source: typeof TRAINING_EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** Dates become epoch milliseconds, as SageMaker's events carry them. */
function withEpochTimes(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(withEpochTimes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withEpochTimes(v)]),
    );
  }
  return value;
}

/**
 * The state-change event for a job as DescribeTrainingJob shows it now: the
 * detail repeats the job's description (times in epoch milliseconds) and its
 * tags as a `[{Key, Value}]` list, like the events SageMaker publishes.
 */
export function trainingStateChangeEvent(
  describe: DescribeTrainingJobResponse,
  tags: Tag[],
  context: { region: string; accountId: string; id: string; time?: Date },
): TrainingStateChangeEvent {
  const detail = withEpochTimes(describe) as Record<string, unknown>;
  detail.Tags = tags.map((tag) => ({ Key: tag.Key, Value: tag.Value }));
  return {
    version: '0',
    id: context.id,
    'detail-type': TRAINING_EVENT_DETAIL_TYPE,
    source: TRAINING_EVENT_SOURCE,
    account: context.accountId,
    time: (context.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: context.region,
    resources: describe.TrainingJobArn ? [describe.TrainingJobArn] : [],
    detail,
  };
}
