import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3Store } from '../../lib/aws/s3-store';
import { parseS3Notification } from '../../lib/events/s3';
import type { S3Notification } from '../../lib/local/s3-server';
import { ObjectChangedError } from '../../lib/ports';
import { useLocalS3 } from '../support/s3-server';

const fixture = useLocalS3();

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts);
}

function nextNotification(): Promise<S3Notification> {
  return new Promise((resolve) => {
    const stop = fixture().server.onObjectCreated((n) => {
      stop();
      resolve(n);
    });
  });
}

async function* chunked(data: Buffer, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('the S3 store against a local S3 server', () => {
  it('heads, reads back exactly, lists in key order and deletes', async () => {
    const { store } = fixture();
    expect(await store.head('basic/missing.txt')).toBeUndefined();
    expect(await store.getText('basic/missing.txt')).toBeUndefined();
    await store.put('basic/b.txt', 'bee');
    await store.put('basic/a.txt', new TextEncoder().encode('ay'));
    const ref = await store.head('basic/b.txt');
    expect(ref).toMatchObject({ key: 'basic/b.txt', size: 3 });
    if (!ref) throw new Error('unreachable');
    expect((await collect(store.read(ref))).toString()).toBe('bee');
    const listed = [];
    for await (const item of store.list('basic/')) listed.push(item.key);
    expect(listed).toEqual(['basic/a.txt', 'basic/b.txt']);
    await store.delete('basic/a.txt');
    expect(await store.head('basic/a.txt')).toBeUndefined();
  });

  it('creates with ifAbsent only once', async () => {
    const { store } = fixture();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.put('once/record.json', `{"n":${i}}`, { ifAbsent: true })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.findIndex((r) => r.created);
    expect(await store.getText('once/record.json')).toBe(`{"n":${winner}}`);
  });

  it('overwrites with ifMatch only while the ETag is the expected one', async () => {
    const { store } = fixture();
    await store.put('cas/record.json', '{"v":1}');
    const first = await store.head('cas/record.json');
    if (!first) throw new Error('unreachable');
    const results = await Promise.all([
      store.put('cas/record.json', '{"v":2}', { ifMatch: first.etag }),
      store.put('cas/record.json', '{"v":3}', { ifMatch: first.etag }),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await store.put('cas/absent.json', '{}', { ifMatch: first.etag })).toEqual({ created: false });
  });

  it('refuses to read a version that was overwritten', async () => {
    const { store } = fixture();
    await store.put('changed/x.csv', '1,2\n');
    const ref = await store.head('changed/x.csv');
    if (!ref) throw new Error('unreachable');
    await store.put('changed/x.csv', '3,4\n');
    await expect(collect(store.read(ref))).rejects.toBeInstanceOf(ObjectChangedError);
  });

  it('reads only the first bytes asked for, of the version claimed', async () => {
    const { store } = fixture();
    const data = randomBytes(3 * 1024 * 1024);
    await store.put('prefix/x.csv', data);
    const ref = await store.head('prefix/x.csv');
    if (!ref) throw new Error('unreachable');
    expect((await collect(store.read(ref, { firstBytes: 1000 }))).equals(data.subarray(0, 1000))).toBe(true);
    expect((await collect(store.read(ref, { firstBytes: data.length + 1 }))).equals(data)).toBe(true);
    await store.put('prefix/x.csv', randomBytes(3 * 1024 * 1024));
    await expect(collect(store.read(ref, { firstBytes: 1000 }))).rejects.toBeInstanceOf(ObjectChangedError);
  });

  it('uploads a stream larger than a part as a multipart upload and notifies its completion', async () => {
    const { store, server } = fixture();
    const data = randomBytes(11 * 1024 * 1024);
    const notified = nextNotification();
    await store.put('big/with space+plus.bin', chunked(data, 64 * 1024));
    const notification = await notified;
    const record = notification.Records[0];
    expect(record?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(record?.eventVersion).toBe('2.1');
    expect(record?.s3.object.key).toBe('big/with+space%2Bplus.bin');
    expect(record?.s3.bucket.arn).toBe(`arn:aws:s3:::${server.bucket}`);
    expect(parseS3Notification(notification)[0]?.key).toBe('big/with space+plus.bin');
    const ref = await store.head('big/with space+plus.bin');
    if (!ref) throw new Error('unreachable');
    expect(ref.size).toBe(data.length);
    expect((await collect(store.read(ref))).equals(data)).toBe(true);
  });

  it('reports a plain PUT as ObjectCreated:Put with S3 fields', async () => {
    const { store } = fixture();
    const notified = nextNotification();
    await store.put('raw/my data/x.csv', '1\n');
    const record = (await notified).Records[0];
    expect(record).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { object: { key: 'raw/my+data/x.csv', size: 2 } },
    });
  });

  it('aborts the multipart upload when the source stream fails', async () => {
    const { client, server } = fixture();
    const store = createS3Store(client, server.bucket);
    const failing = Readable.from(
      (async function* () {
        yield randomBytes(9 * 1024 * 1024);
        throw new Error('source broke');
      })(),
    );
    await expect(store.put('aborted/out.csv', failing)).rejects.toThrow('source broke');
    expect(await store.head('aborted/out.csv')).toBeUndefined();
    expect(await server.openMultipartUploads()).toEqual([]);
  });

  it('supports aborting a multipart upload, which s3rver lacks', async () => {
    const { client, server } = fixture();
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: server.bucket, Key: 'abort/me.csv' }),
    );
    expect(await server.openMultipartUploads()).toEqual(['abort/me.csv']);
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: server.bucket, Key: 'abort/me.csv', UploadId }),
    );
    expect(await server.openMultipartUploads()).toEqual([]);
  });
});
