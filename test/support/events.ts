import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { readAwsEvent } from './aws-fixtures';
import { testConfig } from './config';

interface S3Sample {
  Records: {
    eventName: string;
    eventVersion: string;
    s3: { bucket: { name: string }; object: { key: string } };
  }[];
}

/** S3's key encoding in notifications: URL-encoded, space as `+`. */
export function encodeS3Key(key: string): string {
  return key
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%20/g, '+'))
    .join('/');
}

/**
 * The documented S3 put notification (test/fixtures/aws/events), one record
 * per key, in `bucket`. Keys are given as S3 writes them into the
 * notification: see {@link encodeS3Key}. `record` changes the event name
 * or version of every record.
 */
export function s3Notification(
  bucket: string,
  encodedKeys: string[],
  record: { eventName?: string; eventVersion?: string } = {},
): S3Sample {
  const [sample] = readAwsEvent<S3Sample>('s3-objectcreated-put.sample.json').Records;
  if (!sample) throw new Error('the S3 sample has no record');
  return {
    Records: encodedKeys.map((key) => ({
      ...sample,
      ...record,
      s3: {
        ...sample.s3,
        bucket: { ...sample.s3.bucket, name: bucket },
        object: { ...sample.s3.object, key },
      },
    })),
  };
}

/** The `s3:TestEvent` message S3 sends when a notification is configured. */
export function s3TestEvent(): unknown {
  return readAwsEvent('s3-test-event.sample.json');
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
    'sagedrop:stack': testConfig.stackName,
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
