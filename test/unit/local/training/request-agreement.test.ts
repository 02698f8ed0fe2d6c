import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { readTarGz } from '../../../../lib/local/training/tar';
import { createLocalTrainer } from '../../../../lib/local/training/trainer';
import type { RunManifest } from '../../../../lib/training/manifest';
import { buildTrainingRequest } from '../../../../lib/training/request';
import { testConfig } from '../../../support/config';
import { makeManifest } from '../../../support/manifests';
import { MemoryStore } from '../../../support/memory-store';

/** Features-only rows as the merge writes k-means channels: two clusters far apart, three features. */
const KMEANS_ROWS = Array.from({ length: 30 }, (_, i) => {
  const centre = i % 2 === 0 ? 0 : 100;
  return `${centre + (i % 3)},${centre - (i % 5)},${centre + (i % 7)}`;
}).join('\n');

/** Runs `request` on the local trainer over channel files of `manifest` that all hold `rows`, to its end. */
async function trainLocally(manifest: RunManifest, request: CreateTrainingJobRequest, rows: string) {
  const store = new MemoryStore();
  for (const channel of Object.values(manifest.channels)) {
    for (const key of channel?.files ?? []) await store.put(key, rows);
  }
  const trainer = createLocalTrainer({ store, bucket: testConfig.bucket, onStateChange: () => {} });
  await trainer.createTrainingJob(request);
  await trainer.idle();
  return { store, described: await trainer.describeTrainingJob(request.TrainingJobName ?? '') };
}

describe('the training request and the local trainer', () => {
  it('agree on k-means channels: every column of the features-only rows is a feature, none a label', async () => {
    const manifest = makeManifest({
      settings: { algorithm: 'kmeans', hyperparameters: { k: '2' } },
      channels: ['train', 'test'],
      featureCount: 3,
    });
    const { job, request } = buildTrainingRequest(manifest, testConfig);
    expect(request.InputDataConfig?.map((c) => c.ContentType)).toEqual([
      'text/csv;label_size=0',
      'text/csv;label_size=0',
    ]);
    const { store, described } = await trainLocally(manifest, request, `${KMEANS_ROWS}\n`);
    expect(described.FailureReason).toBeUndefined();
    expect(described.TrainingJobStatus).toBe('Completed');
    const modelKey = `models/${manifest.dataset}/${job}/output/model.tar.gz`;
    const [entry] = readTarGz(store.versions.get(modelKey)?.at(-1)?.data ?? new Uint8Array());
    const model = JSON.parse(Buffer.from(entry?.data ?? []).toString());
    expect(model.featureDim).toBe(manifest.featureCount);
    const centroids = (model.centroids as number[][])
      .map((c) => Math.round(c[0] ?? -1))
      .sort((a, b) => a - b);
    expect(centroids).toEqual([1, 101]);
  });

  it('agree on linear-learner channels: the first column is the label', async () => {
    const manifest = makeManifest({
      settings: { algorithm: 'linear-learner', hyperparameters: { epochs: '5' } },
      channels: ['train', 'validation'],
      featureCount: 2,
    });
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2},${(i % 2) * 10 + (i % 5) * 0.1},${i % 3}`);
    const { request } = buildTrainingRequest(manifest, testConfig);
    expect(request.InputDataConfig?.map((c) => c.ContentType)).toEqual(['text/csv', 'text/csv']);
    const { described } = await trainLocally(manifest, request, `${rows.join('\n')}\n`);
    expect(described.FailureReason).toBeUndefined();
    expect(described.TrainingJobStatus).toBe('Completed');
  });
});
