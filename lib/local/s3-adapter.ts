import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type FetchRange, readRanges } from '../aws/ranged-read';
import {
  createS3Store,
  READ_CONCURRENCY,
  READ_RANGE_SIZE,
  READ_RETRIES,
  type S3StoreOptions,
  toRef,
} from '../aws/s3-store';
import {
  type Body,
  ObjectChangedError,
  type ObjectRef,
  type ObjectStore,
  type PutOptions,
  type ReadOptions,
  sameEtag,
} from '../ports';

/** Runs tasks for one key one at a time, in arrival order. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.catch(() => undefined).then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function isStream(body: Body): body is AsyncIterable<Uint8Array> {
  return typeof body !== 'string' && !(body instanceof Uint8Array);
}

/**
 * The ObjectStore for the embedded local S3 server (s3rver), which lacks two
 * things sagedrop relies on: conditional writes (it ignores If-None-Match and
 * If-Match) and exact-version reads (it keeps only the current version; the
 * local server gives each write a version id, see `s3-object-files`). It also cannot page
 * ListObjectsV2 (its continuation tokens use DES, which OpenSSL 3 refuses), so
 * listings page ListObjects with markers. Conditional writes are
 * made atomic with a per-key lock in this process (local mode runs every
 * function in one process). A read checks the ETag it was given against
 * every response (a large object is read as parallel ranged GETs, as the S3
 * store reads it) and against the MD5 of the bytes it streamed, so a
 * concurrent overwrite surfaces as `ObjectChangedError` just as on S3.
 */
export function createLocalStore(
  client: S3Client,
  bucket: string,
  options: S3StoreOptions = {},
): ObjectStore {
  const s3 = createS3Store(client, bucket, options);
  const locks = new KeyedMutex();
  const rangeSize = options.rangeSize ?? READ_RANGE_SIZE;
  const rangedOptions = {
    rangeBytes: rangeSize,
    concurrency: options.readConcurrency ?? READ_CONCURRENCY,
    retries: READ_RETRIES,
    isFinal: (error: unknown) => error instanceof ObjectChangedError,
  };

  /** One GetObject of `ref.key` (a range of it, or all), refused unless the server still holds the ETag `ref` names. */
  async function* getChecked(ref: ObjectRef, range?: string, signal?: AbortSignal) {
    let response: GetObjectCommandOutput;
    try {
      const input = { Bucket: bucket, Key: ref.key, ...(range ? { Range: range } : {}) };
      response = await client.send(new GetObjectCommand(input), signal ? { abortSignal: signal } : {});
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || status === 416) throw new ObjectChangedError(ref.key, { cause: error });
      throw error;
    }
    // Every response, each range too, must come from the version claimed: its ETag, and its
    // version id, since identical bytes uploaded again keep their ETag.
    const sameVersion = ref.versionId === undefined || response.VersionId === ref.versionId;
    if (!response.ETag || !sameEtag(response.ETag, ref.etag) || !sameVersion) {
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new ObjectChangedError(ref.key);
    }
    yield* response.Body as AsyncIterable<Uint8Array>;
  }

  const readWhole = (ref: ObjectRef) => getChecked(ref);
  const fetchRange =
    (ref: ObjectRef): FetchRange =>
    (start, end, signal) =>
      getChecked(ref, `bytes=${start}-${end - 1}`, signal);

  return {
    putReleasesChunks: s3.putReleasesChunks,
    // s3rver rewrites an object in place: small reads wait for writes of the same key to finish.
    head: (key) => locks.run(key, () => s3.head(key)),
    getText: (key) => locks.run(key, () => s3.getText(key)),
    async *list(prefix) {
      let marker: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: marker }),
        );
        for (const item of page.Contents ?? []) if (item.Key) yield toRef(item.Key, item);
        marker = page.IsTruncated ? page.Contents?.at(-1)?.Key : undefined;
      } while (marker);
    },
    delete: (key) => locks.run(key, () => s3.delete(key)),

    async put(key: string, body: Body, putOptions: PutOptions = {}) {
      // Streams are never locked: concurrent writers of one run write the same bytes, and a
      // lock held across a long upload could deadlock writers that open their outputs in different orders.
      const conditional = putOptions.ifAbsent || putOptions.ifMatch !== undefined;
      if (isStream(body) && !conditional) return s3.put(key, body, putOptions);
      return locks.run(key, async () => {
        const current = conditional ? await s3.head(key) : undefined;
        if (putOptions.ifAbsent && current) return { created: false };
        if (putOptions.ifMatch !== undefined && (!current || !sameEtag(current.etag, putOptions.ifMatch))) {
          return { created: false };
        }
        const plain: PutOptions = {};
        if (putOptions.contentType !== undefined) plain.contentType = putOptions.contentType;
        return s3.put(key, body, plain);
      });
    },

    async *read(ref: ObjectRef, readOptions: ReadOptions = {}) {
      const { firstBytes } = readOptions;
      if (firstBytes !== undefined && firstBytes > 0 && ref.size > firstBytes) {
        // A prefix has no MD5 to check: the ETag and version the range answered with pin it.
        yield* fetchRange(ref)(0, firstBytes, new AbortController().signal);
        return;
      }
      const md5 = createHash('md5');
      let size = 0;
      const source =
        ref.size > rangeSize ? readRanges(ref.size, fetchRange(ref), rangedOptions) : readWhole(ref);
      for await (const chunk of source) {
        md5.update(chunk);
        size += chunk.byteLength;
        yield chunk;
      }
      if (size !== ref.size || !sameEtag(md5.digest('hex'), ref.etag)) throw new ObjectChangedError(ref.key);
    },
  };
}
