import { inspectFeatures } from '../csv/features';
import { decodedInput } from '../csv/input-stream';
import { keys, parsePredictionOutputUri, s3Uri } from '../layout';
import type { Logger } from '../logger';
import {
  metricNumbers,
  PREDICTION_SCHEMA_VERSION,
  type PredictionPlan,
  type PredictionsRecord,
  readPredictionPlan,
  readPredictionsRecord,
} from '../models/prediction-plan';
import { joinPredictions, predictionColumnNames, rawRecords } from '../models/prediction-rows';
import { readLines } from '../models/predictions';
import { predictionTransformPrefix } from '../models/transform';
import { type PredictionsReadyDetail, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import type { ObjectRef } from '../ports';
import { numericPolicy } from '../settings/dataset';
import type { Invocation, PredictDeps } from './deps';
import { TransformNotFinishedError } from './evaluate';
import type { PredictOutcome } from './predict-rejection';

const TERMINAL = new Set(['Completed', 'Failed', 'Stopped']);
/** Output chunks handed to the store: rows are joined into pieces of about this size. */
const CHUNK_BYTES = 256 * 1024;

async function* batched(rows: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const row of rows) {
    parts.push(row);
    size += row.length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.concat(parts);
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield Buffer.concat(parts);
}

function inputRef(plan: PredictionPlan): ObjectRef {
  const { input } = plan;
  const ref: ObjectRef = {
    key: input.key,
    etag: input.etag,
    size: input.size,
    lastModified: new Date(input.lastModified),
  };
  if (input.versionId) ref.versionId = input.versionId;
  return ref;
}

/** Whether the record beside the output is of an upload newer than the plan's (so it stays). */
function newerUpload(record: PredictionsRecord, plan: PredictionPlan): boolean {
  const theirs = Date.parse(record.input.lastModified);
  const ours = Date.parse(plan.input.lastModified);
  return theirs !== ours ? theirs > ours : record.plannedAt > plan.plannedAt;
}

/** The upload as the user wrote it, with the predictions appended; the record beside it. */
async function writePredictions(
  deps: PredictDeps,
  plan: PredictionPlan,
  now: Date,
): Promise<PredictionsRecord> {
  const { store } = deps;
  const { champion } = plan;
  const ref = inputRef(plan);
  const outputKey = keys.predictions(plan.dataset, plan.name);
  const { format } = await inspectFeatures((read) => store.read(ref, read), {
    file: ref.key,
    featureCount: champion.featureCount,
    numeric: numericPolicy(champion.kind.algorithm),
    settingsFile: keys.raw(plan.dataset, 'settings'),
    modelLabel: champion.job,
    trainedOn: plan.trainedOn,
    ...(plan.delimiter ? { delimiter: plan.delimiter } : {}),
    ...(plan.indexColumn ? { indexColumn: plan.indexColumn } : {}),
  });
  const outRef = await store.head(keys.predictionOutput(plan.dataset, plan.id));
  if (!outRef)
    throw new Error(`${keys.predictionOutput(plan.dataset, plan.id)} is missing after a Completed transform`);
  let rows = 0;
  const joined = joinPredictions({
    records: rawRecords(decodedInput(store.read(ref), ref.key), format.delimiter),
    outputLines: readLines(store.read(outRef)),
    header: format.header,
    kind: champion.kind,
    classes: plan.classes,
    style: { delimiter: format.delimiter, decimalComma: format.decimalCommaSeen },
    outputKey: outRef.key,
    onRow: () => {
      rows += 1;
    },
  });
  // One upload: the object appears whole when it completes, or not at all.
  await store.put(outputKey, batched(joined), { contentType: 'text/csv' });
  const record: PredictionsRecord = {
    schemaVersion: PREDICTION_SCHEMA_VERSION,
    dataset: plan.dataset,
    id: plan.id,
    input: plan.input,
    output: outputKey,
    rows,
    header: format.header,
    columns: predictionColumnNames(champion.kind),
    model: {
      job: champion.job,
      algorithm: champion.algorithm,
      task: champion.task,
      metric: champion.metric,
      metrics: metricNumbers(champion.metrics),
      catalogKey: champion.catalogKey,
      ...(champion.modelPackageArn ? { modelPackageArn: champion.modelPackageArn } : {}),
    },
    transformJob: plan.transformJob,
    plannedAt: plan.plannedAt,
    createdAt: now.toISOString(),
  };
  await store.put(keys.predictionsRecord(plan.dataset, plan.name), `${JSON.stringify(record, null, 2)}\n`, {
    contentType: 'application/json',
  });
  return record;
}

function readyEvent(
  deps: PredictDeps,
  record: PredictionsRecord,
  plan: PredictionPlan,
): PredictionsReadyDetail {
  const detail: PredictionsReadyDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: plan.dataset,
    input: plan.input.key,
    rows: record.rows,
    job: record.model.job,
    algorithm: record.model.algorithm,
    metric: record.model.metric,
    metrics: record.model.metrics,
    columns: record.columns,
    transformJob: plan.transformJob,
    outputUri: s3Uri(deps.config.bucket, record.output),
    recordUri: s3Uri(deps.config.bucket, keys.predictionsRecord(plan.dataset, plan.name)),
  };
  if (plan.input.versionId) detail.inputVersion = plan.input.versionId;
  return detail;
}

async function notifyFailed(
  deps: PredictDeps,
  plan: PredictionPlan,
  status: string,
  reason: string,
  invocation: Invocation,
): Promise<void> {
  await notifyOnce(
    deps.store,
    deps.notifier,
    {
      detailType: 'Predictions Failed',
      detail: {
        schemaVersion: SCHEMA_VERSION,
        dataset: plan.dataset,
        input: plan.input.key,
        ...(plan.input.versionId ? { inputVersion: plan.input.versionId } : {}),
        job: plan.champion.job,
        transformJob: plan.transformJob,
        status,
        reason,
        hint:
          "The transform job's logs (below) give the cause; a quota or capacity problem passes with time: " +
          `upload ${plan.input.key} again to score it again.`,
      },
    },
    `predictions-failed-${plan.id}`,
    invocation.requestId,
    invocation.now,
  );
}

/**
 * Handles a "SageMaker Transform Job State Change" of this stack's prediction
 * transforms: on Completed, joins the upload's rows with the transform's
 * output into `predictions/<dataset>/<name>.csv` (complete or not at all),
 * writes the record beside it and sends one "Predictions Ready"; on Failed
 * or Stopped, one "Predictions Failed". Duplicates and races end the same.
 */
export async function finishPrediction(
  deps: PredictDeps,
  event: { job: string; status: string; terminal: boolean },
  invocation: Invocation,
): Promise<PredictOutcome> {
  const { config } = deps;
  if (!event.job.startsWith(predictionTransformPrefix(config.jobPrefix))) {
    return { outcome: 'ignored', reason: `${event.job} is not a prediction transform of this stack` };
  }
  if (!event.terminal) return { outcome: 'ignored', reason: `status ${event.status} is not terminal` };
  const described = await deps.scorer.describeTransformJob(event.job);
  const status = described.TransformJobStatus ?? '';
  if (!TERMINAL.has(status)) {
    throw new TransformNotFinishedError(
      `The event says transform job ${event.job} is ${event.status} but DescribeTransformJob says ${status}: retry`,
    );
  }
  const origin = parsePredictionOutputUri(described.TransformOutput?.S3OutputPath ?? '');
  if (!origin || origin.bucket !== config.bucket) {
    return {
      outcome: 'ignored',
      reason: `${event.job} does not write predictions in bucket ${config.bucket}`,
    };
  }
  const stored = await readPredictionPlan(deps.store, origin.dataset, origin.id);
  if (stored.state !== 'valid') return { outcome: 'ignored', reason: `no readable plan for ${origin.id}` };
  const plan = stored.record;
  const log = deps.logger.child({ dataset: plan.dataset, prediction: plan.id, job: plan.champion.job });
  if (status !== 'Completed') {
    const reason = described.FailureReason ?? `the transform is ${status}`;
    await notifyFailed(deps, plan, status, reason, invocation);
    log.warn('prediction transform ended without predictions', { status, reason });
    return { outcome: 'failed', dataset: plan.dataset, id: plan.id, transformJob: plan.transformJob, reason };
  }
  return finishCompleted(deps, plan, invocation, log);
}

async function finishCompleted(
  deps: PredictDeps,
  plan: PredictionPlan,
  invocation: Invocation,
  log: Logger,
): Promise<PredictOutcome> {
  const outputKey = keys.predictions(plan.dataset, plan.name);
  const existing = await readPredictionsRecord(deps.store, plan.dataset, plan.name);
  let record: PredictionsRecord;
  if (existing.state === 'valid' && existing.record.id === plan.id) record = existing.record;
  else if (existing.state === 'valid' && newerUpload(existing.record, plan)) {
    log.info('a newer upload of the same name was scored first', { by: existing.record.id });
    return { outcome: 'superseded', dataset: plan.dataset, id: plan.id, by: existing.record.id };
  } else record = await writePredictions(deps, plan, (invocation.now ?? (() => new Date()))());
  const notified = await notifyOnce(
    deps.store,
    deps.notifier,
    { detailType: 'Predictions Ready', detail: readyEvent(deps, record, plan) },
    `predictions-${plan.id}`,
    invocation.requestId,
    invocation.now,
  );
  log.info('predictions written', { outputKey, rows: record.rows, notified });
  if (existing.state === 'valid' && existing.record.id === plan.id) {
    return { outcome: 'already-written', dataset: plan.dataset, id: plan.id, outputKey, notified };
  }
  return {
    outcome: 'written',
    dataset: plan.dataset,
    id: plan.id,
    outputKey,
    rows: record.rows,
    job: record.model.job,
  };
}
