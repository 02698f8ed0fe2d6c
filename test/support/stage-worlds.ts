import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { keys } from '../../lib/layout';
import { silentLogger } from '../../lib/logger';
import type { ObjectStore } from '../../lib/ports';
import type { Config } from '../../lib/settings/config';
import type { CompleteDeps, MergeDeps, TrainDeps } from '../../lib/stages/deps';
import type { RunManifest } from '../../lib/training/manifest';
import { makeConfig, testConfig } from './config';
import { type LogLine, recordingLogger } from './logs';
import { makeManifest } from './manifests';
import { MemoryStore } from './memory-store';
import { RecordingNotifier } from './notifier';
import { FakeRegistry, FakeSageMaker } from './sagemaker';

/** The merge stage's dependencies over `store`, for the test stack (bucket `bucket`), notifications recorded. */
export function mergeDeps(store: ObjectStore, bucket = 'test-bucket') {
  const notifier = new RecordingNotifier();
  const deps: MergeDeps = { config: makeConfig({ bucket }), store, notifier, logger: silentLogger };
  return { deps, notifier };
}

/** The train stage's dependencies over fakes, each at hand, and its log lines. */
export interface TrainWorld {
  deps: TrainDeps;
  store: MemoryStore;
  trainer: FakeSageMaker;
  notifier: RecordingNotifier;
  logs: LogLine[];
}

export function trainWorld(config: Config = testConfig): TrainWorld {
  const store = new MemoryStore();
  const trainer = new FakeSageMaker();
  const notifier = new RecordingNotifier();
  const { logger, lines } = recordingLogger();
  return { deps: { config, store, trainer, notifier, logger }, store, trainer, notifier, logs: lines };
}

/** Writes `manifest` where the merge commits it and answers its key. */
export async function commitManifest(store: ObjectStore, manifest: RunManifest): Promise<string> {
  const key = keys.manifest(manifest.dataset, manifest.run);
  await store.put(key, JSON.stringify(manifest));
  return key;
}

/**
 * The complete stage's dependencies for finished `jobs` of the test stack
 * (model registration on): a store holding each job's run manifest and model
 * artifact, SageMaker answering DescribeTrainingJob with `jobs`, a registry
 * (left out with `registry: false`) and a recording notifier.
 */
export async function completeWorld(
  jobs: DescribeTrainingJobResponse[],
  options: { registry?: boolean } = {},
) {
  const store = new MemoryStore();
  for (const job of jobs) {
    const uri = job.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3Uri ?? '';
    const [, , , , dataset = '', run = ''] = uri.split('/');
    await commitManifest(store, makeManifest({ dataset, run, channels: ['train', 'validation'] }));
    if (job.ModelArtifacts?.S3ModelArtifacts) {
      await store.put(keys.modelArtifact(dataset, job.TrainingJobName ?? ''), new Uint8Array(2048));
    }
  }
  const trainer = new FakeSageMaker(jobs);
  const registry = new FakeRegistry();
  const notifier = new RecordingNotifier();
  const config = makeConfig({ registerModels: true });
  const deps: CompleteDeps = { config, store, trainer, notifier, logger: silentLogger };
  if (options.registry !== false) deps.registry = registry;
  return { store, trainer, registry, notifier, deps };
}
