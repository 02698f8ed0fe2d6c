import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTarGz } from '../../lib/local/training/tar';
import { datasetStatus } from '../../lib/stages/status';
import type { CatalogEntry, LatestPointer } from '../../lib/training/catalog';
import { IRIS_X, IRIS_Y, separableBinary, startTestStack } from './local-stack';

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeEach(async () => {
  stack = await startTestStack();
});
afterEach(async () => {
  await stack.close();
});

async function json<T>(key: string): Promise<T> {
  const text = await stack.store.getText(key);
  if (text === undefined) throw new Error(`${key} is missing`);
  return JSON.parse(text) as T;
}

async function catalogEntries(dataset: string): Promise<CatalogEntry[]> {
  const keys = (await stack.keys(`catalog/${dataset}/`)).filter(
    (k) => !k.endsWith('/latest.json') && !k.endsWith('/champion.json'),
  );
  return Promise.all(keys.map((k) => json<CatalogEntry>(k)));
}

async function modelJson(uri: string): Promise<Record<string, unknown>> {
  const key = uri.replace(`s3://${stack.bucket}/`, '');
  const ref = await stack.store.head(key);
  if (!ref) throw new Error(`${key} is missing`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of stack.store.read(ref)) chunks.push(chunk);
  const [entry] = readTarGz(Buffer.concat(chunks));
  return JSON.parse(Buffer.from(entry?.data ?? []).toString()) as Record<string, unknown>;
}

const detailTypes = (dataset: string) =>
  stack.notifications.filter((n) => n.event.detail.dataset === dataset).map((n) => n.event.detailType);

describe('the local pipeline', () => {
  it('clusters a dataset with k-means from upload to catalog entry, model and notification', async () => {
    await stack.upload('raw/flowers/sagedrop.json', '{"algorithm": "kmeans", "hyperparameters": {"k": 3}}');
    await stack.upload('raw/flowers/x.csv', IRIS_X);
    await stack.upload('raw/flowers/y.csv', IRIS_Y);
    await stack.waitForIdle();

    expect(stack.failures).toEqual([]);
    const [entry, ...others] = await catalogEntries('flowers');
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ dataset: 'flowers', status: 'Completed', algorithm: 'kmeans' });
    expect(entry?.hyperparameters).toMatchObject({ k: '3', feature_dim: '4' });
    expect(entry?.metrics['train:msd']).toBeGreaterThan(0);
    expect(entry?.job.startsWith('sagedrop-local--')).toBe(true);
    const model = await modelJson(entry?.modelArtifact ?? '');
    expect(model).toMatchObject({ algorithm: 'kmeans', k: 3, featureDim: 4 });
    const latest = await json<LatestPointer>('catalog/flowers/latest.json');
    expect(latest.job).toBe(entry?.job);
    if (!entry) throw new Error('no catalog entry');
    const testRows = (entry.manifest as { rows: { test: number } }).rows.test;
    expect(entry?.evaluation).toMatchObject({ decision: 'promoted', metric: 'msd', testRows });
    expect(entry?.evaluation?.metrics).toMatchObject({ task: 'clustering' });
    // The local scorer's msd on the test rows is the trainer's own test:msd on the same rows.
    expect((entry.evaluation?.metrics as { msd: number } | undefined)?.msd).toBeCloseTo(
      entry?.metrics['test:msd'] ?? 0,
      9,
    );
    expect(detailTypes('flowers')).toEqual(['Training Started', 'Training Completed', 'Model Evaluated']);
  });

  it('trains a linear learner binary classifier and catalogs its validation accuracy', async () => {
    const data = separableBinary(200);
    await stack.upload('raw/churn/x.csv', data.x);
    await stack.upload('raw/churn/y.csv', data.y);
    await stack.waitForIdle();

    const [entry] = await catalogEntries('churn');
    expect(entry).toMatchObject({ status: 'Completed', algorithm: 'linear-learner' });
    expect(entry?.hyperparameters.predictor_type).toBe('binary_classifier');
    expect(entry?.metrics['validation:binary_classification_accuracy']).toBeGreaterThanOrEqual(0.95);
    const model = await modelJson(entry?.modelArtifact ?? '');
    expect(model).toMatchObject({
      algorithm: 'linear-learner',
      predictorType: 'binary_classifier',
      featureDim: 2,
    });
    expect(detailTypes('churn')).toEqual(['Training Started', 'Training Completed', 'Model Evaluated']);
  });

  it('rejects a dataset with a non-numeric value: report, notification, no run', async () => {
    await stack.upload('raw/bad/x.csv', 'a,b\n1,2\n3,oops\n5,6\n');
    await stack.upload('raw/bad/y.csv', 'y\n0\n1\n0\n');
    await stack.waitForIdle();

    const [reportKey, ...more] = await stack.keys('errors/bad/');
    expect(more).toEqual([]);
    const report = await json<{ message: string; file: string; row: number; column: number }>(
      reportKey ?? '',
    );
    expect(report).toMatchObject({ file: 'raw/bad/x.csv', row: 3, column: 2 });
    expect(report.message).toMatch(/oops/);
    expect(detailTypes('bad')).toEqual(['Dataset Rejected']);
    expect(stack.notifications[0]?.body).toMatch(/row 3, column 2/);
    expect((await stack.keys('train/bad/')).filter((k) => k.endsWith('manifest.json'))).toEqual([]);
    expect(stack.trainer.jobNames()).toEqual([]);
  });

  it('waits when only one file is uploaded again, and starts a new run when both are', async () => {
    const first = separableBinary(60);
    await stack.upload('raw/again/x.csv', first.x);
    await stack.upload('raw/again/y.csv', first.y);
    await stack.waitForIdle();
    expect(await catalogEntries('again')).toHaveLength(1);

    const second = separableBinary(80);
    await stack.upload('raw/again/y.csv', second.y);
    await stack.waitForIdle();
    const manifests = async () =>
      (await stack.keys('train/again/')).filter((k) => k.endsWith('/manifest.json'));
    expect(await manifests()).toHaveLength(1);
    const waiting = await datasetStatus(stack.store, 'again');
    expect(waiting.waitingFor).toMatch(/^waiting for a new x\.csv/);
    expect(waiting.runs).toHaveLength(1);

    await stack.upload('raw/again/x.csv', second.x);
    await stack.waitForIdle();
    expect(await manifests()).toHaveLength(2);
    const entries = await catalogEntries('again');
    expect(entries.map((e) => e.status)).toEqual(['Completed', 'Completed']);
    const done = await datasetStatus(stack.store, 'again');
    expect(done.runs.map((r) => r.rows)).toEqual([60, 80]);
    expect(done.runs.every((r) => r.job?.status === 'Completed')).toBe(true);
    expect(done.waitingFor).toMatch(/^nothing to do/);
  });

  it('ends an algorithm the local trainer cannot run in a Failed job saying it runs on SageMaker only', async () => {
    const data = separableBinary(40);
    await stack.upload('raw/boosted/sagedrop.json', '{"algorithm": "xgboost"}');
    await stack.upload('raw/boosted/x.csv', data.x);
    await stack.upload('raw/boosted/y.csv', data.y);
    await stack.waitForIdle();

    const [entry] = await catalogEntries('boosted');
    expect(entry?.status).toBe('Failed');
    expect(entry?.failureReason).toMatch(/runs on SageMaker only/);
    expect(detailTypes('boosted')).toEqual(['Training Started', 'Training Failed']);
    expect(stack.failures).toEqual([]);
  });
});
