import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createMergeHandler } from '../../handlers/merge';
import { keys, s3Uri } from '../../lib/layout';
import type { S3Notification } from '../../lib/local/s3-server';
import { createLocalScorer } from '../../lib/local/training/scorer';
import { readTarGz } from '../../lib/local/training/tar';
import { createLocalTrainer } from '../../lib/local/training/trainer';
import { buildModelRequest, buildTransformRequest } from '../../lib/models/transform';
import { type RunManifest, runManifestSchema } from '../../lib/training/manifest';
import { buildTrainingRequest } from '../../lib/training/request';
import { testConfig } from '../support/config';
import { useLocalS3, userUpload } from '../support/s3-server';
import { mergeDeps } from '../support/stage-worlds';

const fixture = useLocalS3();

/** Three well-separated groups of rows: labels 0/1 by the first feature, cluster by all of them. */
function dataset(rows: number) {
  const x: string[] = [];
  const y: string[] = [];
  for (let i = 0; i < rows; i++) {
    const group = i % 3;
    const jitter = ((i * 7919) % 101) / 100;
    x.push([group * 10 + jitter, group * 5 - jitter, ((i * 31) % 17) / 10, group].join(','));
    y.push(String(group === 0 ? 0 : 1));
  }
  return { x: `${x.join('\n')}\n`, y: `${y.join('\n')}\n` };
}

function upload(key: string, body: string | Uint8Array): Promise<S3Notification> {
  return userUpload(fixture(), key, body);
}

/** Merges `data` into dataset `name` with `settings` through the merge handler and answers its manifest. */
async function merge(name: string, data: { x: string; y: string }, settings: object): Promise<RunManifest> {
  const { server, store } = fixture();
  const { deps } = mergeDeps(store, server.bucket);
  await upload(`raw/${name}/sagedrop.json`, JSON.stringify(settings));
  await upload(`raw/${name}/x.csv`, data.x);
  const event = await upload(`raw/${name}/y.csv`, data.y);
  const outcomes = await createMergeHandler(() => deps)(event, { awsRequestId: `req-${name}` } as Context);
  const run = outcomes.find((o) => o.outcome === 'committed');
  if (run?.outcome !== 'committed') throw new Error(`not merged: ${JSON.stringify(outcomes)}`);
  return runManifestSchema.parse(JSON.parse((await store.getText(run.manifestKey)) ?? ''));
}

/** Trains the run's job on the local trainer and answers the model it wrote. */
async function trainLocally(
  manifest: RunManifest,
): Promise<{ model: unknown; artifact: string; image: string }> {
  const { server, store } = fixture();
  const trainer = createLocalTrainer({ store, bucket: server.bucket });
  const { request, job } = buildTrainingRequest(manifest, { ...testConfig, bucket: server.bucket });
  await trainer.createTrainingJob(request);
  await trainer.idle();
  const described = await trainer.describeTrainingJob(job);
  expect(described.TrainingJobStatus, described.FailureReason).toBe('Completed');
  const artifact = keys.modelArtifact(manifest.dataset, job);
  const ref = await store.head(artifact);
  if (!ref) throw new Error(`no model at ${artifact}`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of store.read(ref)) chunks.push(Buffer.from(chunk));
  const [entry] = readTarGz(Buffer.concat(chunks));
  const image = request.AlgorithmSpecification?.TrainingImage ?? '';
  // When it was trained is the one thing two runs of the same data may differ in.
  const { trainedAt: _, ...model } = JSON.parse(Buffer.from(entry?.data ?? []).toString());
  return { model, artifact, image };
}

/** Scores the run's test channel with a local batch transform and answers the outputs, file by file in order. */
async function scoreTestChannel(
  manifest: RunManifest,
  trained: { artifact: string; image: string },
): Promise<string> {
  const { server, store } = fixture();
  const scorer = createLocalScorer({ store, bucket: server.bucket });
  const test = manifest.channels.test;
  if (!test) throw new Error('no test channel');
  const modelName = `m-${manifest.dataset}`;
  await scorer.createModel(
    buildModelRequest({
      modelName,
      image: trained.image,
      modelDataUrl: s3Uri(server.bucket, trained.artifact),
      roleArn: testConfig.sagemakerRoleArn,
      tags: {},
    }),
  );
  const output = `evaluation/${manifest.dataset}/scored/`;
  await scorer.createTransformJob(
    buildTransformRequest({
      name: `t-${manifest.dataset}`,
      modelName,
      algorithm: manifest.settings.algorithm === 'kmeans' ? 'kmeans' : 'linear-learner',
      inputUri: s3Uri(server.bucket, test.prefix),
      outputUri: s3Uri(server.bucket, output),
      labelFirst: test.labelFirst,
      tags: {},
    }),
  );
  await scorer.idle();
  let scored = '';
  for (const file of test.files)
    scored += (await store.getText(`${output}${file.split('/').at(-1)}.out`)) ?? '';
  return scored;
}

describe('local training and scoring on sharded channels', () => {
  for (const algorithm of ['linear-learner', 'kmeans'] as const) {
    it(`trains the same ${algorithm} model from parts as from one file, and scores the test parts in order`, async () => {
      const data = dataset(3000);
      const settings = {
        algorithm,
        validationFraction: algorithm === 'kmeans' ? 0 : 0.1,
        testFraction: 0.3,
        ...(algorithm === 'kmeans' ? { hyperparameters: { k: 3 } } : {}),
      };
      const whole = await merge(`${algorithm}-whole`, data, settings);
      const parts = await merge(`${algorithm}-parts`, data, { ...settings, shardSizeMb: 0.01 });
      expect(whole.channels.train.files).toHaveLength(1);
      expect(parts.channels.train.files.length).toBeGreaterThan(1);
      expect(parts.channels.test?.files.length).toBeGreaterThan(1);
      expect(parts.rows).toEqual(whole.rows);

      const fromWhole = await trainLocally(whole);
      const fromParts = await trainLocally(parts);
      expect(fromParts.model).toEqual(fromWhole.model);

      const scoredWhole = await scoreTestChannel(whole, fromWhole);
      const scoredParts = await scoreTestChannel(parts, fromParts);
      expect(scoredParts.split('\n').filter(Boolean)).toHaveLength(whole.rows.test);
      expect(scoredParts).toBe(scoredWhole);
    });
  }
});
