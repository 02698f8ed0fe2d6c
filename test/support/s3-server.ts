import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { createLocalStore } from '../../lib/local/s3-adapter';
import { type LocalS3, type S3Notification, startLocalS3 } from '../../lib/local/s3-server';
import type { ObjectStore } from '../../lib/ports';

export interface LocalS3Fixture {
  server: LocalS3;
  client: S3Client;
  /** The ObjectStore for the server, as local mode builds it. */
  store: ObjectStore;
  dir: string;
}

/** Starts a local S3 server in a fresh temporary directory. */
export async function startTestS3(): Promise<LocalS3Fixture & { stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sagedrop-s3-'));
  const server = await startLocalS3({ dir });
  const client = new S3Client(server.clientConfig);
  const store = createLocalStore(client, server.bucket);
  return {
    server,
    client,
    store,
    dir,
    async stop() {
      client.destroy();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers hooks that start a local S3 server before the tests of the file and
 * stop it after. Read the fixture inside tests, not at collection time.
 */
export function useLocalS3(): () => LocalS3Fixture {
  let fixture: Awaited<ReturnType<typeof startTestS3>> | undefined;
  beforeAll(async () => {
    fixture = await startTestS3();
  });
  afterAll(async () => {
    await fixture?.stop();
  });
  return () => {
    if (!fixture) throw new Error('the local S3 server is not started: call inside a test');
    return fixture;
  };
}

/** Uploads `body` at `key` through the SDK, as a user would, and answers the notification S3 sends for it. */
export async function userUpload(
  { server, client }: LocalS3Fixture,
  key: string,
  body: string | Uint8Array,
): Promise<S3Notification> {
  const notified = new Promise<S3Notification>((resolve) => {
    const stop = server.onObjectCreated((n) => {
      if (n.Records.some((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) === key)) {
        stop();
        resolve(n);
      }
    });
  });
  await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body }));
  return notified;
}
