import type { TerminalStatus, TrainingJobStateChange } from '../events/sagemaker';
import { keys, parseChannelUri, parseS3Uri, s3Uri } from '../layout';
import type { Logger } from '../logger';
import { type FinishedDetail, type PipelineEvent, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import {
  advanceLatest,
  buildCatalogEntry,
  type CatalogEntry,
  readCatalogEntry,
  writeCatalogEntry,
} from '../training/catalog';
import { adviseOnFailure } from '../training/failure-advice';
import { type FinishedJob, summariseTrainingJob } from '../training/finished-job';
import { stackNamePrefix } from '../training/job-name';
import { readJobTags } from '../training/job-tags';
import { readManifest } from '../training/manifest';
import { modelPackageFor } from '../training/model-package';
import type { CompleteDeps, Invocation } from './deps';
import { startEvaluation } from './evaluate';

/**
 * The event says the job finished but DescribeTrainingJob does not agree yet.
 * Retryable: Describe catches up within seconds.
 */
export class JobNotFinishedError extends Error {
  override readonly name = 'JobNotFinishedError';
}

export type CompleteOutcome =
  | { outcome: 'ignored'; job: string; reason: string }
  | {
      outcome: 'cataloged';
      dataset: string;
      run?: string;
      job: string;
      status: TerminalStatus;
      entryKey: string;
      /** False when a duplicate found the entry already written. */
      entryCreated: boolean;
      /** Whether latest.json moved to this job. */
      latestUpdated: boolean;
      /** False when the notification had already been sent, or waits for the evaluation. */
      notified: boolean;
      /** True when the model is being scored: the evaluation sends "Training Completed" with the verdict. */
      scoring: boolean;
      modelPackageArn?: string;
    };

interface RunOrigin {
  dataset: string;
  run?: string;
}

const DETAIL_TYPES = {
  Completed: 'Training Completed',
  Failed: 'Training Failed',
  Stopped: 'Training Stopped',
} as const;

/**
 * Which dataset and run a job trained on: from the `train` channel's S3 URI
 * (authoritative, the train stage built it) or else from the job's tags,
 * whose values SageMaker may have required to be sanitised. `undefined` for
 * a job whose data lives in another bucket: another stack whose job prefix
 * merely starts like this one's.
 */
function locateRun(bucket: string, job: FinishedJob, change: TrainingJobStateChange): RunOrigin | undefined {
  const uri = job.trainChannelUri ?? change.trainChannelUri;
  const channel = uri ? parseChannelUri(uri) : undefined;
  if (channel) return channel.bucket === bucket ? { dataset: channel.dataset, run: channel.run } : undefined;
  const { dataset, run } = readJobTags(change.tags);
  if (!dataset) return undefined;
  return run ? { dataset, run } : { dataset };
}

/** k-means, linear-learner and xgboost images by repository name; anything else is a custom image. */
function algorithmOfImage(image: string | undefined): string | undefined {
  const repository = image?.split('/').at(-1)?.split(/[:@]/)[0];
  if (repository === 'kmeans' || repository === 'linear-learner') return repository;
  if (repository === 'sagemaker-xgboost' || repository === 'xgboost') return 'xgboost';
  return image ? 'custom' : undefined;
}

/** The run's manifest for the catalog entry, kept whole even when it does not match the schema. */
async function manifestOfRun(deps: CompleteDeps, origin: RunOrigin) {
  if (!origin.run) return { manifest: null, problem: 'the job names no run, so its manifest is unknown' };
  const key = keys.manifest(origin.dataset, origin.run);
  const manifestUri = s3Uri(deps.config.bucket, key);
  const read = await readManifest(deps.store, key);
  if (read.state === 'absent') return { manifestUri, manifest: null, problem: `${key} does not exist` };
  if (read.state === 'valid') {
    return { manifestUri, manifest: read.json, algorithm: read.record.settings.algorithm };
  }
  // It still traces the model to its inputs when it parsed, so it is kept.
  return { manifestUri, manifest: read.json ?? null, problem: read.problem };
}

async function artifactBytes(deps: CompleteDeps, uri: string | undefined): Promise<number | undefined> {
  const location = uri ? parseS3Uri(uri) : undefined;
  if (!location || location.bucket !== deps.config.bucket) return undefined;
  return (await deps.store.head(location.key))?.size;
}

/** Registers a Completed job's model when registration is on; returns the group and ARN. */
async function registerModel(
  deps: CompleteDeps,
  origin: RunOrigin,
  job: FinishedJob,
  algorithm: string,
  log: Logger,
) {
  if (job.status !== 'Completed' || !deps.registry || !deps.config.registerModels) return {};
  if (!job.modelArtifact || !job.image) {
    log.warn('model not registered', { reason: job.image ? 'no model artifact' : 'no training image' });
    return {};
  }
  const input = modelPackageFor({
    jobPrefix: deps.config.jobPrefix,
    dataset: origin.dataset,
    ...(origin.run ? { run: origin.run } : {}),
    job: job.job,
    algorithm,
    image: job.image,
    modelDataUrl: job.modelArtifact,
    ...(deps.scorer
      ? { evaluationUri: s3Uri(deps.config.bucket, keys.evaluationReport(origin.dataset, job.job)) }
      : {}),
  });
  const arn = await deps.registry.register(input);
  log.info('model registered', { modelPackageArn: arn, group: input.groupName });
  return { modelPackageGroup: input.groupName, modelPackageArn: arn };
}

async function buildEntry(deps: CompleteDeps, origin: RunOrigin, job: FinishedJob, log: Logger) {
  const manifest = await manifestOfRun(deps, origin);
  if (manifest.problem) log.warn('manifest not usable', { problem: manifest.problem });
  const algorithm = manifest.algorithm ?? algorithmOfImage(job.image) ?? job.algorithmName ?? 'custom';
  const registered = await registerModel(deps, origin, job, algorithm, log);
  return buildCatalogEntry({
    dataset: origin.dataset,
    ...(origin.run ? { run: origin.run } : {}),
    job,
    algorithm,
    hint: adviseOnFailure(job, origin.dataset),
    manifestUri: manifest.manifestUri,
    manifest: manifest.manifest,
    manifestProblem: manifest.problem,
    modelArtifactBytes: await artifactBytes(deps, job.modelArtifact),
    ...registered,
  });
}

/** The notification of a cataloged job, built from its entry so both always agree. */
export function finishedEvent(entry: CatalogEntry, bucket: string): PipelineEvent {
  const detail: FinishedDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: entry.dataset,
    run: entry.run,
    job: entry.job,
    status: entry.status,
    algorithm: entry.algorithm,
    secondaryStatus: entry.secondaryStatus,
    failureReason: entry.failureReason,
    failedStep: entry.failedStep,
    hint: entry.hint,
    modelArtifact: entry.modelArtifact,
    modelArtifactBytes: entry.modelArtifactBytes,
    modelPackageGroup: entry.modelPackageGroup,
    modelPackageArn: entry.modelPackageArn,
    metrics: entry.metrics,
    trainingSeconds: entry.trainingSeconds,
    billableSeconds: entry.billableSeconds,
    spotSavings: entry.spotSavings,
    trainingEndedAt: entry.trainingEndedAt,
    catalogUri: s3Uri(bucket, keys.catalogEntry(entry.dataset, entry.job)),
    evaluation: entry.evaluation,
  };
  const defined = Object.fromEntries(
    Object.entries(detail).filter(([, v]) => v !== undefined),
  ) as FinishedDetail;
  return { detailType: DETAIL_TYPES[entry.status], detail: defined };
}

/**
 * Closes the loop for a finished training job of this stack: catalogs it
 * (`catalog/<dataset>/<job>.json`), registers a Completed model, moves
 * `latest.json` forward, then notifies the owner once. Safe to run for
 * duplicates, concurrently and after a crash at any step: each ends with
 * one entry, one model package and one notification.
 */
export async function completeTrainingJob(
  deps: CompleteDeps,
  change: TrainingJobStateChange,
  invocation: Invocation,
): Promise<CompleteOutcome> {
  const { config, store, logger } = deps;
  const name = change.job;
  const ownPrefix = stackNamePrefix(config.jobPrefix);
  if (!name.startsWith(ownPrefix)) {
    logger.info('job of another stack ignored', { job: name, jobPrefix: config.jobPrefix });
    return { outcome: 'ignored', job: name, reason: `not a job of this stack (prefix ${ownPrefix})` };
  }
  if (!change.terminal) {
    logger.info('non-terminal job state ignored', { job: name, status: change.status });
    return { outcome: 'ignored', job: name, reason: `status ${change.status} is not terminal` };
  }
  const described = summariseTrainingJob(await deps.trainer.describeTrainingJob(name));
  if (!described) {
    throw new JobNotFinishedError(
      `The event says training job ${name} is ${change.status} but DescribeTrainingJob does not yet: retry`,
    );
  }
  const job: FinishedJob = { ...described, job: name };
  if (job.status !== change.status) {
    logger.warn('event status differs from DescribeTrainingJob', {
      job: name,
      eventStatus: change.status,
      describedStatus: job.status,
    });
  }
  const { stack } = readJobTags(change.tags);
  const origin =
    stack === undefined || stack === config.stackName ? locateRun(config.bucket, job, change) : undefined;
  if (!origin) {
    logger.warn('job without a dataset of this stack ignored', { job: name, tags: change.tags, stack });
    return {
      outcome: 'ignored',
      job: name,
      reason: `neither its train channel nor its tags name a dataset in bucket ${config.bucket}`,
    };
  }
  const log = logger.child({ dataset: origin.dataset, run: origin.run, job: name });
  let entry = await readCatalogEntry(store, origin.dataset, name);
  let entryCreated = false;
  if (!entry) {
    ({ entry, created: entryCreated } = await writeCatalogEntry(
      store,
      await buildEntry(deps, origin, job, log),
    ));
  }
  const latestUpdated = await advanceLatest(store, entry);
  let notified = false;
  let scoring = false;
  if (entry.status === 'Completed' && deps.scorer) {
    const verdict = await startEvaluation(deps, entry, log);
    if (verdict) entry = { ...entry, evaluation: verdict };
    // The verdict belongs in the "Training Completed" notification: the evaluation sends it.
    scoring = verdict === undefined;
  }
  if (!scoring) {
    const event = finishedEvent(entry, config.bucket);
    notified = await notifyOnce(
      store,
      deps.notifier,
      event,
      `finished-${name}`,
      invocation.requestId,
      invocation.now,
    );
  }
  log.info('training job cataloged', {
    status: entry.status,
    entryCreated,
    latestUpdated,
    notified,
    scoring,
  });
  const result: CompleteOutcome = {
    outcome: 'cataloged',
    dataset: entry.dataset,
    job: name,
    status: entry.status,
    entryKey: keys.catalogEntry(entry.dataset, name),
    entryCreated,
    latestUpdated,
    notified,
    scoring,
  };
  if (entry.run) result.run = entry.run;
  if (entry.modelPackageArn) result.modelPackageArn = entry.modelPackageArn;
  return result;
}
