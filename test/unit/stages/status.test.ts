import { describe, expect, it } from 'vitest';
import { keys } from '../../../lib/layout';
import { inputToken } from '../../../lib/stages/pairing';
import {
  datasetStatus,
  describeWaiting,
  formatDatasetStatus,
  listDatasets,
} from '../../../lib/stages/status';
import { evaluationWorld } from '../../support/evaluation-world';
import { baseSettings } from '../../support/manifests';
import { MemoryStore } from '../../support/memory-store';

const at = '2026-01-01T00:00:00.000Z';

describe('describeWaiting', () => {
  it('names the missing file', () => {
    expect(describeWaiting({ state: 'missing' }, { state: 'missing' })).toBe('waiting for x.csv and y.csv');
    expect(describeWaiting({ state: 'new', uploadedAt: at }, { state: 'missing' })).toBe('waiting for y.csv');
  });

  it('says a re-uploaded file waits for a new upload of its partner, which was already used', () => {
    expect(
      describeWaiting({ state: 'consumed', run: 'r1', uploadedAt: at }, { state: 'new', uploadedAt: at }),
    ).toBe('waiting for a new x.csv: the current one was used by run r1 and never pairs with the new y.csv');
  });

  it('says both files must be uploaded again once a run used them', () => {
    const used = { state: 'consumed', run: 'r1', uploadedAt: at } as const;
    expect(describeWaiting(used, used)).toMatch(/upload x\.csv and y\.csv again/);
  });
});

describe('datasetStatus', () => {
  async function withRun() {
    const store = new MemoryStore();
    const x = await store.upload(keys.raw('iris', 'x'), '1\n');
    const y = await store.upload(keys.raw('iris', 'y'), '0\n');
    for (const [file, ref] of [
      ['x', x],
      ['y', y],
    ] as const) {
      await store.put(
        keys.inputClaim('iris', file, inputToken(ref)),
        JSON.stringify({ run: 'r1', owner: 'o', at }),
      );
    }
    await store.put(
      keys.manifest('iris', 'r1'),
      JSON.stringify({
        schemaVersion: '1.0',
        dataset: 'iris',
        run: 'r1',
        createdAt: at,
        bucket: 'b',
        inputs: {
          x: { key: x.key, etag: x.etag, size: 2, lastModified: at },
          y: { key: y.key, etag: y.etag, size: 2, lastModified: at },
        },
        rows: { total: 1, train: 1, validation: 0, test: 0 },
        featureCount: 1,
        headerDropped: { x: false, y: false },
        labels: { distinct: ['0'], moreDistinct: false, numeric: true, integer: true },
        settings: { ...baseSettings, validationFraction: 0, testFraction: 0, splitSeed: 's' },
        channels: { train: { prefix: 'p/', files: ['p/train.csv'], rows: 1, bytes: 2, labelFirst: true } },
      }),
    );
    return store;
  }

  it('shows a run without a catalog entry as training', async () => {
    const store = await withRun();
    const status = await datasetStatus(store, 'iris');
    expect(status.runs).toEqual([{ run: 'r1', createdAt: at, rows: 1, algorithm: 'linear-learner' }]);
    expect(status.inputs.x).toMatchObject({ state: 'consumed', run: 'r1' });
    expect(formatDatasetStatus(status)).toContain(
      '  run r1: 1 rows, linear-learner, training (no catalog entry yet)',
    );
  });

  it("shows the job's state and metrics from its catalog entry, the latest model and rejections", async () => {
    const store = await withRun();
    await store.put(
      keys.catalogEntry('iris', 'job-1'),
      JSON.stringify({
        schemaVersion: '1.0',
        dataset: 'iris',
        run: 'r1',
        job: 'job-1',
        status: 'Completed',
        algorithm: 'linear-learner',
        hyperparameters: {},
        spot: false,
        metrics: { 'validation:mse': 0.5 },
        steps: [],
        manifest: null,
      }),
    );
    await store.put(
      keys.catalogLatest('iris'),
      JSON.stringify({
        schemaVersion: '1.0',
        dataset: 'iris',
        run: 'r1',
        job: 'job-1',
        catalogKey: keys.catalogEntry('iris', 'job-1'),
        algorithm: 'linear-learner',
        modelArtifact: 's3://b/models/iris/job-1/output/model.tar.gz',
        trainingEndedAt: at,
        metrics: { 'validation:mse': 0.5 },
      }),
    );
    await store.put(
      keys.errorReport('iris', 'r0'),
      JSON.stringify({
        schemaVersion: '1.0',
        dataset: 'iris',
        run: 'r0',
        rejectedAt: at,
        message: 'raw/iris/x.csv row 2: bad',
        file: 'raw/iris/x.csv',
        hint: 'fix it',
        inputs: {},
      }),
    );
    const lines = formatDatasetStatus(await datasetStatus(store, 'iris'));
    expect(lines).toContain('  run r1: 1 rows, linear-learner, job job-1 Completed (validation:mse=0.5000)');
    expect(lines).toContain(
      `  latest model: s3://b/models/iris/job-1/output/model.tar.gz (job job-1, ${at})`,
    );
    expect(lines).toContain(`  rejected ${at} (run r0): raw/iris/x.csv row 2: bad`);
  });

  it('shows a run whose job SageMaker refused as not started, with the reason', async () => {
    const store = await withRun();
    await store.put(
      keys.notification('iris', 'not-started-job-1'),
      JSON.stringify({
        state: 'sent',
        owner: 'request-1',
        at,
        event: {
          detailType: 'Training Failed To Start',
          detail: {
            schemaVersion: '1.0',
            dataset: 'iris',
            run: 'r1',
            job: 'job-1',
            reason: 'quota',
            hint: 'ask',
          },
        },
      }),
    );
    const lines = formatDatasetStatus(await datasetStatus(store, 'iris'));
    expect(lines).toContain('  run r1: 1 rows, linear-learner, job job-1 NotStarted: quota');
  });

  it('lists every dataset with anything in the bucket, the default one first', async () => {
    const store = await withRun();
    await store.put('raw/x.csv', '1\n');
    await store.put('errors/zeta/r.json', '{}');
    await store.put('raw/_bad/x.csv', '1\n');
    expect(await listDatasets(store)).toEqual(['default', 'iris', 'zeta']);
  });

  it("shows the champion (job, primary metric and value, when promoted) and each run's evaluation", async () => {
    const world = evaluationWorld();
    const empty = await datasetStatus(world.store, 'iris');
    expect(empty.champion).toBeUndefined();
    expect(formatDatasetStatus(empty)).toContain('  champion: none yet');

    const first = await world.train({ run: 'r1', end: '2026-01-01T01:00:00Z', accuracy: 0.8 });
    await world.finish(first);
    const second = await world.train({ run: 'r2', end: '2026-01-02T01:00:00Z', accuracy: 0.75 });
    await world.finish(second, 'challenger');
    await world.finish(second, 'champion');

    const status = await datasetStatus(world.store, 'iris');
    expect(status.champion).toEqual({
      job: first,
      run: 'r1',
      metric: 'accuracy',
      value: 0.8,
      testRows: 40,
      promotedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      promotedBy: 'evaluation',
    });
    expect(status.runs.map((r) => r.job?.decision)).toEqual(['promoted', 'kept-champion']);
    const lines = formatDatasetStatus(status);
    expect(lines).toContain(
      `  champion: job ${first}, accuracy 0.8 on its 40 held-out rows, promoted ${status.champion?.promotedAt}`,
    );
    expect(lines.find((l) => l.startsWith('  run r2:'))).toMatch(/, evaluation: kept-champion$/);
  });

  it('says no model was promoted when the dataset has models but no champion', async () => {
    const world = evaluationWorld();
    const job = await world.train({ run: 'r1', end: '2026-01-01T01:00:00Z', accuracy: 0.35 });
    await world.finish(job);

    const lines = formatDatasetStatus(await datasetStatus(world.store, 'iris'));
    expect(lines).toContain('  champion: none: no model of the dataset was promoted (each run says why)');
    expect(lines.find((l) => l.startsWith('  run r1:'))).toMatch(/evaluation: not-better-than-baseline$/);
  });
});
