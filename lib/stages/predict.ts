import { createHash } from 'node:crypto';
import { DatasetRejectedError } from '../csv/errors';
import { type FeatureFileOptions, inspectFeatures, normaliseFeatures } from '../csv/features';
import { keys, parseScoreKey, s3Uri } from '../layout';
import { readChampion } from '../models/champion';
import {
  commitPredictionPlan,
  PREDICTION_SCHEMA_VERSION,
  type PredictionPlan,
  readPredictionPlan,
} from '../models/prediction-plan';
import { buildModelRequest, buildTransformRequest, predictionTransformName } from '../models/transform';
import type { ObjectRef } from '../ports';
import { numericPolicy } from '../settings/dataset';
import { readCatalogEntry } from '../training/catalog';
import { JOB_TAGS } from '../training/job-tags';
import { runManifestSchema } from '../training/manifest';
import type { Invocation, PredictDeps } from './deps';
import { manifestInput } from './merge-outputs';
import { INVALID_FOLDER_DATASET } from './merge-rejection';
import { inputToken } from './pairing';
import { type PredictOutcome, type PredictRejection, rejectPrediction } from './predict-rejection';

export type { PredictOutcome } from './predict-rejection';

/** An object-created notification under score/, as far as the predict stage needs it. */
export interface ScoreUpload {
  key: string;
  versionId?: string;
  etag?: string;
  size?: number;
}

/**
 * The id of one uploaded version of a scoring file: a hash of its key and
 * version (the S3 version id, else ETag and time), so an identical re-upload
 * is scored again and a repeated event is not.
 */
export function predictionId(ref: ObjectRef): string {
  return createHash('sha256')
    .update(`${ref.key}\n${inputToken(ref)}`)
    .digest('hex')
    .slice(0, 24);
}

/** The version the event announced: the current one, or (overwritten since) the one it names. */
async function announcedVersion(deps: PredictDeps, upload: ScoreUpload): Promise<ObjectRef | undefined> {
  const current = await deps.store.head(upload.key);
  if (!upload.versionId || current?.versionId === upload.versionId) return current;
  return {
    key: upload.key,
    versionId: upload.versionId,
    etag: upload.etag ?? '',
    size: upload.size ?? 0,
    lastModified: current?.lastModified ?? new Date(0),
  };
}

/** What the champion was trained on, to read the upload as its x.csv was read. */
async function planFor(
  deps: PredictDeps,
  dataset: string,
  name: string,
  ref: ObjectRef,
  id: string,
  now: Date,
): Promise<PredictionPlan | PredictRejection> {
  const champion = await readChampion(deps.store, dataset);
  if (!champion) {
    return {
      code: 'NO_CHAMPION',
      message: `dataset "${dataset}" has no champion model to score ${ref.key} with`,
      file: ref.key,
      hint: `Train a model first: upload raw/${dataset === 'default' ? '' : `${dataset}/`}x.csv and y.csv, wait for "Training Completed" with the model promoted, then upload ${ref.key} again.`,
    };
  }
  const entry = await readCatalogEntry(deps.store, dataset, champion.job);
  const manifest = runManifestSchema.safeParse(entry?.manifest);
  const settings = manifest.success ? manifest.data.settings : undefined;
  const plan: PredictionPlan = {
    schemaVersion: PREDICTION_SCHEMA_VERSION,
    dataset,
    id,
    name,
    input: manifestInput(ref),
    champion,
    trainedOn: manifest.success ? manifest.data.inputs.x.key : keys.raw(dataset, 'x'),
    transformJob: predictionTransformName(deps.config.jobPrefix, id),
    plannedAt: now.toISOString(),
  };
  const classes = entry?.task?.classes ?? (manifest.success ? manifest.data.task?.classes : undefined);
  if (classes) plan.classes = classes;
  if (settings?.delimiter) plan.delimiter = settings.delimiter;
  if (settings?.indexColumn) plan.indexColumn = settings.indexColumn;
  return commitPredictionPlan(deps.store, plan);
}

/** Validates the upload and writes its normalised rows, unless a delivery before this one did. */
async function writeNormalisedInput(deps: PredictDeps, plan: PredictionPlan, ref: ObjectRef): Promise<void> {
  const inputKey = keys.predictionInput(plan.dataset, plan.id);
  if (await deps.store.head(inputKey)) return;
  const { champion } = plan;
  const options: FeatureFileOptions = {
    file: ref.key,
    featureCount: champion.featureCount,
    numeric: numericPolicy(champion.kind.algorithm),
    settingsFile: keys.raw(plan.dataset, 'settings'),
    modelLabel: `the champion of "${plan.dataset}" (${champion.job})`,
    trainedOn: plan.trainedOn,
  };
  if (plan.delimiter) options.delimiter = plan.delimiter;
  if (plan.indexColumn) options.indexColumn = plan.indexColumn;
  const { format } = await inspectFeatures((read) => deps.store.read(ref, read), options);
  // A multipart upload: a rejected row aborts it, so no partial input is ever visible.
  await deps.store.put(inputKey, normaliseFeatures(deps.store.read(ref), format, options), {
    contentType: 'text/csv',
  });
}

/**
 * Reacts to one upload under `score/`: plans its scoring with the dataset's
 * champion (once per uploaded version, whoever races), validates and
 * normalises the rows with the merge's CSV engine into
 * `transforms/<dataset>/<id>/input/`, and starts the batch transform. A
 * dataset without a champion, or rows the model cannot take, end in a
 * report and one "Predictions Rejected"; nothing is written under
 * predictions/. Every step is idempotent.
 */
export async function handleScoreUpload(
  deps: PredictDeps,
  upload: ScoreUpload,
  invocation: Invocation,
): Promise<PredictOutcome> {
  const now = invocation.now ?? (() => new Date());
  const parsed = parseScoreKey(upload.key);
  if (!parsed) return { outcome: 'ignored', key: upload.key, reason: 'not a scoring upload' };
  const ref = await announcedVersion(deps, upload);
  if (!ref) return { outcome: 'ignored', key: upload.key, reason: 'the object is gone' };
  const id = predictionId(ref);
  const { name } = parsed;
  // A folder that cannot be a dataset is reported where the merge reports them.
  const dataset = parsed.problem ? INVALID_FOLDER_DATASET : parsed.dataset;
  const log = deps.logger.child({ dataset, prediction: id });
  const reject = (rejection: PredictRejection) =>
    rejectPrediction(deps, { dataset, id, input: ref }, rejection, invocation, log);
  if (parsed.problem) {
    return reject({
      code: 'INVALID_FOLDER',
      message: `${upload.key} cannot be scored: ${parsed.problem}`,
      file: upload.key,
      hint: 'Upload the rows to score/<dataset>/<name>.csv, where <dataset> is the folder of the dataset under raw/.',
    });
  }
  const stored = await readPredictionPlan(deps.store, dataset, id);
  const planned =
    stored.state === 'valid' ? stored.record : await planFor(deps, dataset, name, ref, id, now());
  if (!('schemaVersion' in planned)) return reject(planned);
  const plan = planned;
  try {
    await writeNormalisedInput(deps, plan, ref);
  } catch (error) {
    if (!(error instanceof DatasetRejectedError)) throw error;
    const rejection: PredictRejection = {
      code: error.code,
      message: error.message,
      file: error.location.file,
      hint: error.hint,
    };
    if (error.location.row !== undefined) rejection.row = error.location.row;
    if (error.location.column !== undefined) rejection.column = error.location.column;
    return reject(rejection);
  }
  const { champion } = plan;
  const { config } = deps;
  const tags = {
    [JOB_TAGS.dataset]: dataset,
    [JOB_TAGS.job]: champion.job,
    [JOB_TAGS.stack]: config.stackName,
  };
  await deps.scorer.createModel(
    buildModelRequest({
      modelName: champion.modelName,
      image: champion.image,
      modelDataUrl: champion.modelArtifact,
      roleArn: config.sagemakerRoleArn,
      tags,
    }),
  );
  const started = await deps.scorer.createTransformJob(
    buildTransformRequest({
      name: plan.transformJob,
      modelName: champion.modelName,
      algorithm: champion.kind.algorithm,
      inputUri: s3Uri(config.bucket, keys.predictionInputPrefix(dataset, id)),
      outputUri: s3Uri(config.bucket, keys.predictionOutputPrefix(dataset, id)),
      labelFirst: false,
      tags,
    }),
  );
  log.info('scoring started', { transformJob: plan.transformJob, model: champion.job, started });
  return { outcome: 'started', dataset, id, transformJob: plan.transformJob, job: champion.job };
}
