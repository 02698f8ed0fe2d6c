import * as z from 'zod';

const recordSchema = z.lazy(() =>
  z.object({
    eventVersion: z.string().regex(/^2\./, 'S3 event version 2.x expected'),
    eventSource: z.literal('aws:s3'),
    eventName: z.string(),
    eventTime: z.string().optional(),
    s3: z.object({
      bucket: z.object({ name: z.string() }),
      object: z.object({
        key: z.string(),
        size: z.number().optional(),
        eTag: z.string().optional(),
        versionId: z.string().optional(),
        sequencer: z.string().optional(),
      }),
    }),
  }),
);

const notificationSchema = z.lazy(() =>
  z.union([z.object({ Records: z.array(recordSchema) }), z.object({ Event: z.literal('s3:TestEvent') })]),
);

/** One object-created notification, key decoded. */
export interface ObjectCreated {
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
  sequencer?: string;
  eventName: string;
}

/** S3 event keys are URL-encoded with `+` for space. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * The object-created records of an S3 notification, keys decoded. The
 * `s3:TestEvent` message and records of other event types give nothing. Throws
 * on a payload that is not an S3 notification.
 */
export function parseS3Notification(payload: unknown): ObjectCreated[] {
  const parsed = notificationSchema.parse(payload);
  if (!('Records' in parsed)) return [];
  return parsed.Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) => {
    const created: ObjectCreated = {
      bucket: r.s3.bucket.name,
      key: decodeS3Key(r.s3.object.key),
      eventName: r.eventName,
    };
    if (r.s3.object.size !== undefined) created.size = r.s3.object.size;
    if (r.s3.object.eTag !== undefined) created.etag = r.s3.object.eTag;
    if (r.s3.object.versionId !== undefined) created.versionId = r.s3.object.versionId;
    if (r.s3.object.sequencer !== undefined) created.sequencer = r.s3.object.sequencer;
    return created;
  });
}
