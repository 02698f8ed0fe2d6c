import { keys, PREFIX, parseManifestKey } from '../lib/layout';
import type { LocalStack, LocalStep } from '../lib/local/runtime';
import { type RunManifest, readManifest } from '../lib/training/manifest';
import type { CommandIO } from './command';
import { indent } from './options';

/** Metric values as people read them: integers as is, others to 4 significant digits. */
export function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name}=${Number.isInteger(value) ? value : value.toPrecision(4)}`)
    .join(', ');
}

function describeManifest(manifest: RunManifest): string {
  const channels = (['train', 'validation', 'test'] as const)
    .filter((name) => manifest.channels[name])
    .map((name) => `${name} ${manifest.rows[name]}`)
    .join(', ');
  const merged = `merged ${manifest.inputs.x.key} + ${manifest.inputs.y.key} into run ${manifest.run}: ${manifest.rows.total} rows, ${manifest.featureCount} features -> ${channels} (${manifest.settings.algorithm})`;
  return [merged, ...guessedLines(manifest)].join('\n');
}

/** The task and what the merge guessed about the files, one line each, with why and the setting that changes it. */
export function guessedLines(manifest: RunManifest): string[] {
  const lines: string[] = [];
  if (manifest.task) lines.push(`  task: ${manifest.task.type}: ${manifest.task.reason}`);
  for (const inference of manifest.inferences ?? []) {
    if (inference.about !== 'task') lines.push(`  read: ${inference.said}`);
  }
  return lines;
}

export interface ProgressOptions {
  /** Print every upload under raw/ (serve); demo and local print their own. */
  showUploads?: boolean;
  /** Print each notification's body as the email reads, not only its subject. Default true. */
  notificationBodies?: boolean;
  /** Least time between two progress lines of one training job. Default 2000 ms. */
  progressIntervalMs?: number;
  now?: () => number;
}

/**
 * Prints what the local pipeline does as it happens: the merge's run, the
 * training job's start and end with its metrics, each notification as the
 * email reads, and failed invocations.
 */
export function createProgressPrinter(io: CommandIO, options: ProgressOptions = {}) {
  let stack: LocalStack | undefined;
  const pending = new Set<Promise<void>>();
  const later = (work: Promise<void>) => {
    const tracked = work.catch((error: unknown) => io.err(`  (could not read: ${(error as Error).message})`));
    pending.add(tracked);
    void tracked.finally(() => pending.delete(tracked));
  };

  const now = options.now ?? Date.now;
  const interval = options.progressIntervalMs ?? 2000;
  /** When each job started training or last printed its progress. */
  const lastProgress = new Map<string, number>();

  const onStep = (step: LocalStep) => {
    switch (step.kind) {
      case 'object-created': {
        if (options.showUploads && step.key.startsWith(PREFIX.raw)) io.out(`uploaded ${step.key}`);
        const run = parseManifestKey(step.key);
        if (run && stack) {
          const store = stack.store;
          later(
            readManifest(store, keys.manifest(run.dataset, run.run)).then((read) => {
              io.out(read.state === 'valid' ? describeManifest(read.record) : `merged run ${run.run}`);
            }),
          );
        }
        return;
      }
      case 'training-state': {
        const detail = step.event.detail as {
          TrainingJobName?: string;
          TrainingJobStatus?: string;
          FailureReason?: string;
          TrainingTimeInSeconds?: number;
          FinalMetricDataList?: { MetricName?: string; Value?: number }[];
          ResourceConfig?: { InstanceType?: string };
          AlgorithmSpecification?: { TrainingImage?: string };
        };
        const job = detail.TrainingJobName ?? '?';
        if (detail.TrainingJobStatus === 'InProgress') {
          lastProgress.set(job, now());
          const image = detail.AlgorithmSpecification?.TrainingImage?.split('/').at(-1) ?? 'an image';
          io.out(
            `training job ${job} started (${image}, trained locally in place of ${detail.ResourceConfig?.InstanceType ?? 'SageMaker'})`,
          );
          return;
        }
        const metrics = Object.fromEntries(
          (detail.FinalMetricDataList ?? []).map((m) => [m.MetricName ?? '?', m.Value ?? Number.NaN]),
        );
        const took =
          detail.TrainingTimeInSeconds === undefined ? '' : ` in ${detail.TrainingTimeInSeconds} s`;
        const outcome = detail.FailureReason ? `: ${detail.FailureReason}` : `: ${formatMetrics(metrics)}`;
        io.out(`training job ${job} ${detail.TrainingJobStatus}${took}${outcome}`);
        return;
      }
      case 'training-progress': {
        // Short jobs end before the first line is due; long ones say how far they are every few seconds.
        const at = now();
        if (step.done >= step.total || at - (lastProgress.get(step.job) ?? at) < interval) return;
        lastProgress.set(step.job, at);
        io.out(`training job ${step.job}: ${step.done} of ${step.total} ${step.unit}`);
        return;
      }
      case 'merge-outcome':
        // serve: a lone x.csv says what it waits for; local and demo upload both and print the run.
        if (options.showUploads && step.outcome.outcome === 'waiting') {
          io.out(`dataset ${step.outcome.dataset}: ${step.outcome.reason}`);
        }
        return;
      case 'notification':
        io.out(`notification: ${step.notification.subject}`);
        if (options.notificationBodies !== false) io.out(indent(step.notification.body, '  | '));
        return;
      case 'invocation-failed': {
        const { fn, attempt, error, final } = step.failure;
        const message = error instanceof Error ? error.message : String(error);
        io.err(
          final
            ? `${fn} function failed (attempt ${attempt}, giving up: the event goes to the failure queue): ${message}`
            : `${fn} function failed (attempt ${attempt}, Lambda retries it): ${message}`,
        );
        return;
      }
    }
  };

  return {
    onStep,
    attach(value: LocalStack) {
      stack = value;
    },
    /** Waits for output that needed a read from the bucket. */
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
