import { readAwsEvent } from './aws-fixtures';

interface S3Sample {
  Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
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
 * notification: see {@link encodeS3Key}.
 */
export function s3Notification(
  bucket: string,
  encodedKeys: string[],
  eventName = 'ObjectCreated:Put',
): S3Sample {
  const [record] = readAwsEvent<S3Sample>('s3-objectcreated-put.sample.json').Records;
  if (!record) throw new Error('the S3 sample has no record');
  return {
    Records: encodedKeys.map((key) => ({
      ...record,
      eventName,
      s3: {
        ...record.s3,
        bucket: { ...record.s3.bucket, name: bucket },
        object: { ...record.s3.object, key },
      },
    })),
  };
}

/** The `s3:TestEvent` message S3 sends when a notification is configured. */
export function s3TestEvent(): unknown {
  return readAwsEvent('s3-test-event.sample.json');
}
