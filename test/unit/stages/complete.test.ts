import { describe, expect, it } from 'vitest';
import { parseTrainingJobEvent } from '../../../lib/events/sagemaker';
import { keys } from '../../../lib/layout';
import type { FinishedDetail } from '../../../lib/notifications/events';
import { renderMessage } from '../../../lib/notifications/render';
import type { ModelRegistry } from '../../../lib/ports';
import { completeTrainingJob, JobNotFinishedError } from '../../../lib/stages/complete';
import type { CatalogEntry, LatestPointer } from '../../../lib/training/catalog';
import { readAwsEvent } from '../../support/aws-fixtures';
import { makeConfig } from '../../support/config';
import { stateChangeEvent } from '../../support/events';
import { describeJob, IMAGE, jobName } from '../../support/sagemaker';
import { completeWorld } from '../../support/stage-worlds';

const config = makeConfig({ registerModels: true });
const { bucket: BUCKET, jobPrefix: PREFIX } = config;

const JOB = jobName('iris', 'r1');

function entryOf(
  store: { text(key: string): string | undefined },
  dataset: string,
  job: string,
): CatalogEntry {
  return JSON.parse(store.text(keys.catalogEntry(dataset, job)) ?? 'null');
}

function latestOf(
  store: { text(key: string): string | undefined },
  dataset: string,
): LatestPointer | undefined {
  const text = store.text(keys.catalogLatest(dataset));
  return text ? JSON.parse(text) : undefined;
}

describe('completeTrainingJob', () => {
  it('catalogs a Completed job with its manifest, metrics, model and package, then notifies once', async () => {
    const job = describeJob();
    const { store, registry, notifier, deps } = await completeWorld([job]);
    const result = await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job)), {
      requestId: 'req-1',
    });

    expect(result).toMatchObject({ outcome: 'cataloged', dataset: 'iris', run: 'r1', status: 'Completed' });
    const entry = entryOf(store, 'iris', JOB);
    expect(entry).toMatchObject({
      schemaVersion: '1.0',
      dataset: 'iris',
      run: 'r1',
      job: JOB,
      status: 'Completed',
      algorithm: 'linear-learner',
      image: IMAGE,
      hyperparameters: { feature_dim: '4', num_classes: '3', predictor_type: 'multiclass_classifier' },
      modelArtifact: `s3://${BUCKET}/models/iris/${JOB}/output/model.tar.gz`,
      modelArtifactBytes: 2048,
      metrics: { 'validation:multiclass_accuracy': 0.96, 'validation:objective_loss': 0.123456789 },
      trainingSeconds: 300,
      billableSeconds: 300,
      spot: false,
      trainingEndedAt: '2026-01-01T01:00:00.000Z',
      manifestUri: `s3://${BUCKET}/train/iris/r1/manifest.json`,
      modelPackageGroup: `${PREFIX}--iris`,
      modelPackageArn: expect.stringContaining(`model-package/${PREFIX}--iris/`),
    });
    expect(entry.manifest).toMatchObject({ run: 'r1', inputs: { x: { versionId: 'x-v1' } } });
    expect(entry).not.toHaveProperty('failureReason');
    expect(registry.calls).toEqual([
      expect.objectContaining({
        groupName: `${PREFIX}--iris`,
        image: IMAGE,
        modelDataUrl: entry.modelArtifact,
        tags: expect.objectContaining({ 'sagedrop:dataset': 'iris', 'sagedrop:run': 'r1' }),
      }),
    ]);
    expect(latestOf(store, 'iris')).toMatchObject({ job: JOB, catalogKey: keys.catalogEntry('iris', JOB) });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({
      detailType: 'Training Completed',
      detail: {
        dataset: 'iris',
        job: JOB,
        status: 'Completed',
        catalogUri: `s3://${BUCKET}/catalog/iris/${JOB}.json`,
        modelPackageArn: entry.modelPackageArn,
        metrics: entry.metrics,
      },
    });
  });

  it('records the reason, the failed step and advice for a Failed job, and the notification carries the reason', async () => {
    const reason =
      'AlgorithmError: Customer Error: Unable to parse the label "setosa" on line 3 (caused by ValueError)';
    const job = describeJob({ status: 'Failed', failureReason: reason });
    const { store, registry, notifier, deps } = await completeWorld([job]);
    await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job)), { requestId: 'req-1' });

    const entry = entryOf(store, 'iris', JOB);
    expect(entry).toMatchObject({ status: 'Failed', failureReason: reason, failedStep: 'Training' });
    expect(entry.hint).toMatch(/hyperparameters/);
    expect(entry).not.toHaveProperty('modelPackageArn');
    expect(registry.calls).toHaveLength(0);
    expect(latestOf(store, 'iris')).toBeUndefined();
    expect(notifier.sent).toHaveLength(1);
    const [sent] = notifier.sent;
    if (!sent) throw new Error('no notification sent');
    expect(sent.detailType).toBe('Training Failed');
    expect((sent.detail as FinishedDetail).failureReason).toBe(reason);
    const { subject, body } = renderMessage(sent);
    expect(subject).toBe('sagedrop: training failed: iris');
    expect(body).toContain(reason);
    expect(body).toContain('Training');
  });

  it('tells the owner of a job stopped at MaxRuntime to raise maxRuntimeSeconds in the dataset settings', async () => {
    const job = describeJob({
      status: 'Stopped',
      secondaryStatus: 'MaxRuntimeExceeded',
      failureReason: 'Training job reached the MaxRuntimeInSeconds limit',
    });
    const { store, notifier, deps } = await completeWorld([job]);
    await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job)), { requestId: 'req-1' });
    expect(entryOf(store, 'iris', JOB)).toMatchObject({
      status: 'Stopped',
      secondaryStatus: 'MaxRuntimeExceeded',
    });
    expect(notifier.sent[0]?.detailType).toBe('Training Stopped');
    const detail = notifier.sent[0]?.detail as FinishedDetail;
    expect(detail.hint).toContain('(now 3600 seconds): raise "maxRuntimeSeconds" in raw/iris/sagedrop.json');
  });

  it.each([
    ['ISO strings and tags as an object', { times: 'iso', tags: 'object' }],
    ['epoch milliseconds and tags as a list', { times: 'ms', tags: 'list' }],
    ['epoch seconds and tags as a list', { times: 'seconds', tags: 'list' }],
  ] as const)('handles events with %s', async (_, shape) => {
    const job = describeJob();
    const { store, notifier, deps } = await completeWorld([job]);
    const result = await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job, shape)), {
      requestId: 'req-1',
    });
    expect(result).toMatchObject({ outcome: 'cataloged', dataset: 'iris', run: 'r1' });
    expect(entryOf(store, 'iris', JOB).trainingEndedAt).toBe('2026-01-01T01:00:00.000Z');
    expect(notifier.sent).toHaveLength(1);
  });

  it('handles the documented sample event once its job name is one of this stack', async () => {
    const job = describeJob();
    const sample = readAwsEvent('sagemaker-training-job-state-change.sample.json');
    const detail = sample.detail as Record<string, unknown>;
    const { store, deps } = await completeWorld([job]);
    const change = parseTrainingJobEvent({ ...sample, detail: { ...detail, TrainingJobName: JOB } });
    const result = await completeTrainingJob(deps, change, { requestId: 'req-1' });
    // The sample's tags are empty and its S3Uri a placeholder: the dataset comes from DescribeTrainingJob.
    expect(result).toMatchObject({ outcome: 'cataloged', dataset: 'iris', run: 'r1' });
    expect(store.text(keys.catalogEntry('iris', JOB))).toBeDefined();
  });

  it('ignores jobs of other stacks without describing them', async () => {
    const job = describeJob({ job: 'sagedrop-other-iris--r1' });
    const { store, trainer, notifier, deps } = await completeWorld([job]);
    const sample = readAwsEvent('sagemaker-training-job-state-change.sample.json');
    const results = [
      await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job)), { requestId: 'req-1' }),
      await completeTrainingJob(deps, parseTrainingJobEvent(sample), { requestId: 'req-2' }),
      // A prefix that merely starts the same way is another stack too.
      await completeTrainingJob(
        { ...deps, config: { ...config, jobPrefix: 'sagedrop' } },
        parseTrainingJobEvent(stateChangeEvent(describeJob({ job: 'sagedropx--iris--r1' }))),
        { requestId: 'req-3' },
      ),
    ];
    expect(results.map((r) => r.outcome)).toEqual(['ignored', 'ignored', 'ignored']);
    expect(trainer.describes).toEqual([]);
    expect(store.keys().filter((k) => k.startsWith('catalog/'))).toEqual([]);
    expect(notifier.sent).toEqual([]);
  });

  it('ignores jobs of a stack whose prefix merely extends this one (other bucket or stack tag)', async () => {
    const other = describeJob({ job: `${PREFIX}-x--iris--r1` });
    const channel = other.InputDataConfig?.[0]?.DataSource?.S3DataSource;
    if (channel) channel.S3Uri = 's3://other-stack-bucket/train/iris/r1/train/';
    const tagged = describeJob({ run: 'r2' });
    const { store, notifier, deps } = await completeWorld([other, tagged]);
    const byStack = stateChangeEvent(tagged);
    byStack.detail.Tags = {
      'sagedrop:dataset': 'iris',
      'sagedrop:run': 'r2',
      'sagedrop:stack': 'sagedrop-dev-x',
    };
    const results = [
      await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(other)), { requestId: 'req-1' }),
      await completeTrainingJob(deps, parseTrainingJobEvent(byStack), { requestId: 'req-2' }),
    ];
    expect(results.map((r) => r.outcome)).toEqual(['ignored', 'ignored']);
    expect(store.keys().filter((k) => k.startsWith('catalog/'))).toEqual([]);
    expect(notifier.sent).toEqual([]);
  });

  it('ignores events of non-terminal states', async () => {
    const job = describeJob({ status: 'InProgress' });
    const { trainer, notifier, deps } = await completeWorld([job]);
    const result = await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job)), {
      requestId: 'req-1',
    });
    expect(result.outcome).toBe('ignored');
    expect(trainer.describes).toEqual([]);
    expect(notifier.sent).toEqual([]);
  });

  it('asks for a retry when DescribeTrainingJob does not show the finished state yet', async () => {
    const job = describeJob({ status: 'InProgress' });
    const { notifier, deps } = await completeWorld([job]);
    const change = parseTrainingJobEvent(stateChangeEvent(job, { status: 'Completed' }));
    await expect(completeTrainingJob(deps, change, { requestId: 'req-1' })).rejects.toBeInstanceOf(
      JobNotFinishedError,
    );
    expect(notifier.sent).toEqual([]);
  });

  it('trusts DescribeTrainingJob when the event reports another terminal status', async () => {
    const job = describeJob({ status: 'Failed', failureReason: 'ClientError: bad input' });
    const { store, notifier, deps } = await completeWorld([job]);
    await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job, { status: 'Completed' })), {
      requestId: 'r',
    });
    expect(entryOf(store, 'iris', JOB).status).toBe('Failed');
    expect(notifier.sent[0]?.detailType).toBe('Training Failed');
  });

  it('takes dataset and run from the train channel, not from sanitised tags', async () => {
    const dataset = 'Fleur (2026)';
    const job = describeJob({ dataset, job: `${PREFIX}--fleur-2026-r1---abc` });
    const { store, deps } = await completeWorld([job]);
    const event = stateChangeEvent(job);
    event.detail.Tags = { 'sagedrop:dataset': 'Fleur _2026_@1a2b3c', 'sagedrop:run': 'r1' };
    const result = await completeTrainingJob(deps, parseTrainingJobEvent(event), { requestId: 'req-1' });
    expect(result).toMatchObject({ dataset, run: 'r1' });
    expect(store.text(keys.catalogEntry(dataset, job.TrainingJobName ?? ''))).toBeDefined();
  });

  it('falls back to exact tag values when the job lists no train channel, never to sanitised ones', async () => {
    const plain = describeJob({ run: 'r1' });
    plain.InputDataConfig = [];
    const sanitised = describeJob({ run: 'r2' });
    sanitised.InputDataConfig = [];
    const { store, deps } = await completeWorld([plain, sanitised]);
    const fromTags = stateChangeEvent(plain);
    fromTags.detail.Tags = { 'sagedrop:dataset': 'iris', 'sagedrop:run': 'r1' };
    const marked = stateChangeEvent(sanitised);
    marked.detail.Tags = { 'sagedrop:dataset': 'Fleur _2026_@0123456789ab', 'sagedrop:run': 'r2' };
    expect(
      await completeTrainingJob(deps, parseTrainingJobEvent(fromTags), { requestId: 'r' }),
    ).toMatchObject({
      outcome: 'cataloged',
      dataset: 'iris',
      run: 'r1',
    });
    expect((await completeTrainingJob(deps, parseTrainingJobEvent(marked), { requestId: 'r' })).outcome).toBe(
      'ignored',
    );
    expect(store.keys().filter((k) => k.startsWith('catalog/iris/'))).toHaveLength(2);
  });

  it('produces one entry, one model package and one notification for sequential duplicates', async () => {
    const job = describeJob();
    const { store, registry, notifier, deps } = await completeWorld([job]);
    const event = stateChangeEvent(job);
    const first = await completeTrainingJob(deps, parseTrainingJobEvent(event), { requestId: 'req-1' });
    const bytes = store.text(keys.catalogEntry('iris', JOB));
    const second = await completeTrainingJob(deps, parseTrainingJobEvent(event), { requestId: 'req-2' });
    const third = await completeTrainingJob(
      deps,
      parseTrainingJobEvent(stateChangeEvent(job, { times: 'ms' })),
      { requestId: 'r3' },
    );
    expect([first, second, third].map((r) => r.outcome === 'cataloged' && r.entryCreated)).toEqual([
      true,
      false,
      false,
    ]);
    expect(store.versions.get(keys.catalogEntry('iris', JOB))).toHaveLength(1);
    expect(store.text(keys.catalogEntry('iris', JOB))).toBe(bytes);
    expect(registry.calls).toHaveLength(1);
    expect(notifier.sent).toHaveLength(1);
  });

  it('produces one entry, one model package and one notification for concurrent duplicates', async () => {
    const job = describeJob();
    const { store, registry, notifier, deps } = await completeWorld([job]);
    const event = stateChangeEvent(job);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        completeTrainingJob(deps, parseTrainingJobEvent(event), { requestId: `req-${i}` }),
      ),
    );
    expect(results.filter((r) => r.outcome === 'cataloged' && r.entryCreated)).toHaveLength(1);
    expect(store.versions.get(keys.catalogEntry('iris', JOB))).toHaveLength(1);
    // Racing duplicates may each call CreateModelPackage, but with the same client token: one package.
    expect(new Set(registry.calls.map((c) => c.clientToken)).size).toBe(1);
    expect(registry.packages.size).toBe(1);
    expect(new Set(results.map((r) => r.outcome === 'cataloged' && r.modelPackageArn)).size).toBe(1);
    expect(notifier.sent).toHaveLength(1);
  });

  it('finishes the work on a retry after a crash before the notification, still notifying once', async () => {
    const job = describeJob();
    const { store, registry, notifier, deps } = await completeWorld([job]);
    let failNext = true;
    const flaky = {
      async notify(event: Parameters<typeof notifier.notify>[0]) {
        if (failNext) {
          failNext = false;
          throw new Error('SNS unavailable');
        }
        await notifier.notify(event);
      },
    };
    const change = parseTrainingJobEvent(stateChangeEvent(job));
    await expect(
      completeTrainingJob({ ...deps, notifier: flaky }, change, { requestId: 'req-1' }),
    ).rejects.toThrow(/SNS/);
    expect(store.text(keys.catalogEntry('iris', JOB))).toBeDefined();
    await completeTrainingJob({ ...deps, notifier: flaky }, change, { requestId: 'req-1' });
    await completeTrainingJob({ ...deps, notifier: flaky }, change, { requestId: 'req-2' });
    expect(registry.calls).toHaveLength(1);
    expect(notifier.sent).toHaveLength(1);
  });

  it('writes no entry when registration fails, so the retry registers and catalogs', async () => {
    const job = describeJob();
    const { store, registry, notifier, deps } = await completeWorld([job]);
    const down: ModelRegistry = {
      async register() {
        throw new Error('ThrottlingException');
      },
      setApproval: registry.setApproval,
    };
    const change = parseTrainingJobEvent(stateChangeEvent(job));
    await expect(
      completeTrainingJob({ ...deps, registry: down }, change, { requestId: 'req-1' }),
    ).rejects.toThrow(/Throttling/);
    expect(store.text(keys.catalogEntry('iris', JOB))).toBeUndefined();
    expect(notifier.sent).toHaveLength(0);
    await completeTrainingJob(deps, change, { requestId: 'req-1' });
    expect(registry.calls).toHaveLength(1);
    expect(entryOf(store, 'iris', JOB).modelPackageArn).toBeDefined();
  });

  it('skips registration when the stack turns it off or has no registry', async () => {
    const job = describeJob();
    const off = await completeWorld([job]);
    await completeTrainingJob(
      { ...off.deps, config: { ...config, registerModels: false } },
      parseTrainingJobEvent(stateChangeEvent(job)),
      { requestId: 'req-1' },
    );
    expect(off.registry.calls).toHaveLength(0);
    const none = await completeWorld([job], { registry: false });
    await completeTrainingJob(none.deps, parseTrainingJobEvent(stateChangeEvent(job)), {
      requestId: 'req-1',
    });
    for (const { store } of [off, none]) {
      expect(entryOf(store, 'iris', JOB)).not.toHaveProperty('modelPackageArn');
    }
  });

  it('moves latest.json only forward when events arrive out of order', async () => {
    const older = describeJob({ run: 'r1', end: '2026-01-01T01:00:00Z' });
    const newer = describeJob({ run: 'r2', end: '2026-01-02T01:00:00Z' });
    const failedLater = describeJob({ run: 'r3', end: '2026-01-03T01:00:00Z', status: 'Failed' });
    const { store, deps } = await completeWorld([older, newer, failedLater]);
    const handle = (d: typeof older) =>
      completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(d)), { requestId: 'r' });

    await handle(newer);
    expect(latestOf(store, 'iris')?.job).toBe(jobName('iris', 'r2'));
    const olderResult = await handle(older);
    expect(olderResult).toMatchObject({ outcome: 'cataloged', latestUpdated: false });
    await handle(failedLater);
    expect(latestOf(store, 'iris')?.job).toBe(jobName('iris', 'r2'));
    expect(store.text(keys.catalogEntry('iris', jobName('iris', 'r1')))).toBeDefined();
  });

  it('ends with the newest job in latest.json when jobs of a dataset finish concurrently', async () => {
    const jobs = ['r1', 'r2', 'r3', 'r4', 'r5'].map((run, i) =>
      describeJob({ run, end: `2026-01-0${i + 1}T00:00:00Z` }),
    );
    const { store, deps } = await completeWorld(jobs);
    await Promise.all(
      [...jobs]
        .reverse()
        .map((j) =>
          completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(j)), { requestId: 'r' }),
        ),
    );
    expect(latestOf(store, 'iris')?.job).toBe(jobName('iris', 'r5'));
  });

  it('breaks ties in training end time by job name', async () => {
    const a = describeJob({ run: 'ra', end: '2026-01-01T00:00:00Z' });
    const b = describeJob({ run: 'rb', end: '2026-01-01T00:00:00Z' });
    const { store, deps } = await completeWorld([a, b]);
    await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(b)), { requestId: 'r' });
    await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(a)), { requestId: 'r' });
    expect(latestOf(store, 'iris')?.job).toBe(jobName('iris', 'rb'));
  });

  it('catalogs a job whose manifest is gone, saying why it has none', async () => {
    const job = describeJob();
    const { store, deps } = await completeWorld([job]);
    await store.delete(keys.manifest('iris', 'r1'));
    await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job)), { requestId: 'req-1' });
    const entry = entryOf(store, 'iris', JOB);
    expect(entry.manifest).toBeNull();
    expect(entry.manifestProblem).toContain('train/iris/r1/manifest.json does not exist');
  });

  it('records spot savings', async () => {
    const job = describeJob({ spot: true });
    const { store, deps } = await completeWorld([job]);
    await completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(job)), { requestId: 'req-1' });
    expect(entryOf(store, 'iris', JOB)).toMatchObject({ spot: true, spotSavings: 0.7, billableSeconds: 90 });
  });
});
