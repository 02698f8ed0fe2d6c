import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandInput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Body, ObjectRef, ObjectStore, PutOptions } from '../ports';
import { ObjectChangedError } from '../ports';
import { uploadStream } from './multipart-upload';
import { readRanges } from './ranged-read';

/** Part size of streamed uploads: 8 MiB parts allow 80 GB objects within S3's 10,000 parts. */
export const UPLOAD_PART_SIZE = 8 * 1024 * 1024;
/**
 * Parts in flight per upload: S3 serves each connection at about 85-90 MB/s,
 * so several parts upload at once; memory holds at most one more part than
 * this per stream (lib/aws/multipart-upload.ts).
 */
export const UPLOAD_QUEUE_SIZE = 8;
/** Bytes per ranged GET of a large object (S3 recommends 8 or 16 MB). */
export const READ_RANGE_SIZE = 8 * 1024 * 1024;
/**
 * Ranged GETs in flight per object: S3 serves each connection at about
 * 85-90 MB/s, so several connections read one object faster; memory holds at
 * most this many ranges.
 */
export const READ_CONCURRENCY = 8;
/** How often a range whose connection failed part-way is resumed. */
export const READ_RETRIES = 3;
/** How often a 409 ConditionalRequestConflict (a concurrent conditional write) is retried. */
const CONFLICT_RETRIES = 5;

interface ServiceError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

function errorCode(error: unknown): string | undefined {
  const e = error as ServiceError;
  return e?.name ?? e?.Code;
}

function httpStatus(error: unknown): number | undefined {
  return (error as ServiceError)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'NotFound' || code === 'NoSuchKey' || httpStatus(error) === 404;
}

function isPreconditionFailed(error: unknown): boolean {
  return errorCode(error) === 'PreconditionFailed' || httpStatus(error) === 412;
}

function isConditionalConflict(error: unknown): boolean {
  return errorCode(error) === 'ConditionalRequestConflict' || httpStatus(error) === 409;
}

/** The response body of GetObject as bytes, whether the SDK hands out a Node or a web stream. */
async function* bodyChunks(body: unknown): AsyncIterable<Uint8Array> {
  if (body && typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    yield* body as AsyncIterable<Uint8Array>;
    return;
  }
  if (body && typeof (body as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (body !== undefined) throw new TypeError('GetObject returned a body that is not a stream');
}

/** An ObjectRef from the fields HeadObject, GetObject and the listings share. */
export function toRef(
  key: string,
  meta: { VersionId?: string; ETag?: string; ContentLength?: number; Size?: number; LastModified?: Date },
): ObjectRef {
  const ref: ObjectRef = {
    key,
    etag: meta.ETag ?? '',
    size: meta.ContentLength ?? meta.Size ?? 0,
    lastModified: meta.LastModified ?? new Date(0),
  };
  // Unversioned buckets report the version as "null": it names nothing to read back.
  if (meta.VersionId && meta.VersionId !== 'null') ref.versionId = meta.VersionId;
  return ref;
}

/** How `createS3Store` uploads streams; tests shrink nothing here, S3 needs 5 MiB parts. */
export interface S3StoreOptions {
  partSize?: number;
  queueSize?: number;
  /** Objects larger than this are read as parallel ranged GETs of this size. */
  rangeSize?: number;
  readConcurrency?: number;
}

/**
 * The bucket as an `ObjectStore` over the S3 API: exact-version reads
 * (VersionId, or If-Match on the ETag when the bucket is unversioned),
 * conditional writes (`If-None-Match: *`, `If-Match`) and streamed multipart
 * uploads.
 */
export function createS3Store(client: S3Client, bucket: string, options: S3StoreOptions = {}): ObjectStore {
  const partSize = Math.max(options.partSize ?? UPLOAD_PART_SIZE, 5 * 1024 * 1024);
  const queueSize = options.queueSize ?? UPLOAD_QUEUE_SIZE;
  const rangeSize = options.rangeSize ?? READ_RANGE_SIZE;
  const readConcurrency = options.readConcurrency ?? READ_CONCURRENCY;

  /** The S3 errors that mean the version a ref names is gone or changed. */
  function asChanged(ref: ObjectRef, error: unknown): unknown {
    const code = errorCode(error);
    if (isPreconditionFailed(error) || isNotFound(error) || code === 'NoSuchVersion') {
      return new ObjectChangedError(ref.key, { cause: error });
    }
    if (code === 'InvalidArgument' && ref.versionId) return new ObjectChangedError(ref.key, { cause: error });
    return error;
  }

  /** Bytes `[start, end)` of exactly the version `ref` names: its VersionId and, always, If-Match on its ETag. */
  async function* readRange(ref: ObjectRef, start: number, end: number, signal: AbortSignal) {
    const input: GetObjectCommandInput = {
      Bucket: bucket,
      Key: ref.key,
      IfMatch: ref.etag,
      Range: `bytes=${start}-${end - 1}`,
    };
    if (ref.versionId) input.VersionId = ref.versionId;
    let body: unknown;
    try {
      body = (await client.send(new GetObjectCommand(input), { abortSignal: signal })).Body;
    } catch (error) {
      throw asChanged(ref, error);
    }
    yield* bodyChunks(body);
  }

  async function putOnce(key: string, body: Body, putOptions: PutOptions): Promise<void> {
    const params: PutObjectCommandInput = { Bucket: bucket, Key: key };
    if (putOptions.contentType) params.ContentType = putOptions.contentType;
    if (putOptions.ifAbsent) params.IfNoneMatch = '*';
    if (putOptions.ifMatch !== undefined) params.IfMatch = putOptions.ifMatch;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      await client.send(new PutObjectCommand({ ...params, Body: body }));
      return;
    }
    try {
      await uploadStream(client, params, body, { partSize, queueSize });
    } catch (error) {
      // The upload is aborted; a source stream must not be left paused mid-way.
      if (body instanceof Readable) body.destroy();
      throw error;
    }
  }

  return {
    // The upload copies each chunk into a part buffer before it asks for the next.
    putReleasesChunks: true,

    async head(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return toRef(key, out);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async *read(ref, readOptions = {}) {
      const { firstBytes } = readOptions;
      if (firstBytes !== undefined && firstBytes > 0 && ref.size > firstBytes) {
        yield* readRange(ref, 0, firstBytes, new AbortController().signal);
        return;
      }
      if (ref.size > rangeSize) {
        yield* readRanges(ref.size, (start, end, signal) => readRange(ref, start, end, signal), {
          rangeBytes: rangeSize,
          concurrency: readConcurrency,
          retries: READ_RETRIES,
          isFinal: (error) => error instanceof ObjectChangedError,
        });
        return;
      }
      const input: GetObjectCommandInput = { Bucket: bucket, Key: ref.key };
      if (ref.versionId) input.VersionId = ref.versionId;
      else input.IfMatch = ref.etag;
      let body: unknown;
      try {
        body = (await client.send(new GetObjectCommand(input))).Body;
      } catch (error) {
        throw asChanged(ref, error);
      }
      yield* bodyChunks(body);
    },

    async getText(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await out.Body?.transformToString('utf-8')) ?? '';
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    async put(key, body, putOptions = {}) {
      for (let attempt = 0; ; attempt++) {
        try {
          await putOnce(key, body, putOptions);
          return { created: true };
        } catch (error) {
          const conditional = putOptions.ifAbsent || putOptions.ifMatch !== undefined;
          if (conditional && isPreconditionFailed(error)) return { created: false };
          // If-Match on a key that is gone fails with 404: the object is not the one expected.
          if (putOptions.ifMatch !== undefined && isNotFound(error)) return { created: false };
          // A stream cannot be replayed, so only in-memory bodies are retried on a race.
          const replayable = typeof body === 'string' || body instanceof Uint8Array;
          if (conditional && isConditionalConflict(error) && replayable && attempt < CONFLICT_RETRIES) {
            await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
            continue;
          }
          throw error;
        }
      }
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async *list(prefix) {
      let token: string | undefined;
      do {
        const out = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const item of out.Contents ?? []) {
          if (item.Key) yield toRef(item.Key, item);
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
    },
  };
}
