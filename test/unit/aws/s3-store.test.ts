import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createS3Store } from '../../../lib/aws/s3-store';
import { ObjectChangedError } from '../../../lib/ports';

const s3 = mockClient(S3Client);
const store = createS3Store(new S3Client({ region: 'us-east-1' }), 'bucket');

function serviceError(name: string, status: number) {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts).toString();
}

// The store only iterates the body, so a plain stream stands in for the SDK's.
const body = (text: string) => Readable.from([Buffer.from(text)]) as never;

beforeEach(() => s3.reset());

describe('createS3Store', () => {
  it('reads a versioned ref by VersionId and an unversioned one with If-Match', async () => {
    s3.on(GetObjectCommand).callsFake(async () => ({ Body: body('data') }));
    const at = new Date();
    expect(
      await collect(store.read({ key: 'k', versionId: 'v1', etag: '"e"', size: 4, lastModified: at })),
    ).toBe('data');
    expect(await collect(store.read({ key: 'k', etag: '"e"', size: 4, lastModified: at }))).toBe('data');
    const inputs = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toMatchObject({ Bucket: 'bucket', Key: 'k', VersionId: 'v1' });
    expect(inputs[0]?.IfMatch).toBeUndefined();
    expect(inputs[1]).toMatchObject({ Key: 'k', IfMatch: '"e"' });
  });

  it('reads a large object as parallel ranged GETs pinned to its version and ETag, in order', async () => {
    const bytes = Buffer.alloc(20 * 1024 * 1024 + 5);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = i % 251;
    s3.on(GetObjectCommand).callsFake(async (input: { Range?: string }) => {
      const [from, to] = (input.Range ?? '').replace('bytes=', '').split('-').map(Number);
      return { Body: Readable.from([bytes.subarray(from, (to ?? 0) + 1)]) };
    });
    const ref = {
      key: 'raw/x.csv',
      versionId: 'v7',
      etag: '"abc-3"',
      size: bytes.length,
      lastModified: new Date(),
    };
    const parts: Uint8Array[] = [];
    for await (const part of store.read(ref)) parts.push(part);
    expect(Buffer.concat(parts).equals(bytes)).toBe(true);
    const inputs = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(inputs.map((input) => input.Range)).toEqual([
      `bytes=0-${8 * 1024 * 1024 - 1}`,
      `bytes=${8 * 1024 * 1024}-${16 * 1024 * 1024 - 1}`,
      `bytes=${16 * 1024 * 1024}-${bytes.length - 1}`,
    ]);
    for (const input of inputs)
      expect(input).toMatchObject({ Key: 'raw/x.csv', VersionId: 'v7', IfMatch: '"abc-3"' });
  });

  it('reads only the first bytes asked for as one ranged GET pinned to the version, and small objects whole', async () => {
    s3.on(GetObjectCommand).callsFake(async (input: { Range?: string }) => {
      const [from, to] = (input.Range ?? 'bytes=0-99').replace('bytes=', '').split('-').map(Number);
      return { Body: body('x'.repeat((to ?? 0) - (from ?? 0) + 1)) };
    });
    const ref = {
      key: 'raw/x.csv',
      versionId: 'v7',
      etag: '"abc"',
      size: 20 * 1024 * 1024,
      lastModified: new Date(),
    };
    expect(await collect(store.read(ref, { firstBytes: 65536 }))).toHaveLength(65536);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'bucket', Key: 'raw/x.csv', VersionId: 'v7', IfMatch: '"abc"', Range: 'bytes=0-65535' },
    ]);
    s3.resetHistory();
    expect(await collect(store.read({ ...ref, size: 100 }, { firstBytes: 65536 }))).toHaveLength(100);
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input.Range).toBeUndefined();
  });

  it('ends a ranged read with ObjectChangedError when the version changed, without retrying', async () => {
    s3.on(GetObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    const ref = { key: 'raw/x.csv', etag: '"e"', size: 20 * 1024 * 1024, lastModified: new Date() };
    await expect(collect(store.read(ref))).rejects.toBeInstanceOf(ObjectChangedError);
    expect(s3.commandCalls(GetObjectCommand).length).toBeLessThanOrEqual(3);
  });

  it('turns a failed precondition or a missing version into ObjectChangedError', async () => {
    const ref = { key: 'k', etag: '"e"', size: 1, lastModified: new Date() };
    s3.on(GetObjectCommand, { IfMatch: '"e"' }).rejects(serviceError('PreconditionFailed', 412));
    s3.on(GetObjectCommand, { VersionId: 'gone' }).rejects(serviceError('NoSuchVersion', 404));
    await expect(collect(store.read(ref))).rejects.toBeInstanceOf(ObjectChangedError);
    await expect(collect(store.read({ ...ref, versionId: 'gone' }))).rejects.toBeInstanceOf(
      ObjectChangedError,
    );
  });

  it('gives undefined for a missing object and ignores the "null" version of unversioned buckets', async () => {
    s3.on(HeadObjectCommand, { Key: 'missing' }).rejects(serviceError('NotFound', 404));
    s3.on(HeadObjectCommand, { Key: 'there' }).resolves({
      ETag: '"abc"',
      ContentLength: 3,
      LastModified: new Date('2026-01-01T00:00:00Z'),
      VersionId: 'null',
    });
    expect(await store.head('missing')).toBeUndefined();
    expect(await store.head('there')).toEqual({
      key: 'there',
      etag: '"abc"',
      size: 3,
      lastModified: new Date('2026-01-01T00:00:00Z'),
    });
  });

  it('creates with If-None-Match and reports an existing object as not created', async () => {
    s3.on(PutObjectCommand).resolvesOnce({}).rejectsOnce(serviceError('PreconditionFailed', 412));
    expect(await store.put('k', 'a', { ifAbsent: true, contentType: 'application/json' })).toEqual({
      created: true,
    });
    expect(await store.put('k', 'b', { ifAbsent: true })).toEqual({ created: false });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      IfNoneMatch: '*',
      ContentType: 'application/json',
    });
  });

  it('overwrites with If-Match only when the ETag still matches', async () => {
    s3.on(PutObjectCommand, { IfMatch: '"old"' }).rejects(serviceError('PreconditionFailed', 412));
    s3.on(PutObjectCommand, { IfMatch: '"gone"' }).rejects(serviceError('NoSuchKey', 404));
    s3.on(PutObjectCommand, { IfMatch: '"current"' }).resolves({});
    expect(await store.put('k', 'a', { ifMatch: '"old"' })).toEqual({ created: false });
    expect(await store.put('k', 'a', { ifMatch: '"gone"' })).toEqual({ created: false });
    expect(await store.put('k', 'a', { ifMatch: '"current"' })).toEqual({ created: true });
  });

  it('retries a conditional write that raced another (409)', async () => {
    s3.on(PutObjectCommand).rejectsOnce(serviceError('ConditionalRequestConflict', 409)).resolves({});
    expect(await store.put('k', 'a', { ifAbsent: true })).toEqual({ created: true });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(2);
  });

  it('does not hide other errors of a write', async () => {
    s3.on(PutObjectCommand).rejects(serviceError('AccessDenied', 403));
    await expect(store.put('k', 'a', { ifAbsent: true })).rejects.toThrow('AccessDenied');
  });

  it('lists every page', async () => {
    const at = new Date();
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
      Contents: [{ Key: 'p/a', ETag: '"1"', Size: 1, LastModified: at }],
      IsTruncated: true,
      NextContinuationToken: 't',
    });
    s3.on(ListObjectsV2Command, { ContinuationToken: 't' }).resolves({
      Contents: [{ Key: 'p/b', ETag: '"2"', Size: 2, LastModified: at }],
      IsTruncated: false,
    });
    const keys: string[] = [];
    for await (const ref of store.list('p/')) keys.push(ref.key);
    expect(keys).toEqual(['p/a', 'p/b']);
  });
});
