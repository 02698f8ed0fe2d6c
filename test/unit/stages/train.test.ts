import { describe, expect, it } from 'vitest';
import { keys } from '../../../lib/layout';
import { TrainingQuotaError, TrainingRequestRejectedError } from '../../../lib/ports';
import { startTraining } from '../../../lib/stages/train';
import type { RunManifest } from '../../../lib/training/manifest';
import { testConfig } from '../../support/config';
import { LABELS, makeManifest } from '../../support/manifests';
import { commitManifest, type TrainWorld, trainWorld } from '../../support/stage-worlds';

const commit = (world: TrainWorld, manifest: RunManifest) => commitManifest(world.store, manifest);

describe('startTraining', () => {
  it('starts the run’s job and announces it', async () => {
    const world = trainWorld();
    const manifest = makeManifest({ dataset: 'iris', labels: LABELS.binary });
    const key = await commit(world, manifest);
    const outcome = await startTraining(world.deps, key, { requestId: 'req-1' });
    const job = `${testConfig.jobPrefix}--iris--${manifest.run}`;
    expect(outcome).toEqual({ outcome: 'started', job });
    expect([...world.trainer.jobs.keys()]).toEqual([job]);
    expect(world.trainer.jobs.get(job)?.HyperParameters).toMatchObject({
      predictor_type: 'binary_classifier',
    });
    expect(world.notifier.sent).toEqual([
      {
        detailType: 'Training Started',
        detail: {
          schemaVersion: '1.0',
          dataset: 'iris',
          run: manifest.run,
          job,
          algorithm: 'linear-learner',
          instanceType: 'ml.m5.large',
          instanceCount: 1,
          manifestUri: `s3://${testConfig.bucket}/${key}`,
        },
      },
    ]);
    expect(world.logs.find((l) => l.message === 'training started')).toMatchObject({
      dataset: 'iris',
      run: manifest.run,
      job,
    });
  });

  it('announces the instances a sharded run really gets, and why fewer than asked for', async () => {
    const world = trainWorld();
    const manifest = makeManifest({ settings: { algorithm: 'linear-learner', instanceCount: 5 }, files: 2 });
    const key = await commit(world, manifest);
    const outcome = await startTraining(world.deps, key, { requestId: 'req-1' });
    if (outcome.outcome !== 'started') throw new Error(`not started: ${JSON.stringify(outcome)}`);
    expect(world.trainer.jobs.get(outcome.job)?.ResourceConfig?.InstanceCount).toBe(2);
    expect(world.notifier.sent[0]?.detail).toMatchObject({
      instanceCount: 2,
      instanceNote: expect.stringMatching(/"instanceCount" 5 lowered to 2: the train channel has 2 parts/),
    });
  });

  it('starts one job and sends one notification when the same event comes twice', async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest());
    const first = await startTraining(world.deps, key, { requestId: 'req-1' });
    const second = await startTraining(world.deps, key, { requestId: 'req-2' });
    expect(first.outcome).toBe('started');
    expect(second.outcome).toBe('already-exists');
    expect(world.trainer.jobs.size).toBe(1);
    expect(world.trainer.calls).toBe(2);
    expect(world.notifier.sent).toHaveLength(1);
  });

  it('starts one job when two deliveries of the manifest run at once', async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest({ dataset: 'Données clients' }));
    const outcomes = await Promise.all([
      startTraining(world.deps, key, { requestId: 'req-1' }),
      startTraining(world.deps, key, { requestId: 'req-2' }),
    ]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['already-exists', 'started']);
    expect(world.trainer.jobs.size).toBe(1);
    expect(world.notifier.sent.filter((e) => e.detailType === 'Training Started')).toHaveLength(1);
  });

  it('still announces a job whose first invocation crashed after creating it', async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest());
    world.notifier.failures.push(new Error('SNS unavailable'));
    await expect(startTraining(world.deps, key, { requestId: 'req-1' })).rejects.toThrow('SNS unavailable');
    expect(world.trainer.jobs.size).toBe(1);
    expect(world.notifier.sent).toHaveLength(0);
    const retry = await startTraining(world.deps, key, { requestId: 'req-1' });
    expect(retry.outcome).toBe('already-exists');
    expect(world.notifier.sent.map((e) => e.detailType)).toEqual(['Training Started']);
  });

  it('ends with a "failed to start" notification naming the quota, without an error, when a quota is used up', async () => {
    const world = trainWorld();
    const manifest = makeManifest({ settings: { instanceType: 'ml.p3.2xlarge' } });
    const key = await commit(world, manifest);
    const quota = "The account-level service limit 'ml.p3.2xlarge for training job usage' is 0 Instances";
    world.trainer.failures.push(new TrainingQuotaError(quota), new TrainingQuotaError(quota));
    const outcome = await startTraining(world.deps, key, { requestId: 'req-1' });
    expect(outcome.outcome).toBe('not-started');
    await startTraining(world.deps, key, { requestId: 'req-2' });
    expect(world.notifier.sent).toHaveLength(1);
    const event = world.notifier.sent[0];
    expect(event?.detailType).toBe('Training Failed To Start');
    expect(event?.detail).toMatchObject({
      dataset: manifest.dataset,
      run: manifest.run,
      job: `${testConfig.jobPrefix}--iris--${manifest.run}`,
    });
    const detail = event?.detail as { reason: string; hint: string };
    expect(detail.reason).toContain("'ml.p3.2xlarge for training job usage'");
    expect(detail.hint).toMatch(
      /Request a quota increase .* or choose another "instanceType" .* raw\/iris\/sagedrop.json/,
    );
    expect(world.trainer.jobs.size).toBe(0);
  });

  it('tells the user which file to fix when the run cannot be trained as configured', async () => {
    const world = trainWorld();
    const manifest = makeManifest({
      dataset: 'shops',
      settings: { algorithm: 'kmeans', hyperparameters: {} },
    });
    const key = await commit(world, manifest);
    const outcome = await startTraining(world.deps, key, { requestId: 'req-1' });
    expect(outcome.outcome).toBe('not-started');
    expect(world.trainer.calls).toBe(0);
    expect(world.notifier.sent).toHaveLength(1);
    expect(world.notifier.sent[0]).toMatchObject({
      detailType: 'Training Failed To Start',
      detail: { reason: expect.stringContaining('"hyperparameters": {"k": N} in raw/shops/sagedrop.json') },
    });
  });

  it('refuses a custom image recorded in a manifest when the stack no longer allows them', async () => {
    const config = { ...testConfig, defaults: { ...testConfig.defaults, allowCustomImages: false } };
    const world = trainWorld(config);
    const manifest = makeManifest({
      settings: { algorithm: 'custom', trainingImage: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/mine:1' },
    });
    const key = await commit(world, manifest);
    await expect(startTraining(world.deps, key, { requestId: 'req-1' })).resolves.toMatchObject({
      outcome: 'not-started',
    });
    expect(world.trainer.calls).toBe(0);
    expect(world.notifier.sent[0]?.detail).toMatchObject({
      reason: expect.stringContaining('allowCustomImages'),
    });
  });

  it('notifies and ends without a retry when SageMaker rejects the request as invalid', async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest());
    world.trainer.failures.push(new TrainingRequestRejectedError('Value ml.m5.larg is not valid'));
    await expect(startTraining(world.deps, key, { requestId: 'req-1' })).resolves.toMatchObject({
      outcome: 'not-started',
      reason: expect.stringContaining('Value ml.m5.larg is not valid'),
    });
    expect(world.notifier.sent[0]).toMatchObject({
      detailType: 'Training Failed To Start',
      detail: { reason: 'Value ml.m5.larg is not valid' },
    });
  });

  it('rethrows any other failure without notifying, so Lambda retries', async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest());
    world.trainer.failures.push(new Error('InternalFailure'));
    await expect(startTraining(world.deps, key, { requestId: 'req-1' })).rejects.toThrow('InternalFailure');
    expect(world.notifier.sent).toHaveLength(0);
    await expect(startTraining(world.deps, key, { requestId: 'req-1' })).resolves.toMatchObject({
      outcome: 'started',
    });
  });

  it('logs and skips a manifest that is not valid, without training or retrying', async () => {
    const world = trainWorld();
    const key = keys.manifest('iris', 'r1');
    await world.store.put(key, JSON.stringify({ ...makeManifest({ run: 'r1' }), featureCount: 0 }));
    const outcome = await startTraining(world.deps, key, { requestId: 'req-1' });
    expect(outcome).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('featureCount') });
    expect(world.logs.find((l) => l.level === 'error')).toMatchObject({ message: 'invalid manifest', key });
    await world.store.put(key, '{"schemaVersion": ');
    await expect(startTraining(world.deps, key, { requestId: 'req-1' })).resolves.toMatchObject({
      outcome: 'ignored',
    });
    expect(world.trainer.calls).toBe(0);
    expect(world.notifier.sent).toHaveLength(0);
  });

  it('skips a manifest that names another run than its key, a missing manifest and other keys', async () => {
    const world = trainWorld();
    const manifest = makeManifest({ run: 'r1' });
    await world.store.put(keys.manifest('iris', 'r2'), JSON.stringify(manifest));
    await expect(
      startTraining(world.deps, keys.manifest('iris', 'r2'), { requestId: 'a' }),
    ).resolves.toMatchObject({
      outcome: 'ignored',
    });
    await expect(
      startTraining(world.deps, keys.manifest('iris', 'r3'), { requestId: 'a' }),
    ).resolves.toMatchObject({
      outcome: 'ignored',
    });
    await expect(startTraining(world.deps, 'raw/iris/x.csv', { requestId: 'a' })).resolves.toMatchObject({
      outcome: 'ignored',
    });
    expect(world.trainer.calls).toBe(0);
  });
});
