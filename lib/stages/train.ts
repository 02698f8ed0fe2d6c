import { keys, parseManifestKey, s3Uri } from '../layout';
import type { Logger } from '../logger';
import { type NotStartedDetail, SCHEMA_VERSION, type StartedDetail } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import { TrainingQuotaError, TrainingRequestRejectedError } from '../ports';
import { TrainingConfigError } from '../training/errors';
import { trainingJobName } from '../training/job-name';
import { type RunManifest, readManifest } from '../training/manifest';
import { buildTrainingRequest, type TrainingPlan } from '../training/request';
import type { Invocation, TrainDeps } from './deps';

/** How a manifest ended up: only `started` and `already-exists` mean a job is running. */
export type TrainingOutcome =
  | { outcome: 'started' | 'already-exists'; job: string }
  | { outcome: 'not-started'; job: string; reason: string }
  | { outcome: 'ignored'; reason: string };

async function reportNotStarted(
  deps: TrainDeps,
  logger: Logger,
  invocation: Invocation,
  manifest: RunManifest,
  job: string,
  reason: string,
  hint: string,
): Promise<void> {
  const detail: NotStartedDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: manifest.dataset,
    run: manifest.run,
    job,
    reason,
    hint,
  };
  logger.warn('training not started', { reason });
  await notifyOnce(
    deps.store,
    deps.notifier,
    { detailType: 'Training Failed To Start', detail },
    `not-started-${job}`,
    invocation.requestId,
    invocation.now,
  );
}

/**
 * Starts the training job of the run whose `manifest.json` is at `manifestKey`.
 *
 * Reads and validates the manifest (a missing or invalid one is logged and
 * skipped: retrying cannot fix it), builds the request and calls
 * CreateTrainingJob. A job that already exists under the run's deterministic
 * name counts as started, and the "Training Started" notification is sent
 * through `notifyOnce` either way, so a crash between the two never loses it
 * and duplicates never repeat it. A run that cannot be trained as configured
 * (`TrainingConfigError`) or that hits a SageMaker quota ends with a "Training
 * Failed To Start" notification and no error, and so does a request the
 * backend refuses as invalid (`TrainingRequestRejectedError`): retrying the
 * same request cannot succeed. Anything else is rethrown for Lambda to retry.
 */
export async function startTraining(
  deps: TrainDeps,
  manifestKey: string,
  invocation: Invocation,
): Promise<TrainingOutcome> {
  const location = parseManifestKey(manifestKey);
  if (!location) return { outcome: 'ignored', reason: `${manifestKey} is not a run manifest` };
  const log = deps.logger.child({ dataset: location.dataset, run: location.run });
  const read = await readManifest(deps.store, manifestKey);
  if (read.state === 'absent') {
    log.warn('manifest missing', { key: manifestKey });
    return { outcome: 'ignored', reason: `${manifestKey} does not exist` };
  }
  if (read.state === 'invalid') {
    log.error('invalid manifest', { key: manifestKey, problem: read.problem });
    return { outcome: 'ignored', reason: `not a valid manifest: ${read.problem}` };
  }
  const manifest = read.record;
  if (manifest.dataset !== location.dataset || manifest.run !== location.run) {
    log.error('manifest does not match its key', {
      key: manifestKey,
      dataset: manifest.dataset,
      run: manifest.run,
    });
    return { outcome: 'ignored', reason: `${manifestKey} names another run` };
  }

  const job = trainingJobName(deps.config.jobPrefix, manifest.dataset, manifest.run);
  const jobLog = log.child({ job });
  const settingsFile = keys.raw(manifest.dataset, 'settings');
  let plan: TrainingPlan;
  try {
    plan = buildTrainingRequest(manifest, deps.config);
  } catch (error) {
    if (!(error instanceof TrainingConfigError)) throw error;
    await reportNotStarted(
      deps,
      jobLog,
      invocation,
      manifest,
      job,
      error.message,
      `Change ${settingsFile} as described, then upload x.csv and y.csv again to start a new run.`,
    );
    return { outcome: 'not-started', job, reason: error.message };
  }

  let result: 'started' | 'already-exists';
  try {
    result = await deps.trainer.createTrainingJob(plan.request);
  } catch (error) {
    if (error instanceof TrainingQuotaError) {
      const { instanceType, instanceCount } = manifest.settings;
      await reportNotStarted(
        deps,
        jobLog,
        invocation,
        manifest,
        job,
        `An account quota is used up: ${error.quotaMessage}`,
        `Request a quota increase for ${instanceType} training (${instanceCount} instance(s)) in the Service ` +
          `Quotas console (service SageMaker), or choose another "instanceType" or fewer instances in ` +
          `${settingsFile}, then upload x.csv and y.csv again.`,
      );
      return { outcome: 'not-started', job, reason: error.message };
    }
    if (error instanceof TrainingRequestRejectedError) {
      await reportNotStarted(
        deps,
        jobLog,
        invocation,
        manifest,
        job,
        error.reason,
        `Check the settings in ${settingsFile} (instance type, counts, hyperparameters) against the reason, ` +
          'then upload x.csv and y.csv again.',
      );
      return { outcome: 'not-started', job, reason: error.message };
    }
    throw error;
  }

  const detail: StartedDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: manifest.dataset,
    run: manifest.run,
    job,
    algorithm: plan.algorithm,
    instanceType: manifest.settings.instanceType,
    instanceCount: plan.instances.count,
    manifestUri: s3Uri(deps.config.bucket, manifestKey),
  };
  if (plan.instances.note) detail.instanceNote = plan.instances.note;
  if (manifest.task) detail.task = `${manifest.task.type}: ${manifest.task.reason}`;
  const guessed = (manifest.inferences ?? []).filter((i) => i.about !== 'task').map((i) => i.said);
  if (guessed.length > 0) detail.inferences = guessed;
  await notifyOnce(
    deps.store,
    deps.notifier,
    { detailType: 'Training Started', detail },
    `started-${job}`,
    invocation.requestId,
    invocation.now,
  );
  jobLog.info('training started', {
    result,
    algorithm: plan.algorithm,
    instances: plan.instances.count,
    shardedTrain: plan.instances.shardedTrain,
  });
  return { outcome: result, job };
}
