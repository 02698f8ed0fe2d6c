import type { TerminalStatus } from '../events/sagemaker';
import { keys } from '../layout';
import type { Verdict } from '../models/verdict';
import { ObjectChangedError, type ObjectStore, readObject } from '../ports';
import { CATALOG_SCHEMA_VERSION, latestPointerSchema, readCatalogRecord } from './catalog-records';
import type { FinishedJob, JobStep } from './finished-job';
import { type RunTask, taskSchema } from './manifest';

export { CATALOG_SCHEMA_VERSION };

/**
 * `catalog/<dataset>/<job>.json`: one per finished job, written once. Every
 * field comes from DescribeTrainingJob, the run's manifest and the model
 * artifact, so duplicates of the same job always produce the same bytes.
 */
export interface CatalogEntry {
  schemaVersion: typeof CATALOG_SCHEMA_VERSION;
  dataset: string;
  run?: string;
  job: string;
  jobArn?: string;
  status: TerminalStatus;
  secondaryStatus?: string;
  failureReason?: string;
  /** The step under way when the job failed or was stopped, e.g. `Training`. */
  failedStep?: string;
  failedStepMessage?: string;
  /** What the owner can do about a failure. */
  hint?: string;
  algorithm: string;
  image?: string;
  hyperparameters: Record<string, string>;
  instanceType?: string;
  instanceCount?: number;
  spot: boolean;
  maxRuntimeSeconds?: number;
  modelArtifact?: string;
  modelArtifactBytes?: number;
  modelPackageGroup?: string;
  modelPackageArn?: string;
  metrics: Record<string, number>;
  trainingSeconds?: number;
  billableSeconds?: number;
  /** Fraction saved by spot training (0.7 = 70 %). */
  spotSavings?: number;
  createdAt?: string;
  trainingStartedAt?: string;
  trainingEndedAt?: string;
  lastModifiedAt?: string;
  steps: JobStep[];
  manifestUri?: string;
  /**
   * What the model learns, from the manifest: for a classification,
   * `task.classes[i]` is the label of y.csv the model predicts as `i`.
   */
  task?: RunTask;
  /** The run's manifest as the merge wrote it: raw inputs with versions, rows per channel, settings. */
  manifest: unknown;
  /** Why `manifest` is null, when it is. */
  manifestProblem?: string;
  /**
   * Completed jobs: the evaluation on the run's held-out rows, added once when
   * it is known (the only field ever added to a written entry).
   */
  evaluation?: Verdict;
}

/** `catalog/<dataset>/latest.json`: the newest Completed job of a dataset. */
export interface LatestPointer {
  schemaVersion: typeof CATALOG_SCHEMA_VERSION;
  dataset: string;
  run?: string;
  job: string;
  /** When training ended: the pointer only ever moves to a later time. */
  trainingEndedAt: string;
  catalogKey: string;
  algorithm: string;
  modelArtifact?: string;
  modelPackageArn?: string;
  metrics: Record<string, number>;
}

/** latest.json kept changing under this writer for too long. Retryable. */
export class LatestPointerContentionError extends Error {
  override readonly name = 'LatestPointerContentionError';
}

const JSON_TYPE = { contentType: 'application/json' } as const;
const CAS_ATTEMPTS = 8;

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The task a manifest records, if it is a manifest that records one. */
function taskOf(manifest: unknown): RunTask | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const parsed = taskSchema.safeParse((manifest as { task?: unknown }).task);
  return parsed.success ? parsed.data : undefined;
}

/** The entry of `job`, with the facts only the stage knows (where it came from, the registry). */
export function buildCatalogEntry(input: {
  dataset: string;
  run?: string;
  job: FinishedJob;
  algorithm: string;
  hint?: string;
  manifestUri?: string;
  manifest: unknown;
  manifestProblem?: string;
  modelArtifactBytes?: number;
  modelPackageGroup?: string;
  modelPackageArn?: string;
}): CatalogEntry {
  const { job } = input;
  return withoutUndefined<CatalogEntry>({
    schemaVersion: CATALOG_SCHEMA_VERSION,
    dataset: input.dataset,
    run: input.run,
    job: job.job,
    jobArn: job.jobArn,
    status: job.status,
    secondaryStatus: job.secondaryStatus,
    failureReason: job.failureReason,
    failedStep: job.failedStep?.status,
    failedStepMessage: job.failedStep?.message,
    hint: input.hint,
    algorithm: input.algorithm,
    image: job.image ?? job.algorithmName,
    hyperparameters: job.hyperparameters,
    instanceType: job.instanceType,
    instanceCount: job.instanceCount,
    spot: job.spot,
    maxRuntimeSeconds: job.maxRuntimeSeconds,
    modelArtifact: job.modelArtifact,
    modelArtifactBytes: input.modelArtifactBytes,
    modelPackageGroup: input.modelPackageGroup,
    modelPackageArn: input.modelPackageArn,
    metrics: job.metrics,
    trainingSeconds: job.trainingSeconds,
    billableSeconds: job.billableSeconds,
    spotSavings: job.spotSavings,
    createdAt: job.createdAt,
    trainingStartedAt: job.trainingStartedAt,
    trainingEndedAt: job.trainingEndedAt,
    lastModifiedAt: job.lastModifiedAt,
    steps: job.steps,
    manifestUri: input.manifestUri,
    task: taskOf(input.manifest),
    manifest: input.manifest ?? null,
    manifestProblem: input.manifestProblem,
  });
}

/** The stored entry of `job`, or `undefined` when it has none (or it is unreadable). */
export async function readCatalogEntry(
  store: ObjectStore,
  dataset: string,
  job: string,
): Promise<CatalogEntry | undefined> {
  const read = await readCatalogRecord(store, keys.catalogEntry(dataset, job));
  return read.state === 'valid' && read.record.job === job ? read.record : undefined;
}

/**
 * Writes `entry` unless the job already has one, and returns the stored entry:
 * duplicates and concurrent retries of the same job end with exactly one.
 */
export async function writeCatalogEntry(
  store: ObjectStore,
  entry: CatalogEntry,
): Promise<{ entry: CatalogEntry; created: boolean }> {
  const key = keys.catalogEntry(entry.dataset, entry.job);
  const { created } = await store.put(key, `${JSON.stringify(entry, null, 2)}\n`, {
    ...JSON_TYPE,
    ifAbsent: true,
  });
  if (created) return { entry, created };
  return { entry: (await readCatalogEntry(store, entry.dataset, entry.job)) ?? entry, created };
}

/** The pointer latest.json holds for a Completed entry, or `undefined` for other entries. */
export function latestPointerFor(entry: CatalogEntry): LatestPointer | undefined {
  const endedAt = entry.trainingEndedAt ?? entry.lastModifiedAt;
  if (entry.status !== 'Completed' || !endedAt) return undefined;
  return withoutUndefined<LatestPointer>({
    schemaVersion: CATALOG_SCHEMA_VERSION,
    dataset: entry.dataset,
    run: entry.run,
    job: entry.job,
    trainingEndedAt: endedAt,
    catalogKey: keys.catalogEntry(entry.dataset, entry.job),
    algorithm: entry.algorithm,
    modelArtifact: entry.modelArtifact,
    modelPackageArn: entry.modelPackageArn,
    metrics: entry.metrics,
  });
}

/** Whether `a` is later than `b`: by training end time, then by job name. */
export function isNewer(
  a: Pick<LatestPointer, 'trainingEndedAt' | 'job'>,
  b: Pick<LatestPointer, 'trainingEndedAt' | 'job'>,
): boolean {
  const at = Date.parse(a.trainingEndedAt);
  const bt = Date.parse(b.trainingEndedAt);
  if (at !== bt) return Number.isNaN(bt) || at > bt;
  return a.job > b.job;
}

function parsePointer(text: string): LatestPointer | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = latestPointerSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Points `catalog/<dataset>/latest.json` at `entry` when it is a Completed job
 * newer than the one there now; never moves the pointer back in time, however
 * events are ordered or raced. Compare-and-swap on the ETag of the version
 * read. Returns whether the pointer now names `entry` because of this call.
 */
export async function advanceLatest(store: ObjectStore, entry: CatalogEntry): Promise<boolean> {
  const candidate = latestPointerFor(entry);
  if (!candidate) return false;
  const key = keys.catalogLatest(entry.dataset);
  const body = `${JSON.stringify(candidate, null, 2)}\n`;
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
    const ref = await store.head(key);
    if (!ref) {
      if ((await store.put(key, body, { ...JSON_TYPE, ifAbsent: true })).created) return true;
      continue;
    }
    let current: LatestPointer | undefined;
    try {
      current = parsePointer((await readObject(store, ref)).toString('utf8'));
    } catch (error) {
      // The version changed between head and read: look again.
      if (error instanceof ObjectChangedError) continue;
      throw error;
    }
    if (current && !isNewer(candidate, current)) return false;
    if ((await store.put(key, body, { ...JSON_TYPE, ifMatch: ref.etag })).created) return true;
  }
  throw new LatestPointerContentionError(
    `${key} kept changing while job ${entry.job} tried to update it; retrying the event will finish it`,
  );
}

/**
 * Adds `evaluation` to the stored entry of `job` unless it has one, by
 * compare-and-swap on the entry's ETag; returns the evaluation the entry holds
 * afterwards (the first one recorded wins). `undefined` when there is no entry.
 */
export async function recordEvaluation(
  store: ObjectStore,
  dataset: string,
  job: string,
  evaluation: Verdict,
): Promise<Verdict | undefined> {
  const key = keys.catalogEntry(dataset, job);
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
    const ref = await store.head(key);
    if (!ref) return undefined;
    let entry: CatalogEntry;
    try {
      entry = JSON.parse((await readObject(store, ref)).toString('utf8')) as CatalogEntry;
    } catch (error) {
      if (error instanceof ObjectChangedError) continue;
      throw error;
    }
    if (entry.evaluation) return entry.evaluation;
    const body = `${JSON.stringify({ ...entry, evaluation }, null, 2)}\n`;
    if ((await store.put(key, body, { ...JSON_TYPE, ifMatch: ref.etag })).created) return evaluation;
  }
  throw new LatestPointerContentionError(
    `${key} kept changing while its evaluation was recorded; retrying the event will finish it`,
  );
}
