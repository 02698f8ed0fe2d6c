import { createHash } from 'node:crypto';
import { ListObjectsCommand } from '@aws-sdk/client-s3';
import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { keys, PREFIX, parseChannelUri, s3Uri } from '../../lib/layout';
import { JOB_NAME_PATTERN, trainingJobName } from '../../lib/training/job-name';
import type { RunManifest } from '../../lib/training/manifest';
import type { FaultyStack } from './faulty-stack';
import type { DatasetPlan } from './plan';

/** What was found wrong with one dataset; every list is empty when all is well. */
export interface Verdict {
  dataset: string;
  lost: string[];
  duplicated: string[];
  partial: string[];
  /** A name, key, role, bucket, output or image outside what the stack allows. */
  escaped: string[];
}

/** One user upload, as S3 acknowledged it. */
export interface Upload {
  key: string;
  etag: string;
  md5: string;
}

export const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** Thrown when the bucket cannot be read back: names the key, so a failed check says where. */
export class BucketReadError extends Error {
  override readonly name = 'BucketReadError';
}

/**
 * Every key under `prefix`. Lists with ListObjects (v1) and markers: the local
 * server cannot page ListObjectsV2 (its continuation tokens use DES, which
 * OpenSSL 3 refuses), and a full run holds more than 1000 keys.
 */
export async function listKeys(stack: FaultyStack, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await stack.directClient.send(
        new ListObjectsCommand({ Bucket: stack.bucket, Prefix: prefix, Marker: marker }),
      );
      for (const item of page.Contents ?? []) if (item.Key) found.push(item.Key);
      marker = page.IsTruncated ? page.Contents?.at(-1)?.Key : undefined;
    } while (marker);
  } catch (error) {
    throw new BucketReadError(`listing ${prefix} failed: ${String(error)}`, { cause: error });
  }
  return found;
}

async function readText(stack: FaultyStack, key: string): Promise<string | undefined> {
  try {
    return await stack.direct.getText(key);
  } catch (error) {
    throw new BucketReadError(`reading ${key} failed: ${String(error)}`, { cause: error });
  }
}

function linesOf(text: string): string[] {
  return text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
}

/** The notifications sent about `dataset`, counted by detail type and job. */
function notificationCounts(stack: FaultyStack, dataset: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { event } of stack.notifier.sent) {
    if (event.detail.dataset !== dataset) continue;
    const job = 'job' in event.detail ? event.detail.job : '';
    const id = `${event.detailType}|${job}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function countSlot(verdict: Verdict, what: string, found: number, expected: number): void {
  if (found < expected) verdict.lost.push(`${what}: ${found} of ${expected}`);
  if (found > expected) verdict.duplicated.push(`${what}: ${found}, expected ${expected}`);
}

/** Checks one channel file against the rows the round must have produced. */
async function checkChannel(
  stack: FaultyStack,
  verdict: Verdict,
  channel: { files: string[]; rows: number; bytes: number; labelFirst: boolean },
  expected: Map<string, number>,
  seen: Map<string, number>,
): Promise<number> {
  let rows = 0;
  let bytes = 0;
  for (const file of channel.files) {
    const text = await readText(stack, file);
    if (text === undefined) {
      verdict.partial.push(`${file} is named by a manifest but missing`);
      continue;
    }
    bytes += Buffer.byteLength(text);
    for (const line of linesOf(text)) {
      rows += 1;
      if (!expected.has(line))
        verdict.partial.push(`${file} holds a row that is not in the upload: ${line.slice(0, 60)}`);
      seen.set(line, (seen.get(line) ?? 0) + 1);
    }
  }
  if (rows !== channel.rows)
    verdict.partial.push(`${channel.files[0]}: ${rows} rows, manifest says ${channel.rows}`);
  if (bytes !== channel.bytes)
    verdict.partial.push(`${channel.files[0]}: ${bytes} bytes, manifest says ${channel.bytes}`);
  return rows;
}

function tally(lines: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

async function checkRun(
  stack: FaultyStack,
  plan: DatasetPlan,
  verdict: Verdict,
  manifest: RunManifest,
  uploads: Upload[],
): Promise<void> {
  const xUploads = uploads.filter((u) => u.key === keys.raw(plan.name, 'x'));
  const round =
    plan.rounds[
      xUploads.findIndex((u) => u.etag.replace(/"/g, '') === manifest.inputs.x.etag.replace(/"/g, ''))
    ];
  if (!round) {
    verdict.partial.push(`run ${manifest.run} was made from an x.csv that was never uploaded`);
    return;
  }
  const labelled = tally(round.labelled);
  const features = tally(round.features);
  const seenLabelled = new Map<string, number>();
  const seenFeatures = new Map<string, number>();
  let total = 0;
  for (const name of ['train', 'validation', 'test'] as const) {
    const channel = manifest.channels[name];
    if (!channel) continue;
    const own = channel.labelFirst ? labelled : features;
    total += await checkChannel(
      stack,
      verdict,
      channel,
      own,
      channel.labelFirst ? seenLabelled : seenFeatures,
    );
  }
  if (total !== round.features.length || manifest.rows.total !== round.features.length) {
    verdict.partial.push(
      `run ${manifest.run}: ${total} rows in channels, ${manifest.rows.total} in manifest, ${round.features.length} uploaded`,
    );
  }
  for (const [line, count] of [...seenLabelled, ...seenFeatures]) {
    const allowed = (labelled.get(line) ?? 0) + (features.get(line) ?? 0);
    if (count > allowed) verdict.duplicated.push(`run ${manifest.run}: a row appears ${count} times`);
  }
}

/** The job's request stayed inside what the stack allows. */
function checkJob(
  stack: FaultyStack,
  plan: DatasetPlan,
  job: DescribeTrainingJobResponse,
  verdict: Verdict,
): void {
  const name = job.TrainingJobName ?? '';
  if (!JOB_NAME_PATTERN.test(name)) verdict.escaped.push(`invalid job name ${name}`);
  if (job.RoleArn !== stack.config.sagemakerRoleArn) verdict.escaped.push(`${name} runs as ${job.RoleArn}`);
  const output = s3Uri(stack.bucket, keys.modelsPrefix(plan.name));
  if (job.OutputDataConfig?.S3OutputPath !== output) {
    verdict.escaped.push(`${name} writes to ${job.OutputDataConfig?.S3OutputPath}`);
  }
  const image = job.AlgorithmSpecification?.TrainingImage ?? '';
  if (!/\.amazonaws\.com\/(kmeans|linear-learner|sagemaker-xgboost):/.test(image)) {
    verdict.escaped.push(`${name} trains with image ${image}`);
  }
  for (const channel of job.InputDataConfig ?? []) {
    const parsed = parseChannelUri(channel.DataSource?.S3DataSource?.S3Uri ?? '');
    if (parsed?.bucket !== stack.bucket || parsed.dataset !== plan.name) {
      verdict.escaped.push(`${name} reads ${channel.DataSource?.S3DataSource?.S3Uri}`);
    }
  }
}

/**
 * Reads the bucket and the local services after a run and compares them with
 * what `plan` must have produced: runs, jobs, catalog entries, notifications,
 * rejection reports, untouched raw uploads.
 */
export async function verifyDataset(
  stack: FaultyStack,
  plan: DatasetPlan,
  uploads: Upload[],
): Promise<Verdict> {
  const verdict: Verdict = { dataset: plan.name, lost: [], duplicated: [], partial: [], escaped: [] };
  for (const upload of lastUploads(uploads)) {
    const text = await readText(stack, upload.key);
    if (text === undefined) verdict.lost.push(`raw upload ${upload.key} is gone`);
    else if (md5(text) !== upload.md5) verdict.lost.push(`raw upload ${upload.key} was overwritten`);
  }
  if (plan.kind === 'invalid-folder') {
    await checkInvalidFolder(stack, plan, verdict);
    return verdict;
  }
  const trainKeys = await listKeys(stack, `${PREFIX.train}${plan.name}/`);
  const manifestKeys = trainKeys.filter((k) => k.endsWith('/manifest.json') && !k.includes('/_inputs/'));
  countSlot(verdict, 'runs', manifestKeys.length, plan.expect.runs);
  const runsWithManifest = new Set(manifestKeys.map((k) => k.split('/').at(-2)));
  for (const key of trainKeys) {
    const run = key.slice(`${PREFIX.train}${plan.name}/`.length).split('/')[0] ?? '';
    if (run !== '_inputs' && !runsWithManifest.has(run))
      verdict.partial.push(`${key} belongs to no committed run`);
  }
  const manifests: RunManifest[] = [];
  for (const key of manifestKeys) {
    const manifest = JSON.parse((await readText(stack, key)) ?? '{}') as RunManifest;
    manifests.push(manifest);
    await checkRun(stack, plan, verdict, manifest, uploads);
  }
  const jobs = [...new Set(stack.sagemaker.requests.map((r) => r.TrainingJobName ?? ''))].filter(
    (name) => stack.jobDataset(name) === plan.name,
  );
  countSlot(verdict, 'training jobs', jobs.length, plan.expect.runs);
  for (const manifest of manifests) {
    const job = trainingJobName(stack.config.jobPrefix, plan.name, manifest.run);
    if (!jobs.includes(job)) verdict.lost.push(`no training job for run ${manifest.run}`);
  }
  const terminal = new Map<string, string>();
  for (const job of jobs) {
    const described = await stack.trainer.describeTrainingJob(job);
    checkJob(stack, plan, described, verdict);
    terminal.set(job, described.TrainingJobStatus ?? '');
  }
  const entries = (await listKeys(stack, `${PREFIX.catalog}${plan.name}/`)).filter(
    (k) => !k.endsWith('/latest.json'),
  );
  countSlot(verdict, 'catalog entries', entries.length, plan.expect.runs);
  await checkLatest(stack, plan, verdict, manifests, terminal);
  const notes = notificationCounts(stack, plan.name);
  for (const job of jobs) {
    countSlot(verdict, `"Training Started" for ${job}`, notes.get(`Training Started|${job}`) ?? 0, 1);
    const status = terminal.get(job) ?? '';
    countSlot(verdict, `"Training ${status}" for ${job}`, notes.get(`Training ${status}|${job}`) ?? 0, 1);
  }
  const expectedNotes = jobs.length * 2 + plan.expect.rejections;
  const sentNotes = [...notes.values()].reduce((a, b) => a + b, 0);
  if (sentNotes > expectedNotes)
    verdict.duplicated.push(`${sentNotes} notifications, expected ${expectedNotes}`);
  const reports = await listKeys(stack, `${PREFIX.errors}${plan.name}/`);
  countSlot(verdict, 'rejection reports', reports.length, plan.expect.rejections);
  countSlot(
    verdict,
    '"Dataset Rejected" notifications',
    notes.get('Dataset Rejected|') ?? 0,
    plan.expect.rejections,
  );
  return verdict;
}

/** latest.json names the newest Completed job: that of the last round with a run. */
async function checkLatest(
  stack: FaultyStack,
  plan: DatasetPlan,
  verdict: Verdict,
  manifests: RunManifest[],
  terminal: Map<string, string>,
): Promise<void> {
  const newest = [...manifests].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1);
  if (!newest) return;
  const job = trainingJobName(stack.config.jobPrefix, plan.name, newest.run);
  if (terminal.get(job) !== 'Completed') return;
  const latest = await readText(stack, keys.catalogLatest(plan.name));
  const pointed = latest === undefined ? undefined : (JSON.parse(latest) as { job?: string }).job;
  if (pointed !== job)
    verdict.lost.push(`latest.json names ${pointed ?? 'nothing'}, not the newest job ${job}`);
}

async function checkInvalidFolder(stack: FaultyStack, plan: DatasetPlan, verdict: Verdict): Promise<void> {
  const folder = `${PREFIX.raw}${plan.name}/`;
  let reports = 0;
  for (const key of await listKeys(stack, `${PREFIX.errors}_invalid/`)) {
    const report = JSON.parse((await readText(stack, key)) ?? '{}') as { file?: string };
    if (report.file?.startsWith(folder)) reports += 1;
  }
  countSlot(verdict, 'rejection reports', reports, plan.expect.rejections);
  const notes = stack.notifier.sent.filter(
    (n) => n.event.detailType === 'Dataset Rejected' && n.event.detail.file?.startsWith(folder),
  ).length;
  countSlot(verdict, '"Dataset Rejected" notifications', notes, plan.expect.rejections);
  const runs = await listKeys(stack, `${PREFIX.train}${plan.name}/`);
  if (runs.length > 0) verdict.escaped.push(`${runs.length} objects written under train/${plan.name}/`);
}

/** The last upload of each key: what the bucket must still hold. */
export function lastUploads(uploads: Upload[]): Upload[] {
  const last = new Map<string, Upload>();
  for (const upload of uploads) last.set(upload.key, upload);
  return [...last.values()];
}
