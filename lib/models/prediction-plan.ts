import * as z from 'zod';
import { keys } from '../layout';
import { type ObjectStore, readStoredRecord, type StoredRecord } from '../ports';
import { manifestInputSchema } from '../training/manifest';
import type { ChampionPointer } from './champion';

export const PREDICTION_SCHEMA_VERSION = '1.0';

const championSchema = z.lazy(() =>
  z.custom<ChampionPointer>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as ChampionPointer).job === 'string' &&
      typeof (value as ChampionPointer).modelArtifact === 'string' &&
      typeof (value as ChampionPointer).kind === 'object',
    'not a champion pointer',
  ),
);

const planSchema = z.lazy(() =>
  z.object({
    schemaVersion: z.literal(PREDICTION_SCHEMA_VERSION),
    dataset: z.string(),
    /** Names the uploaded version: every key and name of its scoring derives from it. */
    id: z.string(),
    /** The upload's name without `.csv` / `.csv.gz`: the predictions are `predictions/<dataset>/<name>.csv`. */
    name: z.string(),
    input: manifestInputSchema,
    /** The dataset's champion when the upload was handled: the model that scores it, whatever comes later. */
    champion: championSchema,
    /** Class `i` is `classes[i]`, from the champion's run. */
    classes: z.array(z.string()).optional(),
    /** The champion run's `delimiter` and `indexColumn` settings, which read the upload as they read x.csv. */
    delimiter: z.enum([',', ';', '\t']).optional(),
    indexColumn: z.enum(['keep', 'drop']).optional(),
    /** The features file the champion was trained on, named in messages. */
    trainedOn: z.string(),
    transformJob: z.string(),
    plannedAt: z.string(),
  }),
);

/**
 * `transforms/<dataset>/<id>/plan.json`: what one scoring upload is scored
 * with, written once before anything else, so every duplicate and the
 * transform's completion work from the same model.
 */
export type PredictionPlan = z.infer<typeof planSchema>;

/** The plan of scoring upload `id`, checked. */
export function readPredictionPlan(
  store: Pick<ObjectStore, 'getText'>,
  dataset: string,
  id: string,
): Promise<StoredRecord<PredictionPlan>> {
  return readStoredRecord(store, keys.predictionPlan(dataset, id), planSchema);
}

/**
 * Stores the plan unless the upload has one and returns the stored one:
 * racing deliveries of one upload score with the same champion.
 */
export async function commitPredictionPlan(
  store: ObjectStore,
  plan: PredictionPlan,
): Promise<PredictionPlan> {
  const key = keys.predictionPlan(plan.dataset, plan.id);
  const { created } = await store.put(key, `${JSON.stringify(plan, null, 2)}\n`, {
    contentType: 'application/json',
    ifAbsent: true,
  });
  if (created) return plan;
  const stored = await readPredictionPlan(store, plan.dataset, plan.id);
  if (stored.state !== 'valid')
    throw new Error(`${key} exists but cannot be read: ${JSON.stringify(stored)}`);
  return stored.record;
}

const recordSchema = z.lazy(() =>
  z.object({
    schemaVersion: z.literal(PREDICTION_SCHEMA_VERSION),
    dataset: z.string(),
    id: z.string(),
    /** The upload scored, at its version. */
    input: manifestInputSchema,
    output: z.string(),
    rows: z.number().int().nonnegative(),
    header: z.boolean(),
    /** The columns appended to each row. */
    columns: z.array(z.string()),
    /** The model that scored: the champion when the upload was handled. */
    model: z.object({
      job: z.string(),
      algorithm: z.string(),
      task: z.string(),
      metric: z.string(),
      metrics: z.record(z.string(), z.number()),
      catalogKey: z.string(),
      modelPackageArn: z.string().optional(),
    }),
    transformJob: z.string(),
    plannedAt: z.string(),
    createdAt: z.string(),
  }),
);

/** `predictions/<dataset>/<name>.json`: which upload and which model the predictions beside it come from. */
export type PredictionsRecord = z.infer<typeof recordSchema>;

/** The record beside `predictions/<dataset>/<name>.csv`, checked. */
export function readPredictionsRecord(
  store: Pick<ObjectStore, 'getText'>,
  dataset: string,
  name: string,
): Promise<StoredRecord<PredictionsRecord>> {
  return readStoredRecord(store, keys.predictionsRecord(dataset, name), recordSchema);
}

/** The champion's metrics as numbers by name (`accuracy`, `rmse`, ...), for records and notifications. */
export function metricNumbers(metrics: ChampionPointer['metrics']): Record<string, number> {
  const numbers: Record<string, number> = {};
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value === 'number' && name !== 'rows' && Number.isFinite(value)) numbers[name] = value;
  }
  return numbers;
}
