import { link, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalS3 } from '../../support/s3-server';

const s3 = useLocalS3();
let elsewhere: string;
beforeAll(async () => {
  elsewhere = await mkdtemp(join(tmpdir(), 'sagedrop-links-'));
});
afterAll(async () => {
  await rm(elsewhere, { recursive: true, force: true });
});

async function put(key: string, body: string) {
  const { client, server } = s3();
  await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body }));
}

async function get(key: string): Promise<string> {
  const { client, server } = s3();
  const response = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
  return (await response.Body?.transformToString()) ?? '';
}

describe('the local S3 server object files', () => {
  it('replace an object whole on a new upload: a link to the old file keeps the old bytes', async () => {
    const { server } = s3();
    await put('raw/a/x.csv', 'old bytes\n');
    const view = join(elsewhere, 'x.csv');
    await link(server.objectFile('raw/a/x.csv'), view);
    await put('raw/a/x.csv', 'new bytes, longer than before\n');
    expect(await get('raw/a/x.csv')).toBe('new bytes, longer than before\n');
    expect(await readFile(view, 'utf8')).toBe('old bytes\n');
    expect((await stat(view)).ino).not.toBe((await stat(server.objectFile('raw/a/x.csv'))).ino);
  });

  it('are read-only, list only whole objects, and can still be copied over', async () => {
    const { client, server } = s3();
    await put('raw/b/x.csv', 'one\n');
    await put('raw/b/y.csv', 'two\n');
    expect((await stat(server.objectFile('raw/b/x.csv'))).mode & 0o222).toBe(0);
    await client.send(
      new CopyObjectCommand({
        Bucket: server.bucket,
        Key: 'raw/b/y.csv',
        CopySource: `${server.bucket}/raw/b/x.csv`,
      }),
    );
    expect(await get('raw/b/y.csv')).toBe('one\n');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: 'raw/b/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['raw/b/x.csv', 'raw/b/y.csv']);
  });

  it('give each write a new version id, identical bytes too, and refuse to read a replaced version', async () => {
    const { client, server } = s3();
    const events: { versionId?: string; sequencer: string }[] = [];
    const stop = server.onObjectCreated((n) => {
      for (const r of n.Records) if (r.s3.object.key === 'raw/c/x.csv') events.push(r.s3.object);
    });
    const first = await client.send(
      new PutObjectCommand({ Bucket: server.bucket, Key: 'raw/c/x.csv', Body: 'same\n' }),
    );
    const second = await client.send(
      new PutObjectCommand({ Bucket: server.bucket, Key: 'raw/c/x.csv', Body: 'same\n' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    stop();
    expect(first.VersionId).toEqual(expect.any(String));
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(second.ETag).toBe(first.ETag);
    const head = await client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: 'raw/c/x.csv' }));
    expect(head.VersionId).toBe(second.VersionId);
    expect(head.Metadata).toEqual({});
    expect(events.map((e) => e.versionId)).toEqual([first.VersionId, second.VersionId]);
    expect((events[1]?.sequencer ?? '') > (events[0]?.sequencer ?? '')).toBe(true);
    const current = await client.send(
      new GetObjectCommand({ Bucket: server.bucket, Key: 'raw/c/x.csv', VersionId: second.VersionId }),
    );
    expect(await current.Body?.transformToString()).toBe('same\n');
    await expect(
      client.send(
        new GetObjectCommand({ Bucket: server.bucket, Key: 'raw/c/x.csv', VersionId: first.VersionId }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchVersion' });
  });
});
