import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createMergeHandler } from '../../handlers/merge';
import { functionsTriggeredBy } from '../../lib/events/triggers';
import { keys } from '../../lib/layout';
import type { S3Notification } from '../../lib/local/s3-server';
import type { MergeOutcome } from '../../lib/stages/merge';
import { type RunManifest, runManifestSchema, writtenChannels } from '../../lib/training/manifest';
import { useLocalS3, userUpload } from '../support/s3-server';
import { mergeDeps } from '../support/stage-worlds';

const fixture = useLocalS3();

function context(requestId: string): Context {
  return { awsRequestId: requestId } as Context;
}

function handler() {
  const { server, store } = fixture();
  const { deps, notifier } = mergeDeps(store, server.bucket);
  return { handle: createMergeHandler(() => deps), notifier };
}

function upload(key: string, body: string | Uint8Array): Promise<S3Notification> {
  return userUpload(fixture(), key, body);
}

/** `rows` distinct rows (the first feature is the row number) and their joined form. */
function dataset(rows: number, features: number) {
  const x: string[] = [];
  const y: string[] = [];
  const joined: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = [i, ...Array.from({ length: features - 1 }, (_, j) => ((i * (j + 7)) % 997) / 10)].join(',');
    const label = String(i % 2);
    x.push(row);
    y.push(label);
    joined.push(`${label},${row}`);
  }
  return { x: `${x.join('\n')}\n`, y: `${y.join('\n')}\n`, joined };
}

function committed(outcomes: MergeOutcome[]): Extract<MergeOutcome, { outcome: 'committed' }> {
  const found = outcomes.find(
    (o): o is Extract<MergeOutcome, { outcome: 'committed' }> => o.outcome === 'committed',
  );
  if (!found) throw new Error(`no run committed: ${JSON.stringify(outcomes)}`);
  return found;
}

async function readManifestAt(key: string): Promise<RunManifest> {
  return runManifestSchema.parse(JSON.parse((await fixture().store.getText(key)) ?? ''));
}

async function keysUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const ref of fixture().store.list(prefix)) found.push(ref.key);
  return found;
}

describe('sharded channels through the merge handler and a local S3 server', () => {
  it('writes a channel larger than shardSizeMb as parts of about equal size, whole rows, each row once, listed in the manifest', async () => {
    const { handle } = handler();
    const data = dataset(6000, 6);
    await upload(
      'raw/shards/sagedrop.json',
      JSON.stringify({ algorithm: 'linear-learner', shardSizeMb: 0.05 }),
    );
    await upload('raw/shards/x.csv', data.x);
    const run = committed(await handle(await upload('raw/shards/y.csv', data.y), context('req-y')));
    const manifest = await readManifestAt(run.manifestKey);
    const train = manifest.channels.train;
    expect(manifest.settings.shardSizeMb).toBe(0.05);
    expect(train.files.length).toBeGreaterThanOrEqual(3);
    expect(train.files).toEqual(
      train.files.map((_, i) => keys.channel('shards', run.run, 'train', `part-0000${i}.csv`)),
    );
    // Only the parts are under the channel's prefix: SageMaker reads everything there.
    expect(await keysUnder(train.prefix)).toEqual(train.files);

    const seen = new Map<string, number>();
    for (const [, channel] of writtenChannels(manifest)) {
      const sizes: number[] = [];
      let rows = 0;
      for (const key of channel.files) {
        const text = (await fixture().store.getText(key)) ?? '';
        sizes.push(Buffer.byteLength(text));
        expect(text.endsWith('\n')).toBe(true);
        for (const row of text.slice(0, -1).split('\n')) {
          seen.set(row, (seen.get(row) ?? 0) + 1);
          rows += 1;
        }
      }
      expect(rows).toBe(channel.rows);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(channel.bytes);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(50_000);
      if (channel.files.length > 1) {
        const mean = channel.bytes / channel.files.length;
        for (const size of sizes) expect(Math.abs(size - mean) / mean).toBeLessThan(0.25);
      }
    }
    expect(seen.size).toBe(data.joined.length);
    for (const row of data.joined) expect(seen.get(row)).toBe(1);
    expect(await fixture().server.openMultipartUploads()).toEqual([]);
  });

  it('keeps a channel under shardSizeMb as one <channel>.csv, as before', async () => {
    const { handle } = handler();
    const data = dataset(300, 4);
    await upload('raw/small/x.csv', data.x);
    const run = committed(await handle(await upload('raw/small/y.csv', data.y), context('req-small')));
    const manifest = await readManifestAt(run.manifestKey);
    expect(manifest.channels.train.files).toEqual([keys.channel('small', run.run, 'train')]);
    expect(manifest.settings.shardSizeMb).toBeUndefined();
  });

  it('commits a sharded run once for duplicate events, and only its manifest would start training', async () => {
    const { handle, notifier } = handler();
    const { server } = fixture();
    const data = dataset(4000, 6);
    await upload('raw/dup/sagedrop.json', JSON.stringify({ algorithm: 'linear-learner', shardSizeMb: 0.04 }));
    await upload('raw/dup/x.csv', data.x);
    const yEvent = await upload('raw/dup/y.csv', data.y);
    const created: string[] = [];
    const stop = server.onObjectCreated((n) => {
      for (const r of n.Records) created.push(decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
    });
    const outcomes = (
      await Promise.all([handle(yEvent, context('dup-1')), handle(yEvent, context('dup-2'))])
    ).flat();
    const again = await handle(yEvent, context('dup-3'));
    stop();
    const runs = outcomes.filter((o) => o.outcome === 'committed');
    expect(runs.filter((o) => o.outcome === 'committed' && o.created)).toHaveLength(1);
    expect(again).toEqual([expect.objectContaining({ outcome: 'committed', created: false })]);
    const run = committed(outcomes);
    const manifest = await readManifestAt(run.manifestKey);
    expect(manifest.channels.train.files.length).toBeGreaterThan(1);
    const manifests = (await keysUnder('train/dup/')).filter((k) => k.endsWith('/manifest.json'));
    expect(manifests).toEqual([run.manifestKey]);
    // Every part is an object-created event under train/, but only the manifest matches the train trigger.
    expect(created.filter((key) => key.includes('/part-')).length).toBeGreaterThan(1);
    expect(created.filter((key) => functionsTriggeredBy(key).includes('train'))).toEqual([run.manifestKey]);
    expect(notifier.sent).toEqual([]);
  });

  it('writes gzip uploads, whose decompressed size is unknown up front, as parts of at most shardSizeMb', async () => {
    const { gzipSync } = await import('node:zlib');
    const { server, client } = fixture();
    const { handle } = handler();
    const data = dataset(5000, 6);
    await upload(
      'raw/zipped/sagedrop.json',
      JSON.stringify({ shardSizeMb: 0.05, algorithm: 'linear-learner' }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: server.bucket, Key: 'raw/zipped/x.csv', Body: gzipSync(data.x) }),
    );
    const run = committed(await handle(await upload('raw/zipped/y.csv', data.y), context('req-gz')));
    const manifest = await readManifestAt(run.manifestKey);
    const train = manifest.channels.train;
    expect(train.files.length).toBeGreaterThan(1);
    for (const key of train.files)
      expect((await fixture().store.head(key))?.size).toBeLessThanOrEqual(50_000);
    expect(manifest.rows.total).toBe(5000);
  });
});
