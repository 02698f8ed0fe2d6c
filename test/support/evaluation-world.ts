import { parseTrainingJobEvent } from '../../lib/events/sagemaker';
import { parseScoringEvent, type ScoringEvent } from '../../lib/events/scoring';
import { keys } from '../../lib/layout';
import { type ChampionPointer, readChampion } from '../../lib/models/champion';
import { evaluationTransformName, type ScoringRole } from '../../lib/models/transform';
import type { PipelineEvent } from '../../lib/notifications/events';
import type { Settings } from '../../lib/settings/dataset';
import { completeTrainingJob } from '../../lib/stages/complete';
import type { CompleteDeps, EvaluateDeps } from '../../lib/stages/deps';
import { approveModelPackage, type EvaluateOutcome, evaluateTransformEvent } from '../../lib/stages/evaluate';
import type { CatalogEntry } from '../../lib/training/catalog';
import { readAwsEvent } from './aws-fixtures';
import { makeConfig } from './config';
import { stateChangeEvent } from './events';
import { recordingLogger } from './logs';
import { makeManifest } from './manifests';
import { MemoryStore } from './memory-store';
import { RecordingNotifier } from './notifier';
import { describeJob, FakeRegistry, FakeSageMaker, jobName } from './sagemaker';
import { FakeScoring } from './scoring';

/** Held-out rows of every run: 40, labels 0, 1, 2 in turn (14 of class 0), label first. */
export const TEST_ROWS = 40;
/** The most common training class is 0 (24 of 60 rows): the baseline scores 14/40 = 0.35 on the test rows. */
export const BASELINE_ACCURACY = 0.35;

function channelRows(count: number, label: (i: number) => number): string {
  const rows = Array.from({ length: count }, (_, i) => {
    const y = label(i);
    return `${y},${(y + 0.1 * (i % 5)).toFixed(1)},${(2 * y).toFixed(1)},0.5,${(i % 7).toFixed(1)}`;
  });
  return `${rows.join('\n')}\n`;
}

export interface TrainOptions {
  run: string;
  /** The job's training end time (ISO). */
  end: string;
  /** The fraction of test rows its model gets right (on any run's test rows). */
  accuracy: number;
  settings?: Partial<Settings>;
}

/**
 * Completed linear learner jobs of dataset `iris` (3 classes, 4 features) of
 * the test stack, carried through the real complete and evaluate stages over
 * fakes: a store holding each run's channels and model, SageMaker answering
 * for the jobs, a registry, a scorer whose models answer as well as the test
 * says, a recording notifier. Each step is a method, so a test can repeat,
 * reorder and race them as EventBridge and Lambda may.
 */
export function evaluationWorld(options: { settings?: Partial<Settings> } = {}) {
  const store = new MemoryStore();
  const trainer = new FakeSageMaker();
  const registry = new FakeRegistry();
  const scorer = new FakeScoring(store);
  const notifier = new RecordingNotifier();
  const { logger, lines: logs } = recordingLogger();
  const config = makeConfig({ registerModels: true });
  const deps: CompleteDeps & EvaluateDeps = { config, store, trainer, registry, scorer, notifier, logger };
  let requests = 0;
  const invocation = () => {
    requests += 1;
    return { requestId: `req-${requests}` };
  };

  const world = {
    store,
    trainer,
    registry,
    scorer,
    notifier,
    logs,
    deps,
    /** Writes a run (manifest, channels, model), lets its job complete and runs the complete stage. */
    async train(train: TrainOptions): Promise<string> {
      const manifest = makeManifest({ run: train.run, settings: { ...options.settings, ...train.settings } });
      const channels = manifest.channels;
      const files = {
        train: channelRows(60, (i) => (i < 24 ? 0 : i < 42 ? 1 : 2)),
        validation: channelRows(15, (i) => i % 3),
        test: channelRows(TEST_ROWS, (i) => i % 3),
      };
      manifest.rows = { total: 115, train: 60, validation: 15, test: TEST_ROWS };
      for (const name of ['train', 'validation', 'test'] as const) {
        const channel = channels[name];
        if (!channel) continue;
        channel.rows = manifest.rows[name];
        for (const file of channel.files) await store.put(file, files[name]);
      }
      await store.put(keys.manifest('iris', train.run), JSON.stringify(manifest));
      const job = jobName('iris', train.run);
      await store.put(keys.modelArtifact('iris', job), new Uint8Array(600));
      const description = describeJob({ run: train.run, end: train.end });
      trainer.answer(description);
      scorer.quality.set(job, { accuracy: train.accuracy });
      await world.complete(job);
      return job;
    },
    /** The complete stage on the job's "Completed" event (again, for a duplicate). */
    async complete(job: string) {
      const description = await trainer.describeTrainingJob(job);
      return completeTrainingJob(deps, parseTrainingJobEvent(stateChangeEvent(description)), invocation());
    },
    transform(job: string, role: ScoringRole): string {
      return evaluationTransformName(config.jobPrefix, job, role);
    },
    /** The evaluate stage on a transform event or a model package event. */
    async evaluate(event: unknown): Promise<EvaluateOutcome> {
      const parsed: ScoringEvent = parseScoringEvent(event);
      return parsed.kind === 'transform'
        ? evaluateTransformEvent(deps, parsed, invocation())
        : approveModelPackage(deps, parsed, invocation());
    },
    /** Ends the transform of `role` for `job` and delivers its event to the evaluate stage. */
    async finish(job: string, role: ScoringRole = 'challenger', failureReason?: string) {
      const event = await scorer.finish(
        world.transform(job, role),
        failureReason ? { status: 'Failed', failureReason } : { status: 'Completed' },
      );
      return { event, outcome: await world.evaluate(event) };
    },
    /** "SageMaker Model Package State Change" for the job's model package, as a person's approval sends it. */
    approvalEvent(job: string, status = 'Approved'): unknown {
      const entry = world.entry(job);
      const sample = readAwsEvent<{ detail: Record<string, unknown> }>(
        'sagemaker-model-package-state-change.sample.json',
      );
      return {
        ...sample,
        resources: [entry.modelPackageArn],
        detail: {
          ...sample.detail,
          ModelPackageGroupName: entry.modelPackageGroup,
          ModelPackageArn: entry.modelPackageArn,
          ModelApprovalStatus: status,
          InferenceSpecification: {
            Containers: [{ Image: entry.image, ModelDataUrl: entry.modelArtifact }],
          },
        },
      };
    },
    entry(job: string): CatalogEntry {
      const text = store.text(keys.catalogEntry('iris', job));
      if (!text) throw new Error(`no catalog entry for ${job}`);
      return JSON.parse(text) as CatalogEntry;
    },
    champion(): Promise<ChampionPointer | undefined> {
      return readChampion(store, 'iris');
    },
    /** Versions champion.json went through, oldest first, as the jobs they named. */
    championHistory(): string[] {
      return (store.versions.get(keys.catalogChampion('iris')) ?? []).map(
        (v) => (JSON.parse(new TextDecoder().decode(v.data)) as ChampionPointer).job,
      );
    },
    sent(detailType: PipelineEvent['detailType']): PipelineEvent[] {
      return notifier.sent.filter((e) => e.detailType === detailType);
    },
    /** Versions evaluation.json of `job` went through. */
    reportVersions(job: string): number {
      return store.versions.get(keys.evaluationReport('iris', job))?.length ?? 0;
    },
  };
  return world;
}
