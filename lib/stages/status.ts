import { DEFAULT_DATASET, keys, PREFIX, parseManifestKey, parseRawKey, rawFileName } from '../layout';
import { round } from '../models/baseline';
import { readChampion } from '../models/champion';
import { metricValue } from '../models/decision';
import type { Verdict } from '../models/verdict';
import type { NotStartedDetail } from '../notifications/events';
import { readNotificationRecord } from '../notifications/notify-once';
import type { ObjectRef, ObjectStore } from '../ports';
import type { CatalogEntry, LatestPointer } from '../training/catalog';
import { readCatalogRecord, readLatestPointer } from '../training/catalog-records';
import { readManifest } from '../training/manifest';
import { readRejectionReport } from './merge-rejection';
import { headRawFile, inputToken, readInputClaim } from './pairing';

/** Where the current upload of x.csv or y.csv stands with the merge's pairing (`key`: x.csv or x.csv.gz). */
export type InputState =
  | { state: 'missing' }
  /** Not used by any run yet: it pairs with its partner. */
  | { state: 'new'; uploadedAt: string; key?: string }
  /** A merge holds it for `run` and has not committed a manifest yet. */
  | { state: 'merging'; run: string; uploadedAt: string; key?: string }
  /** `run` committed a manifest with it: it never pairs again. */
  | { state: 'consumed'; run: string; uploadedAt: string; key?: string }
  /** `run` rejected it; it pairs again with a new upload of its partner. */
  | { state: 'rejected'; run: string; uploadedAt: string; key?: string };

export interface RunStatus {
  run: string;
  createdAt: string;
  rows: number;
  algorithm: string;
  /** The run's job: from its catalog entry once finished, or `NotStarted` when SageMaker refused it. */
  job?: {
    name: string;
    status: string;
    metrics: Record<string, number>;
    failureReason?: string;
    /** The evaluation's decision, once the model was scored. */
    decision?: Verdict['decision'];
  };
}

/** The dataset's champion (`catalog/<dataset>/champion.json`): the model predictions use. */
export interface ChampionStatus {
  job: string;
  run?: string;
  /** The primary metric it was judged on, and its value on its own run's held-out rows. */
  metric: string;
  value?: number;
  testRows: number;
  /** When it became the champion; the pointer's write time for pointers that do not say. */
  promotedAt: string;
  promotedBy: 'evaluation' | 'approval';
}

export interface DatasetStatus {
  dataset: string;
  inputs: { x: InputState; y: InputState };
  /** What the pipeline waits for, in a sentence. */
  waitingFor: string;
  runs: RunStatus[];
  latest?: LatestPointer;
  champion?: ChampionStatus;
  rejections: { run?: string; rejectedAt: string; message: string; hint: string; key: string }[];
  /** Uploads in the dataset's folder the pipeline never reads, newest first, from their "Upload Ignored" records. */
  ignored: { file: string; at: string; reason: string; hint: string }[];
}

async function collect(store: ObjectStore, prefix: string): Promise<ObjectRef[]> {
  const refs: ObjectRef[] = [];
  for await (const ref of store.list(prefix)) refs.push(ref);
  return refs;
}

/** Reads the pairing claim of the current upload without taking it: the same records the merge writes. */
async function inputState(store: ObjectStore, dataset: string, file: 'x' | 'y'): Promise<InputState> {
  const ref = await headRawFile(store, dataset, file);
  if (!ref) return { state: 'missing' };
  const uploadedAt = ref.lastModified.toISOString();
  const { key } = ref;
  const read = await readInputClaim(store, keys.inputClaim(dataset, file, inputToken(ref)));
  if (read.state !== 'valid') return { state: 'new', uploadedAt, key };
  const claim = read.record;
  if (await store.head(keys.manifest(dataset, claim.run)))
    return { state: 'consumed', run: claim.run, uploadedAt, key };
  if (await store.head(keys.errorReport(dataset, claim.run)))
    return { state: 'rejected', run: claim.run, uploadedAt, key };
  return { state: 'merging', run: claim.run, uploadedAt, key };
}

/** Runs whose job could not start, from the "Training Failed To Start" notifications the train stage records. */
async function runsNotStarted(store: ObjectStore, dataset: string): Promise<Map<string, NotStartedDetail>> {
  const found = new Map<string, NotStartedDetail>();
  for (const ref of await collect(store, `${PREFIX.notifications}${dataset}/not-started-`)) {
    const read = await readNotificationRecord(store, ref.key);
    const event = read.state === 'valid' ? read.record.event : undefined;
    if (event?.detailType === 'Training Failed To Start') found.set(event.detail.run, event.detail);
  }
  return found;
}

/** The newest "Upload Ignored" notifications of `dataset`: what it uploaded that nothing will read. */
async function ignoredUploads(
  store: ObjectStore,
  dataset: string,
  max: number,
): Promise<DatasetStatus['ignored']> {
  const refs = (await collect(store, `${PREFIX.notifications}${dataset}/ignored-`))
    .sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime())
    .slice(0, max);
  const found: DatasetStatus['ignored'] = [];
  for (const ref of refs) {
    const read = await readNotificationRecord(store, ref.key);
    const event = read.state === 'valid' ? read.record.event : undefined;
    if (event?.detailType !== 'Upload Ignored') continue;
    const { file, reason, hint } = event.detail;
    found.push({ file, at: read.state === 'valid' ? read.record.at : '', reason, hint });
  }
  return found;
}

/** What the dataset waits for, given the state of its two inputs. */
export function describeWaiting(x: InputState, y: InputState): string {
  const name = { x: 'x.csv', y: 'y.csv' };
  const missing = (['x', 'y'] as const).filter((f) => ({ x, y })[f].state === 'missing');
  if (missing.length === 2) return 'waiting for x.csv and y.csv';
  if (missing.length === 1) return `waiting for ${name[missing[0] as 'x' | 'y']}`;
  if (x.state === 'merging' || y.state === 'merging') {
    return `merging run ${x.state === 'merging' ? x.run : (y as { run: string }).run}`;
  }
  if (x.state === 'consumed' && y.state === 'consumed') {
    return x.run === y.run
      ? `nothing to do: run ${x.run} used both files; upload x.csv and y.csv again to train again`
      : 'nothing to do: both files were used; upload x.csv and y.csv again to train again';
  }
  if (x.state === 'consumed') {
    return `waiting for a new x.csv: the current one was used by run ${x.run} and never pairs with the new y.csv`;
  }
  if (y.state === 'consumed') {
    return `waiting for a new y.csv: the current one was used by run ${y.run} and never pairs with the new x.csv`;
  }
  if (x.state === 'rejected' && y.state === 'rejected' && x.run === y.run) {
    return `rejected in run ${x.run}: fix the files and upload them again (see the rejection below)`;
  }
  return 'both files are new: a merge starts (or is about to)';
}

/** Every dataset with anything in the bucket: raw uploads, runs, catalog entries or rejections. */
export async function listDatasets(store: ObjectStore): Promise<string[]> {
  const found = new Set<string>();
  for (const ref of await collect(store, PREFIX.raw)) {
    const raw = parseRawKey(ref.key);
    if (raw && !raw.problem) found.add(raw.dataset);
  }
  for (const ref of await collect(store, PREFIX.notifications)) {
    // A folder that holds only uploads the pipeline ignores is still where the user looks.
    const [dataset, id] = ref.key.slice(PREFIX.notifications.length).split('/');
    if (dataset && !dataset.startsWith('_') && id?.startsWith('ignored-')) found.add(dataset);
  }
  for (const prefix of [PREFIX.train, PREFIX.catalog, PREFIX.errors]) {
    for (const ref of await collect(store, prefix)) {
      const dataset = ref.key.slice(prefix.length).split('/')[0];
      if (dataset && !dataset.startsWith('_')) found.add(dataset);
    }
  }
  return [...found].sort((a, b) =>
    a === DEFAULT_DATASET ? -1 : b === DEFAULT_DATASET ? 1 : a.localeCompare(b),
  );
}

/**
 * The state of one dataset as `sagedrop status` shows it: what it waits for,
 * its runs (from manifests) with their jobs (from catalog entries), the latest
 * model and the most recent rejections. Reads only.
 */
export async function datasetStatus(
  store: ObjectStore,
  dataset: string,
  maxRejections = 3,
): Promise<DatasetStatus> {
  const [x, y] = await Promise.all([inputState(store, dataset, 'x'), inputState(store, dataset, 'y')]);
  const entries = new Map<string, CatalogEntry>();
  for (const ref of await collect(store, `${PREFIX.catalog}${dataset}/`)) {
    if (ref.key === keys.catalogLatest(dataset) || ref.key === keys.catalogChampion(dataset)) continue;
    const read = await readCatalogRecord(store, ref.key);
    if (read.state === 'valid' && read.record.run) entries.set(read.record.run, read.record);
  }
  const notStarted = await runsNotStarted(store, dataset);
  const runs: RunStatus[] = [];
  for (const ref of await collect(store, `${PREFIX.train}${dataset}/`)) {
    const parsed = parseManifestKey(ref.key);
    if (!parsed || parsed.dataset !== dataset) continue;
    const read = await readManifest(store, ref.key);
    if (read.state !== 'valid') continue;
    const manifest = read.record;
    const run: RunStatus = {
      run: manifest.run,
      createdAt: manifest.createdAt,
      rows: manifest.rows.total,
      algorithm: manifest.settings.algorithm,
    };
    const entry = entries.get(manifest.run);
    const refused = notStarted.get(manifest.run);
    if (entry) {
      run.job = { name: entry.job, status: entry.status, metrics: entry.metrics };
      if (entry.failureReason) run.job.failureReason = entry.failureReason;
      if (entry.evaluation) run.job.decision = entry.evaluation.decision;
    } else if (refused) {
      run.job = { name: refused.job, status: 'NotStarted', metrics: {}, failureReason: refused.reason };
    }
    runs.push(run);
  }
  runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const reports = (await collect(store, `${PREFIX.errors}${dataset}/`))
    .sort((a, b) => b.lastModified.getTime() - a.lastModified.getTime())
    .slice(0, maxRejections);
  const rejections: DatasetStatus['rejections'] = [];
  for (const ref of reports) {
    const read = await readRejectionReport(store, ref.key);
    if (read.state !== 'valid') continue;
    const report = read.record;
    const item: DatasetStatus['rejections'][number] = {
      rejectedAt: report.rejectedAt,
      message: report.message,
      hint: report.hint,
      key: ref.key,
    };
    if (report.run) item.run = report.run;
    rejections.push(item);
  }
  const status: DatasetStatus = {
    dataset,
    inputs: { x, y },
    waitingFor: describeWaiting(x, y),
    runs,
    rejections,
    ignored: await ignoredUploads(store, dataset, maxRejections),
  };
  const latest = await readLatestPointer(store, dataset);
  if (latest.state === 'valid') status.latest = latest.record;
  const champion = await championStatus(store, dataset);
  if (champion) status.champion = champion;
  return status;
}

async function championStatus(store: ObjectStore, dataset: string): Promise<ChampionStatus | undefined> {
  const [pointer, ref] = await Promise.all([
    readChampion(store, dataset),
    store.head(keys.catalogChampion(dataset)),
  ]);
  if (!pointer || !ref) return undefined;
  const champion: ChampionStatus = {
    job: pointer.job,
    metric: pointer.metric,
    testRows: pointer.metrics.rows,
    promotedAt: pointer.promotedAt ?? ref.lastModified.toISOString(),
    promotedBy: pointer.promotedBy,
  };
  if (pointer.run) champion.run = pointer.run;
  const value = metricValue(pointer.metrics, pointer.metric);
  if (value !== undefined) champion.value = value;
  return champion;
}

function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([name, value]) => `${name}=${Number.isInteger(value) ? value : value.toPrecision(4)}`)
    .join(' ');
}

function describeInput(state: InputState): string {
  switch (state.state) {
    case 'missing':
      return 'not uploaded';
    case 'new':
      return `uploaded ${state.uploadedAt}, not used yet`;
    case 'merging':
      return `uploaded ${state.uploadedAt}, being merged into run ${state.run}`;
    case 'consumed':
      return `uploaded ${state.uploadedAt}, used by run ${state.run}`;
    case 'rejected':
      return `uploaded ${state.uploadedAt}, rejected in run ${state.run}`;
  }
}

/** The human-readable lines `sagedrop status` prints for a dataset. */
export function formatDatasetStatus(status: DatasetStatus): string[] {
  const lines = [`dataset ${status.dataset}: ${status.waitingFor}`];
  const label = (state: InputState, plain: string) =>
    state.state !== 'missing' && state.key ? rawFileName(state.key) : plain;
  lines.push(
    `  ${label(status.inputs.x, 'x.csv')}: ${describeInput(status.inputs.x)}`,
    `  ${label(status.inputs.y, 'y.csv')}: ${describeInput(status.inputs.y)}`,
  );
  if (status.runs.length === 0) lines.push('  runs: none yet');
  for (const run of status.runs) {
    const job = run.job
      ? `job ${run.job.name} ${run.job.status}${run.job.failureReason ? `: ${run.job.failureReason}` : ''}${
          Object.keys(run.job.metrics).length ? ` (${formatMetrics(run.job.metrics)})` : ''
        }`
      : 'training (no catalog entry yet)';
    const verdict = run.job?.decision ? `, evaluation: ${run.job.decision}` : '';
    lines.push(`  run ${run.run}: ${run.rows} rows, ${run.algorithm}, ${job}${verdict}`);
  }
  if (status.latest) {
    lines.push(
      `  latest model: ${status.latest.modelArtifact ?? '(none)'} (job ${status.latest.job}, ${status.latest.trainingEndedAt})`,
    );
  } else {
    lines.push('  latest model: none yet');
  }
  if (status.champion) {
    const c = status.champion;
    const score = c.value === undefined ? c.metric : `${c.metric} ${round(c.value)}`;
    lines.push(
      `  champion: job ${c.job}, ${score} on its ${c.testRows} held-out rows, ${c.promotedBy === 'approval' ? 'approved' : 'promoted'} ${c.promotedAt}`,
    );
  } else {
    lines.push(
      status.latest
        ? '  champion: none: no model of the dataset was promoted (each run says why)'
        : '  champion: none yet',
    );
  }
  for (const rejection of status.rejections) {
    lines.push(
      `  rejected ${rejection.rejectedAt}${rejection.run ? ` (run ${rejection.run})` : ''}: ${rejection.message}`,
    );
    lines.push(`    what to do: ${rejection.hint}`);
  }
  for (const upload of status.ignored) {
    lines.push(`  ignored ${upload.file} (${upload.at}): ${upload.reason}`);
    lines.push(`    what to do: ${upload.hint}`);
  }
  return lines;
}
