import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStore } from '../../../lib/local/s3-adapter';
import type { ObjectStore } from '../../../lib/ports';
import { type S3FaultProxy, startS3FaultProxy } from '../../support/faults/s3-fault-proxy';
import { type LocalS3Fixture, startTestS3 } from '../../support/s3-server';

let s3: LocalS3Fixture & { stop(): Promise<void> };
let proxy: S3FaultProxy;
let client: S3Client;
let store: ObjectStore;

const PART = 5 * 1024 * 1024;

async function* chunks(total: number): AsyncIterable<Uint8Array> {
  const chunk = Buffer.alloc(1024 * 1024, 'a');
  for (let sent = 0; sent < total; sent += chunk.byteLength)
    yield chunk.subarray(0, Math.min(chunk.byteLength, total - sent));
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const part of body) bytes += part.byteLength;
  return bytes;
}

beforeAll(async () => {
  s3 = await startTestS3();
  proxy = await startS3FaultProxy(s3.server.endpoint);
  client = new S3Client({ ...s3.server.clientConfig, endpoint: proxy.endpoint, maxAttempts: 3 });
  store = createLocalStore(client, s3.server.bucket, { partSize: PART });
  await s3.store.put('data/x.csv', '1,2,3\n'.repeat(5000));
});

afterAll(async () => {
  client?.destroy();
  await proxy?.stop();
  await s3?.stop();
});

describe('the S3 fault proxy', () => {
  it('passes requests through untouched when no rule matches', async () => {
    expect(await store.getText('data/x.csv')).toBe('1,2,3\n'.repeat(5000));
  });

  it('answers 500 InternalError with an S3 error document the SDK parses, and the SDK retries it', async () => {
    proxy.inject({ kind: 'http-500', match: (r) => r.operation === 'GetObject', times: 1 });
    const before = proxy.injected['http-500'];
    const out = await client.send(new GetObjectCommand({ Bucket: s3.server.bucket, Key: 'data/x.csv' }));
    expect(out.$metadata.attempts).toBe(2);
    expect(proxy.injected['http-500']).toBe(before + 1);
    await out.Body?.transformToString();
  });

  it('answers 503 SlowDown until the SDK gives up, naming the error as S3 does', async () => {
    proxy.inject({ kind: 'slowdown-503', match: (r) => r.operation === 'GetObject', times: 3 });
    await expect(
      client.send(new GetObjectCommand({ Bucket: s3.server.bucket, Key: 'data/x.csv' })),
    ).rejects.toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
    expect(proxy.pending()).toBe(0);
  });

  it('answers a HEAD with a bare status, as S3 does', async () => {
    proxy.inject({ kind: 'http-500', match: (r) => r.operation === 'HeadObject', times: 3 });
    await expect(
      client.send(new HeadObjectCommand({ Bucket: s3.server.bucket, Key: 'data/x.csv' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
  });

  it('cuts a GetObject response half-way through its body, which the reader sees as an error', async () => {
    const ref = await store.head('data/x.csv');
    if (!ref) throw new Error('the object is missing');
    proxy.inject({ kind: 'reset-get-body', match: (r) => r.key === 'data/x.csv', times: 1 });
    await expect(readAll(store.read(ref))).rejects.toThrow();
    expect(await readAll(store.read(ref))).toBe(ref.size);
  });

  it('cuts an UploadPart request half-way: the SDK retries the part and the object is whole', async () => {
    const before = proxy.injected['reset-upload-part'];
    proxy.inject({ kind: 'reset-upload-part', match: (r) => r.operation === 'UploadPart', times: 1 });
    await store.put('data/big.csv', chunks(PART + 1024 * 1024));
    expect(proxy.injected['reset-upload-part']).toBe(before + 1);
    expect((await s3.store.head('data/big.csv'))?.size).toBe(PART + 1024 * 1024);
  });

  it('cuts every attempt of an UploadPart: the upload fails and leaves neither object nor open upload', async () => {
    proxy.inject({ kind: 'reset-upload-part', match: (r) => r.operation === 'UploadPart', times: 100 });
    await expect(store.put('data/broken.csv', chunks(PART + 1024 * 1024))).rejects.toThrow();
    proxy.clear();
    expect(await s3.store.head('data/broken.csv')).toBeUndefined();
    expect(await s3.server.openMultipartUploads()).toEqual([]);
  });
});
