import { setMaxListeners } from 'node:events';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  UploadPartCommand,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';

/** What a streamed upload writes: the object's key and headers, and its conditions. */
export type UploadParams = Pick<
  PutObjectCommandInput,
  'Bucket' | 'Key' | 'ContentType' | 'IfNoneMatch' | 'IfMatch'
>;

export interface MultipartOptions {
  /** Bytes per part; S3 needs at least 5 MiB for every part but the last. */
  partSize: number;
  /** Parts uploading at once. */
  queueSize: number;
  /** Called with the bytes held in part buffers each time that changes (tests check the bound). */
  onHeld?: (bytes: number) => void;
}

/** S3 accepts at most this many parts in one upload. */
const MAX_PARTS = 10_000;

/** The part checksums the SDK computed, which CompleteMultipartUpload must repeat. */
function completedPart(partNumber: number, out: UploadPartCommandOutput): CompletedPart {
  if (!out.ETag) throw new Error(`UploadPart ${partNumber} answered without an ETag`);
  const part: CompletedPart = { PartNumber: partNumber, ETag: out.ETag };
  if (out.ChecksumCRC32) part.ChecksumCRC32 = out.ChecksumCRC32;
  if (out.ChecksumCRC32C) part.ChecksumCRC32C = out.ChecksumCRC32C;
  if (out.ChecksumCRC64NVME) part.ChecksumCRC64NVME = out.ChecksumCRC64NVME;
  if (out.ChecksumSHA1) part.ChecksumSHA1 = out.ChecksumSHA1;
  if (out.ChecksumSHA256) part.ChecksumSHA256 = out.ChecksumSHA256;
  return part;
}

/**
 * Streams `body` into one object as a multipart upload with up to `queueSize`
 * parts uploading at once, so a large object moves over several connections.
 * Each chunk is copied into a part buffer before the next is asked for (the
 * source may reuse its chunks), and part buffers are reused, so memory holds
 * at most `queueSize + 1` parts whatever the size. A body that fits one part
 * is a single PutObject. The object appears whole, with the parts in order,
 * at CompleteMultipartUpload (which carries `IfNoneMatch` / `IfMatch`), or not
 * at all: any failure aborts the upload and its parts.
 */
export async function uploadStream(
  client: S3Client,
  params: UploadParams,
  body: AsyncIterable<Uint8Array>,
  options: MultipartOptions,
): Promise<void> {
  const { partSize, queueSize } = options;
  const { Bucket, Key } = params;
  const abort = new AbortController();
  // Every part in flight listens to the one signal (the SDK adds a listener or two per request).
  setMaxListeners(4 * queueSize + 10, abort.signal);
  const spare: Buffer<ArrayBuffer>[] = [];
  const done: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let held = 0;
  let failure: unknown;
  let created: Promise<string> | undefined;
  const hold = (bytes: number) => {
    held += bytes;
    options.onHeld?.(held);
  };

  const uploadId = (): Promise<string> => {
    created ??= (async () => {
      // Not cancelled on failure: an upload the server created must be known to be aborted.
      // As lib-storage does: parts carry the SDK's default CRC32, so the upload must declare it.
      const checksums = await client.config.requestChecksumCalculation();
      const out = await client.send(
        new CreateMultipartUploadCommand({
          Bucket,
          Key,
          ContentType: params.ContentType,
          ...(checksums === 'WHEN_SUPPORTED' ? { ChecksumAlgorithm: 'CRC32' as const } : {}),
        }),
      );
      if (!out.UploadId) throw new Error(`CreateMultipartUpload of ${Key} answered without an UploadId`);
      return out.UploadId;
    })();
    return created;
  };

  const start = (partNumber: number, buffer: Buffer<ArrayBuffer>, length: number) => {
    if (partNumber > MAX_PARTS)
      throw new Error(`${Key} needs more than ${MAX_PARTS} parts of ${partSize} bytes`);
    const upload = (async () => {
      const out = await client.send(
        new UploadPartCommand({
          Bucket,
          Key,
          UploadId: await uploadId(),
          PartNumber: partNumber,
          Body: buffer.subarray(0, length),
          ContentLength: length,
        }),
        { abortSignal: abort.signal },
      );
      done.push(completedPart(partNumber, out));
      spare.push(buffer);
      hold(-length);
    })().catch((error: unknown) => {
      failure ??= error;
    });
    const tracked: Promise<void> = upload.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  /** Waits until fewer than `limit` parts are in flight; throws the first part that failed. */
  const room = async (limit: number) => {
    while (inFlight.size >= limit && failure === undefined) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
  };

  let parts = 0;
  let buffer = Buffer.allocUnsafe(partSize);
  let filled = 0;
  try {
    for await (const chunk of body) {
      for (let offset = 0; offset < chunk.byteLength; ) {
        const n = Math.min(partSize - filled, chunk.byteLength - offset);
        buffer.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        hold(n);
        if (filled < partSize) continue;
        await room(queueSize);
        parts += 1;
        start(parts, buffer, filled);
        buffer = spare.pop() ?? Buffer.allocUnsafe(partSize);
        filled = 0;
      }
      if (failure !== undefined) throw failure;
    }
    if (parts === 0) {
      await client.send(new PutObjectCommand({ ...params, Body: buffer.subarray(0, filled) }));
      return;
    }
    if (filled > 0) {
      await room(queueSize);
      parts += 1;
      start(parts, buffer, filled);
    }
    await room(1);
    done.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: await uploadId(),
        MultipartUpload: { Parts: done },
        IfNoneMatch: params.IfNoneMatch,
        IfMatch: params.IfMatch,
      }),
    );
  } catch (error) {
    abort.abort();
    await Promise.allSettled(inFlight);
    const id = await created?.catch(() => undefined);
    // Best effort: the upload's parts are invisible either way, and a lifecycle rule reaps what is left.
    if (id) await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: id })).catch(() => {});
    throw error;
  }
}
