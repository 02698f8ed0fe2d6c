import type { DescribeTransformJobResponse, Tag } from '@aws-sdk/client-sagemaker';
import { TRANSFORM_JOB_STATE_CHANGE } from '../../events/scoring';

/** The EventBridge event SageMaker sends on each transform job state change. */
export interface TransformStateChangeEvent {
  version: '0';
  id: string;
  'detail-type': typeof TRANSFORM_JOB_STATE_CHANGE;
  source: 'aws.sagemaker';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

function withIsoTimes(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) return value.map(withIsoTimes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, withIsoTimes(v)]),
    );
  }
  return value;
}

/**
 * The state-change event for a transform job as DescribeTransformJob shows it
 * now, shaped like the documented sample: the description as the detail,
 * times as ISO strings, and the job's tags.
 */
export function transformStateChangeEvent(
  describe: DescribeTransformJobResponse,
  tags: Tag[],
  context: { region: string; accountId: string; id: string; time?: Date },
): TransformStateChangeEvent {
  const detail = withIsoTimes(describe) as Record<string, unknown>;
  detail.Tags = Object.fromEntries(tags.map((tag) => [tag.Key, tag.Value]));
  return {
    version: '0',
    id: context.id,
    'detail-type': TRANSFORM_JOB_STATE_CHANGE,
    source: 'aws.sagemaker',
    account: context.accountId,
    time: (context.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: context.region,
    resources: describe.TransformJobArn ? [describe.TransformJobArn] : [],
    detail,
  };
}
