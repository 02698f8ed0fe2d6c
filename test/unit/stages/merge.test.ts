import { describe, expect, it } from 'vitest';
import { DatasetRejectedError } from '../../../lib/csv/errors';
import { mergeStreams } from '../../../lib/csv/merge';
import type { MergeOptions, OpenOutput } from '../../../lib/csv/types';
import { keys } from '../../../lib/layout';
import type { Invocation, MergeDeps } from '../../../lib/stages/deps';
import { handleRawUpload, type MergeEngine } from '../../../lib/stages/merge';
import { CLAIM_LEASE_MS, inputToken, runIdFor } from '../../../lib/stages/pairing';
import { runManifestSchema } from '../../../lib/training/manifest';
import { MemoryStore } from '../../support/memory-store';
import { numericDataset } from '../../support/merge-fixtures';
import { mergeDeps } from '../../support/stage-worlds';

const engine: MergeEngine = mergeStreams;

function setup(options: { engine?: MergeEngine; now?: () => Date } = {}) {
  const store = new MemoryStore();
  const { deps: base, notifier } = mergeDeps(store);
  const calls: MergeOptions[] = [];
  const counting: MergeEngine = (x, y, open, mergeOptions) => {
    calls.push(mergeOptions);
    return (options.engine ?? engine)(x, y, open, mergeOptions);
  };
  const deps: MergeDeps = { ...base, engine: counting };
  const stage: Invocation = { requestId: 'request-1', ...(options.now ? { now: options.now } : {}) };
  const upload = (key: string, requestId = stage.requestId) =>
    handleRawUpload(deps, { key }, { ...stage, requestId });
  return { store, deps, notifier, calls, stage, upload };
}

const data = numericDataset(40, 3);

function manifests(store: MemoryStore): string[] {
  return store.keys().filter((k) => k.endsWith('/manifest.json'));
}

describe('merge stage: pairing', () => {
  it('waits while only one of the two files is there', async () => {
    const { store, upload, calls } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    const outcome = await upload('raw/iris/x.csv');
    expect(outcome).toMatchObject({ outcome: 'waiting', dataset: 'iris', missing: ['y'] });
    expect(calls).toHaveLength(0);
    expect(store.keys()).toEqual(['raw/iris/x.csv']);
  });

  it('merges once both are there, writing the channels and then the manifest', async () => {
    const { store, upload } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await upload('raw/iris/x.csv');
    await store.upload('raw/iris/y.csv', data.y);
    const outcome = await upload('raw/iris/y.csv');
    expect(outcome.outcome).toBe('committed');
    if (outcome.outcome !== 'committed') return;
    const manifest = runManifestSchema.parse(JSON.parse(store.text(outcome.manifestKey) ?? ''));
    expect(manifest).toMatchObject({
      dataset: 'iris',
      run: outcome.run,
      bucket: 'test-bucket',
      featureCount: 3,
      rows: { total: 40 },
      inputs: { x: { key: 'raw/iris/x.csv', size: data.x.length }, y: { key: 'raw/iris/y.csv' } },
      settings: { algorithm: 'linear-learner' },
    });
    expect(manifest.rows.train + manifest.rows.validation + manifest.rows.test).toBe(40);
    expect(manifest.channels.train.labelFirst).toBe(true);
    expect(manifest.channels.test?.labelFirst).toBe(true);
    for (const [, channel] of Object.entries(manifest.channels)) {
      for (const file of channel.files) expect(store.text(file)?.split('\n').length).toBe(channel.rows + 1);
    }
    expect(manifest.testLabels).toBeUndefined();
    const written = [...store.versions.keys()].filter((k) => k.startsWith(`train/iris/${outcome.run}/`));
    expect(written.at(-1)).toBe(outcome.manifestKey);
  });

  it('puts files directly under raw/ into the default dataset and reads raw/sagedrop.json', async () => {
    const { store, upload, calls } = setup();
    await store.upload('raw/sagedrop.json', JSON.stringify({ algorithm: 'xgboost', testFraction: 0 }));
    await store.upload('raw/x.csv', data.x);
    await store.upload('raw/y.csv', data.y);
    const outcome = await upload('raw/y.csv');
    expect(outcome).toMatchObject({ outcome: 'committed', dataset: 'default' });
    expect(calls[0]).toMatchObject({ numeric: 'numeric-or-empty', labelInTraining: true, testFraction: 0 });
    if (outcome.outcome !== 'committed') return;
    expect(outcome.manifest.inputs.settings?.key).toBe('raw/sagedrop.json');
    expect(outcome.manifest.channels.test).toBeUndefined();
  });

  it('hands the settings of the dataset to the engine and records them', async () => {
    const { store, upload, calls } = setup();
    await store.upload(
      'raw/blobs/sagedrop.json',
      JSON.stringify({
        algorithm: 'kmeans',
        hyperparameters: { k: 3 },
        validationFraction: 0.3,
        splitSeed: 's',
      }),
    );
    await store.upload('raw/blobs/x.csv', data.x);
    await store.upload('raw/blobs/y.csv', data.y);
    const outcome = await upload('raw/blobs/x.csv');
    expect(calls).toEqual([
      {
        xFile: 'raw/blobs/x.csv',
        yFile: 'raw/blobs/y.csv',
        validationFraction: 0.3,
        testFraction: 0.1,
        splitSeed: 's',
        numeric: 'numeric',
        labelInTraining: false,
        // The memory store keeps the chunks it is given: the engine must not reuse them.
        reuseWrittenChunks: false,
        droppedColumns: { x: 0, y: 0 },
      },
    ]);
    if (outcome.outcome !== 'committed') throw new Error(outcome.outcome);
    expect(outcome.manifest.settings).toMatchObject({ algorithm: 'kmeans', hyperparameters: { k: '3' } });
    expect(outcome.manifest.channels.train.labelFirst).toBe(false);
  });

  it('handles the same event twice with one run and one manifest', async () => {
    const { store, upload, calls } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const first = await upload('raw/iris/y.csv', 'request-1');
    const second = await upload('raw/iris/y.csv', 'request-2');
    expect(first).toMatchObject({ outcome: 'committed', created: true });
    expect(second).toMatchObject({
      outcome: 'committed',
      created: false,
      run: first.outcome === 'committed' ? first.run : '',
    });
    expect(calls).toHaveLength(1);
    expect(manifests(store)).toHaveLength(1);
  });

  it('runs once when the x and y events are handled at the same time', async () => {
    const { store, upload, calls } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const outcomes = await Promise.all([
      upload('raw/iris/x.csv', 'request-x'),
      upload('raw/iris/y.csv', 'request-y'),
    ]);
    expect(calls).toHaveLength(1);
    expect(manifests(store)).toHaveLength(1);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['committed', 'in-progress']);
  });

  it('does not pair a re-uploaded file with its partner already used, and runs again when both are new', async () => {
    const { store, upload } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const first = await upload('raw/iris/y.csv');
    await store.upload('raw/iris/y.csv', data.y);
    const waiting = await upload('raw/iris/y.csv');
    expect(waiting).toMatchObject({ outcome: 'waiting', missing: ['x'] });
    if (waiting.outcome === 'waiting')
      expect(waiting.reason).toContain('raw/iris/x.csv was already used by run');
    expect(manifests(store)).toHaveLength(1);
    await store.upload('raw/iris/x.csv', data.x);
    const second = await upload('raw/iris/x.csv');
    expect(second.outcome).toBe('committed');
    expect(manifests(store)).toHaveLength(2);
    if (first.outcome === 'committed' && second.outcome === 'committed')
      expect(second.run > first.run).toBe(true);
  });

  it('releases its claim on a new upload when the partner is used up, so it can pair later', async () => {
    const { store, upload } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    await upload('raw/iris/y.csv');
    const x2 = await store.upload('raw/iris/x.csv', data.x);
    expect((await upload('raw/iris/x.csv')).outcome).toBe('waiting');
    expect(await store.head(keys.inputClaim('iris', 'x', inputToken(x2)))).toBeUndefined();
    await store.upload('raw/iris/y.csv', data.y);
    const outcome = await upload('raw/iris/y.csv');
    expect(outcome.outcome).toBe('committed');
    if (outcome.outcome === 'committed') expect(outcome.manifest.inputs.x.versionId).toBe(x2.versionId);
  });

  it('starts exactly one run when identical x and y are uploaded again and the y event finds x held by the x event', async () => {
    const { store, deps, upload } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    expect((await upload('raw/iris/y.csv', 'first')).outcome).toBe('committed');
    const x2 = await store.upload('raw/iris/x.csv', data.x);
    // The x event claims the new x, sees the old (used) y, and lets x go. In that window y arrives
    // and the y event runs to its end, finding x busy: the x event must then take the new pair itself.
    let yEvent: Promise<unknown> | undefined;
    const claimX = keys.inputClaim('iris', 'x', inputToken(x2));
    const put = store.put.bind(store);
    store.put = async (key, body, options) => {
      const result = await put(key, body, options);
      if (key === claimX && !yEvent) {
        yEvent = store.upload('raw/iris/y.csv', data.y).then(() => upload('raw/iris/y.csv', 'y-event'));
        expect(await yEvent).toMatchObject({ outcome: 'in-progress' });
      }
      return result;
    };
    const xEvent = await handleRawUpload(deps, { key: 'raw/iris/x.csv' }, { requestId: 'x-event' });
    expect(yEvent).toBeDefined();
    expect(xEvent).toMatchObject({ outcome: 'committed', created: true });
    expect(manifests(store)).toHaveLength(2);
    if (xEvent.outcome === 'committed') {
      expect(xEvent.manifest.inputs.x.versionId).toBe(x2.versionId);
      expect(xEvent.manifest.inputs.y.versionId).toBe((await store.head('raw/iris/y.csv'))?.versionId);
    }
  });

  it('re-pairs when a new settings file arrives after both inputs', async () => {
    const { store, upload } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    await store.upload('raw/iris/sagedrop.json', '{"algorithm": "nope"}');
    const rejected = await upload('raw/iris/sagedrop.json');
    expect(rejected.outcome).toBe('rejected');
    await store.upload('raw/iris/sagedrop.json', '{"algorithm": "xgboost"}');
    const outcome = await upload('raw/iris/sagedrop.json');
    expect(outcome).toMatchObject({ outcome: 'committed', manifest: { settings: { algorithm: 'xgboost' } } });
  });

  it('ignores keys outside raw/ and folder markers without a word', async () => {
    const { store, upload, notifier } = setup();
    expect(await upload('train/iris/r/manifest.json')).toEqual({
      outcome: 'ignored',
      key: 'train/iris/r/manifest.json',
    });
    expect(await upload('raw/iris/')).toEqual({ outcome: 'ignored', key: 'raw/iris/' });
    expect(store.keys()).toEqual([]);
    expect(notifier.sent).toEqual([]);
  });

  it.each([
    [
      'raw/iris/features.csv',
      'iris',
      /"features\.csv" is not a file the pipeline reads/,
      /raw\/iris\/x\.csv/,
    ],
    [
      'raw/iris/X.CSV',
      'iris',
      /"X\.CSV" is not "x\.csv": file names are case-sensitive/,
      /as raw\/iris\/x\.csv/,
    ],
    ['raw/a/b/x.csv', 'a', /2 folders deep under raw\//, /Upload it as raw\/a\/x\.csv \(dataset "a"\)/],
    ['raw/y.xlsx', 'default', /"y\.xlsx" is not a file the pipeline reads/, /CSV UTF-8.* raw\/y\.csv/],
    ['raw/_x/features.csv', '_invalid', /not a file the pipeline reads/, /raw\/_x\/x\.csv/],
  ])(
    'tells the owner once per upload that %s is never used, naming the expected files',
    async (key, dataset, reason, hint) => {
      const { store, deps, notifier } = setup();
      const ref = await store.upload(key, 'a,b\n1,2\n');
      const event = { key, etag: ref.etag, versionId: ref.versionId ?? '' };
      const outcome = await handleRawUpload(deps, event, { requestId: 'request-1' });
      expect(outcome).toMatchObject({
        outcome: 'ignored',
        key,
        dataset,
        reason: expect.stringMatching(reason),
      });
      // S3 delivers at least once, and Lambda retries: the same upload is told about once.
      await handleRawUpload(deps, event, { requestId: 'request-2' });
      expect(notifier.sent).toHaveLength(1);
      const [sent] = notifier.sent;
      expect(sent?.detailType).toBe('Upload Ignored');
      if (sent?.detailType !== 'Upload Ignored') return;
      expect(sent.detail).toMatchObject({ dataset, file: key, versionId: ref.versionId });
      expect(sent.detail.expected).toEqual(['x.csv', 'y.csv', 'x.csv.gz', 'y.csv.gz', 'sagedrop.json']);
      expect(sent.detail.hint).toMatch(hint);
      expect(store.keys().filter((k) => !k.startsWith('notifications/'))).toEqual([key]);
    },
  );

  it('tells the owner again when the same ignored name is uploaded again, identical bytes too', async () => {
    const { store, deps, notifier } = setup();
    for (const requestId of ['first', 'second']) {
      const ref = await store.upload('raw/iris/labels.csv', '1\n');
      const event = { key: ref.key, etag: ref.etag, versionId: ref.versionId ?? '' };
      await handleRawUpload(deps, event, { requestId });
    }
    expect(notifier.sent.map((e) => e.detailType)).toEqual(['Upload Ignored', 'Upload Ignored']);
  });
});

describe('merge stage: run ids', () => {
  const at = (iso: string) => new Date(iso);
  const x = { key: 'raw/x.csv', etag: '"a"', size: 1, lastModified: at('2026-03-04T05:06:07.890Z') };
  const y = {
    key: 'raw/y.csv',
    etag: '"b"',
    size: 1,
    lastModified: at('2026-03-04T05:06:09.000Z'),
    versionId: 'v2',
  };

  it('derives the same id from the same inputs, with the newer upload time first', () => {
    expect(runIdFor(x, y, undefined)).toBe(runIdFor({ ...x }, { ...y }, undefined));
    expect(runIdFor(x, y, undefined)).toMatch(/^20260304T050609Z-[0-9a-f]{10}$/);
  });

  it('gives another id when an input or the settings file is another version', () => {
    const base = runIdFor(x, y, undefined);
    expect(runIdFor({ ...x, etag: '"c"' }, y, undefined)).not.toBe(base);
    expect(runIdFor(x, { ...y, versionId: 'v3' }, undefined)).not.toBe(base);
    expect(
      runIdFor(x, y, { key: 'raw/sagedrop.json', etag: '"s"', size: 2, lastModified: x.lastModified }),
    ).not.toBe(base);
  });
});

describe('merge stage: rejection', () => {
  const rejecting: MergeEngine = async () => {
    throw new DatasetRejectedError(
      'ROW_COUNT_MISMATCH',
      'raw/iris/y.csv has 39 rows but raw/iris/x.csv has 40',
      { file: 'raw/iris/y.csv', row: 40 },
      'Make both files have one row per example.',
    );
  };

  it('writes a report, notifies once and starts no run', async () => {
    const { store, upload, notifier } = setup({ engine: rejecting });
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const outcome = await upload('raw/iris/y.csv');
    expect(outcome.outcome).toBe('rejected');
    if (outcome.outcome !== 'rejected') return;
    expect(outcome.reportKey).toBe(keys.errorReport('iris', outcome.run ?? ''));
    const report = JSON.parse(store.text(outcome.reportKey) ?? '');
    expect(report).toMatchObject({
      dataset: 'iris',
      run: outcome.run,
      code: 'ROW_COUNT_MISMATCH',
      message: 'raw/iris/y.csv has 39 rows but raw/iris/x.csv has 40',
      file: 'raw/iris/y.csv',
      row: 40,
      hint: 'Make both files have one row per example.',
      inputs: { x: { key: 'raw/iris/x.csv' }, y: { key: 'raw/iris/y.csv' } },
    });
    await upload('raw/iris/x.csv', 'request-2');
    expect(notifier.sent).toEqual([
      {
        detailType: 'Dataset Rejected',
        detail: expect.objectContaining({
          dataset: 'iris',
          run: outcome.run,
          code: 'ROW_COUNT_MISMATCH',
          file: 'raw/iris/y.csv',
          row: 40,
          reportUri: `s3://test-bucket/${outcome.reportKey}`,
        }),
      },
    ]);
    expect(manifests(store)).toEqual([]);
    expect(store.keys().filter((k) => k.includes(`/${outcome.run}/`))).toEqual([]);
    expect(store.versions.get('raw/iris/x.csv')).toHaveLength(1);
  });

  it('leaves no channel file behind when the engine rejects after writing rows', async () => {
    const partial: MergeEngine = async (_x, _y, open: OpenOutput, _options) => {
      open('train').write('1,2,3\n');
      open('validation').write('0,1,1\n');
      return rejecting(_x, _y, open, _options);
    };
    const { store, upload } = setup({ engine: partial });
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    expect((await upload('raw/iris/y.csv')).outcome).toBe('rejected');
    expect(store.keys().filter((k) => k.startsWith('train/') && !k.includes('/_inputs/'))).toEqual([]);
  });

  it('rejects an invalid settings file with a report naming it', async () => {
    const { store, upload, notifier, calls } = setup();
    await store.upload('raw/iris/sagedrop.json', '{"role": "admin"}');
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const outcome = await upload('raw/iris/y.csv');
    expect(outcome.outcome).toBe('rejected');
    expect(calls).toHaveLength(0);
    if (outcome.outcome !== 'rejected') return;
    const report = JSON.parse(store.text(outcome.reportKey) ?? '');
    expect(report.file).toBe('raw/iris/sagedrop.json');
    expect(report.message).toContain('"role" cannot be set per dataset');
    expect(report.inputs.settings.key).toBe('raw/iris/sagedrop.json');
    expect(notifier.sent).toHaveLength(1);
  });

  it('does not consume the inputs of a rejected run: a corrected y pairs with the same x', async () => {
    let reject = true;
    const sometimes: MergeEngine = (x, y, open, options) =>
      reject ? rejecting(x, y, open, options) : engine(x, y, open, options);
    const { store, upload } = setup({ engine: sometimes });
    const x = await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    expect((await upload('raw/iris/y.csv')).outcome).toBe('rejected');
    reject = false;
    await store.upload('raw/iris/y.csv', data.y);
    const outcome = await upload('raw/iris/y.csv');
    expect(outcome.outcome).toBe('committed');
    if (outcome.outcome === 'committed') expect(outcome.manifest.inputs.x.versionId).toBe(x.versionId);
  });

  it('picks up a corrected file uploaded while the rejected run was merging', async () => {
    let store: MemoryStore | undefined;
    let first = true;
    const uploadsDuring: MergeEngine = async (x, y, open, options) => {
      if (!first) return engine(x, y, open, options);
      first = false;
      await store?.upload('raw/iris/y.csv', data.y);
      return rejecting(x, y, open, options);
    };
    const fixture = setup({ engine: uploadsDuring });
    store = fixture.store;
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const outcome = await fixture.upload('raw/iris/y.csv');
    expect(outcome.outcome).toBe('committed');
    expect(manifests(store)).toHaveLength(1);
    expect(store.keys().filter((k) => k.startsWith('errors/'))).toHaveLength(1);
  });

  it('reports an upload into a folder that cannot be a dataset, under errors/_invalid/', async () => {
    const { store, upload, notifier } = setup();
    await store.upload('raw/_private/x.csv', data.x);
    const outcome = await upload('raw/_private/x.csv');
    expect(outcome.outcome).toBe('rejected');
    if (outcome.outcome !== 'rejected') return;
    expect(outcome.reportKey).toMatch(/^errors\/_invalid\/[0-9a-f]{32}\.json$/);
    expect(outcome.message).toContain('raw/_private/x.csv');
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.detail).toMatchObject({ dataset: '_invalid', file: 'raw/_private/x.csv' });
    expect(store.keys().filter((k) => !k.startsWith('errors/') && !k.startsWith('notifications/'))).toEqual([
      'raw/_private/x.csv',
    ]);
  });
});

describe('merge stage: failures and retries', () => {
  const crashing: MergeEngine = async (_x, _y, open, _options) => {
    open('train').write('1,2,3\n');
    throw new Error('Lambda ran out of memory');
  };

  it("rethrows what is not the user's fault, leaving no run and freeing the inputs for a retry", async () => {
    let crash = true;
    const flaky: MergeEngine = (x, y, open, options) =>
      crash ? crashing(x, y, open, options) : engine(x, y, open, options);
    const { store, upload, notifier } = setup({ engine: flaky });
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    await expect(upload('raw/iris/y.csv', 'request-1')).rejects.toThrow('out of memory');
    expect(manifests(store)).toEqual([]);
    expect(store.keys().filter((k) => k.startsWith('train/'))).toEqual([]);
    expect(notifier.sent).toEqual([]);
    crash = false;
    expect((await upload('raw/iris/y.csv', 'request-1')).outcome).toBe('committed');
    expect(manifests(store)).toHaveLength(1);
  });

  /** Claims as an invocation that died mid-merge (no chance to release them) leaves them. */
  async function leaveDeadClaims(store: MemoryStore, owner: string, at: Date) {
    const [x, y] = [await store.head('raw/iris/x.csv'), await store.head('raw/iris/y.csv')];
    if (!x || !y) throw new Error('upload x and y first');
    const run = runIdFor(x, y, undefined);
    for (const [file, ref] of [['x', x] as const, ['y', y] as const]) {
      await store.put(
        keys.inputClaim('iris', file, inputToken(ref)),
        JSON.stringify({ run, owner, at: at.toISOString() }),
      );
    }
    return run;
  }

  it('keeps the inputs of an invocation that died for its own retry, and lets others in after the lease', async () => {
    let clock = Date.parse('2026-06-01T00:00:00Z');
    const { store, upload } = setup({ now: () => new Date(clock) });
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const run = await leaveDeadClaims(store, 'request-dead', new Date(clock));
    expect(await upload('raw/iris/x.csv', 'request-2')).toMatchObject({ outcome: 'in-progress', run });
    clock += CLAIM_LEASE_MS + 1000;
    expect(await upload('raw/iris/x.csv', 'request-3')).toMatchObject({
      outcome: 'committed',
      run,
      created: true,
    });
    expect(await upload('raw/iris/x.csv', 'request-dead')).toMatchObject({
      outcome: 'committed',
      created: false,
    });
    expect(manifests(store)).toHaveLength(1);
  });

  it('lets the retry of a dead invocation take back its claims when an input changed meanwhile', async () => {
    const { store, upload } = setup();
    await store.upload('raw/iris/x.csv', data.x);
    await store.upload('raw/iris/y.csv', data.y);
    const first = await leaveDeadClaims(store, 'request-1', new Date());
    await store.upload('raw/iris/x.csv', data.x);
    const outcome = await upload('raw/iris/y.csv', 'request-1');
    expect(outcome.outcome).toBe('committed');
    if (outcome.outcome === 'committed') expect(outcome.run).not.toBe(first);
  });

  it('fails with the upload error, not a stream error, when storing an output fails', async () => {
    const { store, deps, stage } = setup();
    // Large enough that the engine would block on an output nobody reads.
    const large = numericDataset(100_000, 20);
    await store.upload('raw/iris/x.csv', large.x);
    await store.upload('raw/iris/y.csv', large.y);
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const failing = Object.create(store) as MemoryStore;
    failing.put = async (key, body, options) => {
      if (typeof body === 'string' || body instanceof Uint8Array) return store.put(key, body, options);
      throw denied;
    };
    await expect(handleRawUpload({ ...deps, store: failing }, { key: 'raw/iris/y.csv' }, stage)).rejects.toBe(
      denied,
    );
    expect(manifests(store)).toEqual([]);
  });
});
