import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { uploadStream } from '../../../lib/aws/multipart-upload';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-east-1' });
const params = { Bucket: 'bucket', Key: 'train/d/r/train/train.csv', ContentType: 'text/csv' };

/** `size` bytes in which byte i is i mod 251. */
function pattern(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = i % 251;
  return bytes;
}

/** Yields `data` in chunks of `size`, every chunk in the same buffer, overwritten for the next. */
async function* reusedChunks(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  const chunk = Buffer.alloc(size);
  for (let at = 0; at < data.length; at += size) {
    const n = data.copy(chunk, 0, at, Math.min(data.length, at + size));
    yield chunk.subarray(0, n);
  }
}

/** Answers UploadPart after `delay(partNumber)` ms, keeping a copy of each part's bytes. */
function acceptParts(delay: (partNumber: number) => number = () => 0) {
  const received = new Map<number, Buffer>();
  let inFlight = 0;
  let peak = 0;
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
  s3.on(UploadPartCommand).callsFake(async (input) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    const bytes = Buffer.from(input.Body as Uint8Array);
    await new Promise((resolve) => setTimeout(resolve, delay(input.PartNumber)));
    received.set(input.PartNumber, bytes);
    inFlight -= 1;
    return { ETag: `"etag-${input.PartNumber}"` };
  });
  s3.on(CompleteMultipartUploadCommand).resolves({});
  return { received, peak: () => peak };
}

beforeEach(() => s3.reset());

describe('uploadStream', () => {
  it('writes a body smaller than one part with a single PutObject, conditions included', async () => {
    s3.on(PutObjectCommand).resolves({});
    await uploadStream(client, { ...params, IfNoneMatch: '*' }, reusedChunks(pattern(700), 64), {
      partSize: 1024,
      queueSize: 4,
    });
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put?.args[0].input).toMatchObject({ ...params, IfNoneMatch: '*' });
    expect(Buffer.from(put?.args[0].input.Body as Uint8Array).equals(pattern(700))).toBe(true);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('completes with the parts in order and the conditions, whatever order the parts finish in', async () => {
    // Later parts answer first.
    const { received, peak } = acceptParts((part) => 40 - part * 5);
    const data = pattern(7 * 1024 + 300);
    await uploadStream(client, { ...params, IfNoneMatch: '*' }, reusedChunks(data, 100), {
      partSize: 1024,
      queueSize: 3,
    });
    const [complete] = s3.commandCalls(CompleteMultipartUploadCommand);
    expect(complete?.args[0].input).toMatchObject({
      Bucket: 'bucket',
      Key: params.Key,
      UploadId: 'upload-1',
    });
    expect(complete?.args[0].input.IfNoneMatch).toBe('*');
    expect(complete?.args[0].input.MultipartUpload?.Parts?.map((p) => p.PartNumber)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    // The source reused one buffer for every chunk: each part holds copies, in order.
    const stored = Buffer.concat([...received.entries()].sort(([a], [b]) => a - b).map(([, bytes]) => bytes));
    expect(stored.equals(data)).toBe(true);
    expect(peak()).toBe(3);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(1);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(0);
  });

  it('holds at most queue size + 1 parts in memory however slow the uploads', async () => {
    acceptParts(() => 15);
    let most = 0;
    await uploadStream(client, params, reusedChunks(pattern(20 * 1024), 256), {
      partSize: 1024,
      queueSize: 2,
      onHeld: (bytes) => {
        most = Math.max(most, bytes);
      },
    });
    expect(most).toBeGreaterThan(2 * 1024);
    expect(most).toBeLessThanOrEqual(3 * 1024);
    expect(s3.commandCalls(UploadPartCommand)).toHaveLength(20);
  });

  it('aborts the upload and rethrows when a part fails, completing nothing', async () => {
    acceptParts(() => 5);
    s3.on(UploadPartCommand, { PartNumber: 3 }).rejects(new Error('connection reset'));
    s3.on(AbortMultipartUploadCommand).resolves({});
    await expect(
      uploadStream(client, params, reusedChunks(pattern(10 * 1024), 512), { partSize: 1024, queueSize: 2 }),
    ).rejects.toThrow('connection reset');
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    const [abort] = s3.commandCalls(AbortMultipartUploadCommand);
    expect(abort?.args[0].input).toEqual({ Bucket: 'bucket', Key: params.Key, UploadId: 'upload-1' });
  });

  it('aborts the upload when the source fails part-way', async () => {
    acceptParts();
    s3.on(AbortMultipartUploadCommand).resolves({});
    async function* failing() {
      yield pattern(3000);
      throw new Error('source broke');
    }
    await expect(uploadStream(client, params, failing(), { partSize: 1024, queueSize: 2 })).rejects.toThrow(
      'source broke',
    );
    expect(s3.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3.commandCalls(AbortMultipartUploadCommand)).toHaveLength(1);
  });
});
