import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createMergeHandler } from '../../handlers/merge';
import { keys } from '../../lib/layout';
import type { S3Notification } from '../../lib/local/s3-server';
import type { ObjectRef, ObjectStore } from '../../lib/ports';
import type { MergeOutcome } from '../../lib/stages/merge';
import { runManifestSchema } from '../../lib/training/manifest';
import { useLocalS3 } from '../support/s3-server';
import { mergeDeps } from '../support/stage-worlds';

const fixture = useLocalS3();

function context(requestId: string): Context {
  return { awsRequestId: requestId } as Context;
}

function deps(store?: ObjectStore) {
  const { server, store: local } = fixture();
  const { deps: stageDeps, notifier } = mergeDeps(store ?? local, server.bucket);
  return { mergeDeps: stageDeps, notifier, handler: createMergeHandler(() => stageDeps) };
}

/** Uploads through the SDK as a user would and returns the notification S3 sends for it. */
async function userUpload(key: string, body: string | Buffer): Promise<S3Notification> {
  const { server, client } = fixture();
  const notified = new Promise<S3Notification>((resolve) => {
    const stop = server.onObjectCreated((n) => {
      if (n.Records.some((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')) === key)) {
        stop();
        resolve(n);
      }
    });
  });
  if (body.length > 8 * 1024 * 1024) {
    await new Upload({ client, params: { Bucket: server.bucket, Key: key, Body: body } }).done();
  } else {
    await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: body }));
  }
  return notified;
}

/** `rows` rows of `features` numbers; the first feature is the row number, so every joined row is distinct. */
function dataset(rows: number, features: number, header = true) {
  const tails = Array.from({ length: 4096 }, (_, i) =>
    Array.from({ length: features - 1 }, (_, j) => (((i + 1) * (j + 3) * 7919) % 100003) / 1000).join(','),
  );
  const x: string[] = header ? [Array.from({ length: features }, (_, j) => `feature_${j}`).join(',')] : [];
  const y: string[] = header ? ['label'] : [];
  const joined: string[] = [];
  for (let i = 0; i < rows; i++) {
    const row = `${i},${tails[i % 4096]}`;
    const label = String(i % 3);
    x.push(row);
    y.push(label);
    joined.push(`${label},${row}`);
  }
  return { x: `${x.join('\r\n')}\r\n`, y: `${y.join('\n')}\n`, joined };
}

async function manifestsUnder(prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const ref of fixture().store.list(prefix))
    if (ref.key.endsWith('/manifest.json')) found.push(ref.key);
  return found;
}

function committed(outcomes: MergeOutcome[]): Extract<MergeOutcome, { outcome: 'committed' }>[] {
  return outcomes.filter(
    (o): o is Extract<MergeOutcome, { outcome: 'committed' }> => o.outcome === 'committed',
  );
}

describe('merge against a local S3 server', () => {
  it('merges multipart uploads into multipart channel files and a manifest, from real S3 events', async () => {
    const { handler } = deps();
    const { store } = fixture();
    const data = dataset(200_000, 10);
    expect(data.x.length).toBeGreaterThan(8 * 1024 * 1024);
    const xEvent = await userUpload('raw/big data/x.csv', data.x);
    expect(xEvent.Records[0]?.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(await handler(xEvent, context('req-x'))).toMatchObject([{ outcome: 'waiting', missing: ['y'] }]);
    const yEvent = await userUpload('raw/big data/y.csv', data.y);
    const [outcome] = committed(await handler(yEvent, context('req-y')));
    if (!outcome) throw new Error('no run');
    const manifest = runManifestSchema.parse(JSON.parse((await store.getText(outcome.manifestKey)) ?? ''));
    expect(manifest).toMatchObject({
      dataset: 'big data',
      featureCount: 10,
      headerDropped: { x: true, y: true },
      rows: { total: 200_000 },
      labels: { distinct: ['0', '1', '2'], integer: true },
    });
    const expected = new Set(data.joined);
    const train = (await store.getText(manifest.channels.train.files[0] ?? '')) ?? '';
    expect(Buffer.byteLength(train)).toBeGreaterThan(8 * 1024 * 1024);
    const trainRows = train.split('\n').slice(0, -1);
    expect(trainRows).toHaveLength(manifest.rows.train);
    for (const row of trainRows) expect(expected.has(row)).toBe(true);
    const test = ((await store.getText(keys.channel('big data', outcome.run, 'test'))) ?? '')
      .split('\n')
      .slice(0, -1);
    expect(test).toHaveLength(manifest.rows.test);
    expect(test.every((row) => expected.has(row))).toBe(true);
    expect(await store.head(keys.testLabels('big data', outcome.run))).toBeUndefined();
    expect(await fixture().server.openMultipartUploads()).toEqual([]);
  });

  it('handles the same event twice with one run and one manifest', async () => {
    const { handler, notifier } = deps();
    const data = dataset(500, 4);
    await userUpload('raw/twice/x.csv', data.x);
    const event = await userUpload('raw/twice/y.csv', data.y);
    const first = committed(await handler(event, context('req-1')));
    const second = committed(await handler(event, context('req-2')));
    expect(first[0]?.created).toBe(true);
    expect(second[0]).toMatchObject({ created: false, run: first[0]?.run });
    expect(await manifestsUnder('train/twice/')).toHaveLength(1);
    expect(notifier.sent).toEqual([]);
  });

  it('starts exactly one run when the x and y events (and a duplicate) are handled at the same time, every time', async () => {
    const { handler } = deps();
    const data = dataset(200, 3, false);
    for (let i = 0; i < 30; i++) {
      const name = `race-${i}`;
      const xEvent = await userUpload(`raw/${name}/x.csv`, data.x);
      const yEvent = await userUpload(`raw/${name}/y.csv`, data.y);
      const outcomes = (
        await Promise.all([
          handler(xEvent, context(`x-${i}`)),
          handler(yEvent, context(`y-${i}`)),
          // S3 delivers at least once: a duplicate of one of them joins the race.
          handler(i % 2 ? xEvent : yEvent, context(`dup-${i}`)),
        ])
      ).flat();
      expect(committed(outcomes).filter((o) => o.created)).toHaveLength(1);
      expect(await manifestsUnder(`train/${name}/`)).toHaveLength(1);
    }
  });

  it('starts one new run for each identical re-upload of x and y, within one second, the x event racing the y upload', async () => {
    const { handler } = deps();
    const data = dataset(200, 3, false);
    const runs = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const xEvent = await userUpload('raw/again/x.csv', data.x);
      // As on Lambda: the x event is handled while y is still being uploaded.
      const xHandled = handler(xEvent, context(`x-${i}`));
      const yEvent = await userUpload('raw/again/y.csv', data.y);
      const outcomes = [...(await xHandled), ...(await handler(yEvent, context(`y-${i}`)))];
      const created = committed(outcomes).filter((o) => o.created);
      expect(created).toHaveLength(1);
      for (const o of created) runs.add(o.run);
      expect(xEvent.Records[0]?.s3.object.versionId).toEqual(expect.any(String));
    }
    expect(runs.size).toBe(10);
    expect(await manifestsUnder('train/again/')).toHaveLength(10);
  });

  it('recovers from a crash mid-merge: no run is visible, and the retry completes it', async () => {
    const { store, server } = fixture();
    const data = dataset(60_000, 8);
    let failNextRead = true;
    // A store whose first read of x dies halfway, as a Lambda killed mid-stream would.
    const crashing: ObjectStore = {
      ...store,
      read(ref: ObjectRef) {
        if (!ref.key.endsWith('x.csv') || !failNextRead) return store.read(ref);
        // The merge's read dies; the inspection before it reads only the start of x.
        return (async function* () {
          let sent = 0;
          for await (const chunk of store.read(ref)) {
            yield chunk;
            sent += chunk.byteLength;
            if (failNextRead && sent > ref.size / 2) {
              failNextRead = false;
              throw new Error('socket hang up');
            }
          }
        })();
      },
    };
    const { handler } = deps(crashing);
    await userUpload('raw/crash/x.csv', data.x);
    const event = await userUpload('raw/crash/y.csv', data.y);
    const before = await store.head('raw/crash/x.csv');
    await expect(handler(event, context('req-crash'))).rejects.toThrow('socket hang up');
    expect(await manifestsUnder('train/crash/')).toEqual([]);
    expect(await server.openMultipartUploads()).toEqual([]);
    const [outcome] = committed(await handler(event, context('req-crash')));
    expect(outcome?.created).toBe(true);
    expect(await manifestsUnder('train/crash/')).toHaveLength(1);
    expect(await store.head('raw/crash/x.csv')).toEqual(before);
  });

  it('rejects bad input with a report and one notification, writing no channel file', async () => {
    const { handler, notifier } = deps();
    const { store } = fixture();
    const data = dataset(100, 3);
    await userUpload('raw/short/x.csv', data.x);
    const yShort = `${data.y.split('\n').slice(0, 60).join('\n')}\n`;
    const event = await userUpload('raw/short/y.csv', yShort);
    const [outcome] = await handler(event, context('req-r'));
    expect(outcome?.outcome).toBe('rejected');
    await handler(event, context('req-r2'));
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.detailType).toBe('Dataset Rejected');
    const trainKeys: string[] = [];
    for await (const ref of store.list('train/short/')) trainKeys.push(ref.key);
    expect(trainKeys.filter((k) => !k.includes('/_inputs/'))).toEqual([]);
    const errors: string[] = [];
    for await (const ref of store.list('errors/short/')) errors.push(ref.key);
    expect(errors).toHaveLength(1);
    expect(await store.getText('raw/short/y.csv')).toBe(yShort);
  });

  it('ignores the S3 test event, and tells the owner once about each upload it never reads', async () => {
    const { handler, notifier } = deps();
    expect(await handler({ Event: 's3:TestEvent', Service: 'Amazon S3' }, context('t'))).toEqual([]);
    const event = await userUpload('raw/notes/readme.txt', 'hello');
    expect(await handler(event, context('t2'))).toEqual([
      {
        outcome: 'ignored',
        key: 'raw/notes/readme.txt',
        dataset: 'notes',
        reason: expect.stringMatching(/^"readme\.txt" is not a file the pipeline reads; it reads "x\.csv"/),
      },
    ]);
    await handler(event, context('t3'));
    const again = await userUpload('raw/notes/readme.txt', 'hello');
    await handler(again, context('t4'));
    const told = notifier.sent.filter((e) => e.detailType === 'Upload Ignored');
    // One per uploaded version: the duplicate delivery is not told again, the identical re-upload is.
    expect(told.map((e) => e.detail.dataset)).toEqual(['notes', 'notes']);
    expect(new Set(told.map((e) => (e.detailType === 'Upload Ignored' ? e.detail.versionId : ''))).size).toBe(
      2,
    );
  });
});
