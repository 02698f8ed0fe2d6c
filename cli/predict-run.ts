import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { groupThousands } from '../lib/format';
import { keys } from '../lib/layout';
import {
  type PredictionsRecord,
  readPredictionPlan,
  readPredictionsRecord,
} from '../lib/models/prediction-plan';
import { readNotificationRecord } from '../lib/notifications/notify-once';
import type { ObjectStore } from '../lib/ports';
import { readRejectionReport } from '../lib/stages/merge-rejection';
import { predictionId } from '../lib/stages/predict';
import { predictionReportKey } from '../lib/stages/predict-rejection';
import type { CommandIO } from './command';

/** Where a file to score goes: `score/<dataset>/<name>.csv`, `.csv.gz` for gzip, whatever its own name. */
export async function scoreTarget(dataset: string, file: string): Promise<{ key: string; name: string }> {
  const handle = await open(file, 'r');
  const head = Buffer.alloc(2);
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const name = basename(file).replace(/(\.csv)?(\.gz)?$/i, '') || 'rows';
  return { key: keys.scoreUpload(dataset, `${name}.csv${gzip ? '.gz' : ''}`), name };
}

/** The default output file: `<name>.predictions.csv` beside the input. */
export function defaultOutput(file: string, name: string): string {
  return join(dirname(file), `${name}.predictions.csv`);
}

/** How a scoring upload ended, as the bucket tells it. */
export type PredictionAnswer =
  | { state: 'ready'; record: PredictionsRecord }
  | { state: 'rejected'; message: string; hint?: string; code?: string }
  | { state: 'failed'; reason: string; hint?: string }
  /** A newer upload of the same name was answered: ours will not be. */
  | { state: 'superseded'; by: string }
  | { state: 'pending'; model?: string; transformJob?: string };

/** Reads what the bucket says of the scoring upload `id` of `name` now. */
export async function predictionAnswer(
  store: ObjectStore,
  dataset: string,
  name: string,
  id: string,
): Promise<PredictionAnswer> {
  const record = await readPredictionsRecord(store, dataset, name);
  if (record.state === 'valid' && record.record.id === id) return { state: 'ready', record: record.record };
  const report = await readRejectionReport(store, predictionReportKey(dataset, id));
  if (report.state === 'valid') {
    const { message, hint, code } = report.record;
    return { state: 'rejected', message, hint, ...(code ? { code } : {}) };
  }
  const failed = await readNotificationRecord(store, keys.notification(dataset, `predictions-failed-${id}`));
  if (failed.state === 'valid' && failed.record.event.detailType === 'Predictions Failed') {
    const { reason, hint } = failed.record.event.detail;
    return { state: 'failed', reason, hint };
  }
  const plan = await readPredictionPlan(store, dataset, id);
  if (record.state === 'valid' && plan.state === 'valid' && record.record.plannedAt > plan.record.plannedAt) {
    return { state: 'superseded', by: record.record.input.versionId ?? record.record.id };
  }
  return plan.state === 'valid'
    ? { state: 'pending', model: plan.record.champion.job, transformJob: plan.record.transformJob }
    : { state: 'pending' };
}

/** Uploads `file` to `key` (multipart for large files) and returns the id of the version it made. */
export async function uploadForScoring(
  client: S3Client,
  store: ObjectStore,
  bucket: string,
  key: string,
  file: string,
): Promise<string> {
  const result = await new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentType: 'text/csv' },
    partSize: 8 * 1024 * 1024,
    queueSize: 4,
    leavePartsOnError: false,
  }).done();
  const ref = await store.head(key);
  if (!ref) throw new Error(`${key} is not in the bucket after its upload`);
  if (result.VersionId && ref.versionId !== result.VersionId) {
    // Someone uploaded the same name meanwhile: ours is the version the upload answered with.
    return predictionId({ ...ref, versionId: result.VersionId });
  }
  return predictionId(ref);
}

/** Copies the predictions to `out` (written beside it first, so a half-written file never has its name). */
export async function downloadPredictions(store: ObjectStore, key: string, out: string): Promise<number> {
  const ref = await store.head(key);
  if (!ref) throw new Error(`${key} is gone`);
  const partial = `${out}.partial`;
  await mkdir(dirname(out), { recursive: true });
  try {
    await pipeline(store.read(ref), createWriteStream(partial));
    await rename(partial, out);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return ref.size;
}

/** The summary lines of a finished prediction. */
export function summaryLines(record: PredictionsRecord, out: string, bucket: string): string[] {
  const metric = record.model.metrics[record.model.metric];
  return [
    `${groupThousands(record.rows)} rows scored by ${record.model.job} (${record.model.algorithm}${metric !== undefined ? `, ${record.model.metric} ${Number(metric.toFixed(4))} on its held-out rows` : ''})`,
    `columns added: ${record.columns.join(', ')}`,
    `predictions: ${out}`,
    `in the bucket: s3://${bucket}/${record.output} (and ${keys.predictionsRecord(record.dataset, basename(record.output, '.csv'))})`,
  ];
}

/** Waits until the bucket answers for the upload, saying what it waits for every `noticeMs`. */
export async function waitForAnswer(
  io: CommandIO,
  poll: () => Promise<PredictionAnswer>,
  options: { intervalMs: number; timeoutMs: number; noticeMs: number },
): Promise<PredictionAnswer> {
  const started = Date.now();
  let lastNotice = started;
  let said = '';
  for (;;) {
    const answer = await poll();
    if (answer.state !== 'pending') return answer;
    const waited = Date.now() - started;
    if (answer.model && said !== answer.model) {
      said = answer.model;
      io.err(`scoring with the champion ${answer.model} (batch transform ${answer.transformJob})`);
    }
    if (waited >= options.timeoutMs) return answer;
    if (Date.now() - lastNotice >= options.noticeMs) {
      lastNotice = Date.now();
      io.err(`still scoring after ${Math.round(waited / 1000)} s...`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
