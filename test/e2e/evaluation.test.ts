import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../lib/layout';
import type { ChampionPointer } from '../../lib/models/champion';
import type { EvaluatedDetail } from '../../lib/notifications/events';
import type { CatalogEntry } from '../../lib/training/catalog';
import { scoringRequestProblems } from '../support/botocore-validator';
import { IRIS_X, IRIS_Y, separableBinary, shuffleLabels, startTestStack } from './local-stack';

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeEach(async () => {
  stack = await startTestStack();
});
afterEach(async () => {
  await stack.close();
});

/** Uploads a pair (and settings) as a user would, back to back, and waits until the pipeline is quiet. */
async function upload(dataset: string, x: string, y: string, settings?: string): Promise<void> {
  if (settings) await stack.upload(`raw/${dataset}/sagedrop.json`, settings);
  await stack.upload(`raw/${dataset}/x.csv`, x);
  await stack.upload(`raw/${dataset}/y.csv`, y);
  await stack.waitForIdle();
  expect(stack.failures).toEqual([]);
}

async function entries(dataset: string): Promise<CatalogEntry[]> {
  const found: CatalogEntry[] = [];
  for (const key of await stack.keys(`catalog/${dataset}/`)) {
    if (key.endsWith('/latest.json') || key.endsWith('/champion.json')) continue;
    found.push(JSON.parse((await stack.store.getText(key)) ?? 'null') as CatalogEntry);
  }
  return found.sort((a, b) => (a.trainingEndedAt ?? '').localeCompare(b.trainingEndedAt ?? ''));
}

/**
 * The same rows under other column names: new bytes for S3, so the upload
 * starts a new run even within the second of the last one.
 */
const renamedColumns = (x: string) => x.replace(/^[^\n]*/, (header) => header.replace(/f/g, 'feature_'));

const evaluatedDetails = (dataset: string) =>
  stack.notifications
    .filter((n) => n.event.detailType === 'Model Evaluated' && n.event.detail.dataset === dataset)
    .map((n) => n.event.detail as EvaluatedDetail);

describe('evaluation on the local stack', () => {
  it.each([
    { data: 'Iris', x: IRIS_X, y: IRIS_Y, seed: 7 },
    { data: 'two separable classes (400 rows)', ...separableBinary(400), seed: 11 },
  ])('never promotes a model trained on $data with the labels shuffled', async ({ x, y, seed }) => {
    await upload('noise', x, shuffleLabels(y, seed));

    const [entry] = await entries('noise');
    expect(entry?.status).toBe('Completed');
    expect(entry?.evaluation?.decision).toBe('not-better-than-baseline');
    expect(entry?.evaluation?.summary).toMatch(/: not promoted: no better than guessing$/);
    expect(await stack.store.head(keys.catalogChampion('noise'))).toBeUndefined();
    const [detail] = evaluatedDetails('noise');
    expect(detail).toMatchObject({ decision: 'not-better-than-baseline' });
    expect(detail).not.toHaveProperty('championUri');
    expect(stack.notifications.some((n) => n.event.detailType === 'Model Approved')).toBe(false);
  });

  it('keeps the champion when a model trained on shuffled labels follows a good one', async () => {
    const data = separableBinary(400);
    await upload('churn', data.x, data.y);
    const champion = await stack.store.head(keys.catalogChampion('churn'));
    expect(champion).toBeDefined();

    await upload('churn', renamedColumns(data.x), shuffleLabels(data.y, 3));

    const [good, noise] = await entries('churn');
    expect(good?.evaluation?.decision).toBe('promoted');
    expect(noise?.evaluation?.decision).toBe('not-better-than-baseline');
    expect(noise?.evaluation?.champion?.job).toBe(good?.job);
    expect((await stack.store.head(keys.catalogChampion('churn')))?.etag).toBe(champion?.etag);
    const pointer = JSON.parse(
      (await stack.store.getText(keys.catalogChampion('churn'))) ?? '{}',
    ) as ChampionPointer;
    expect(pointer.job).toBe(good?.job);
  });

  it('sends CreateModel and CreateTransformJob requests SageMaker would accept, for each algorithm and role', async () => {
    const data = separableBinary(120);
    await upload('churn', data.x, data.y);
    await upload('churn', renamedColumns(data.x), data.y);
    await upload('flowers', IRIS_X, IRIS_Y, '{"algorithm": "kmeans", "hyperparameters": {"k": 3}}');

    const { createModel, createTransformJob } = stack.scorer.requests;
    // churn: the first model alone, then the second with the champion; flowers: one k-means model.
    expect(createTransformJob.map((r) => r.TransformJobName?.slice(-2))).toEqual(
      expect.arrayContaining(['-n', '-c']),
    );
    expect(createTransformJob).toHaveLength(4);
    expect(new Set(createModel.map((r) => r.ModelName)).size).toBe(3);
    for (const request of createModel) {
      expect(scoringRequestProblems('CreateModelInput', request), request.ModelName).toEqual([]);
    }
    for (const request of createTransformJob) {
      expect(scoringRequestProblems('CreateTransformJobRequest', request), request.TransformJobName).toEqual(
        [],
      );
    }
    const accepts = createTransformJob.map((r) => [r.TransformOutput?.Accept, r.DataProcessing?.InputFilter]);
    expect(accepts).toEqual(
      expect.arrayContaining([
        ['application/jsonlines', '$[1:]'],
        ['text/csv', undefined],
      ]),
    );
  });
});
