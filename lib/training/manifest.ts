import * as z from 'zod';
import type { Channel } from '../layout';
import { type ObjectStore, readStoredRecord, type StoredRecord } from '../ports';

/** One uploaded version an input came from: enough to read exactly it back. */
export const manifestInputSchema = z.lazy(() =>
  z.object({
    key: z.string(),
    versionId: z.string().optional(),
    etag: z.string(),
    size: z.number().int().nonnegative(),
    lastModified: z.string(),
  }),
);

const channelSchema = z.lazy(() =>
  z.object({
    /** S3 key prefix the channel's files live under (`train/<dataset>/<run>/<channel>/`). */
    prefix: z.string(),
    /** The channel's object keys. */
    files: z.array(z.string()).min(1),
    rows: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    /** True when each row starts with the label; false for features-only files. */
    labelFirst: z.boolean(),
  }),
);

const labelSummarySchema = z.lazy(() =>
  z.object({
    distinct: z.array(z.string()),
    moreDistinct: z.boolean(),
    numeric: z.boolean(),
    integer: z.boolean(),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
);

const settingsSchema = z.lazy(() =>
  z.object({
    algorithm: z.enum(['kmeans', 'linear-learner', 'xgboost', 'custom']),
    hyperparameters: z.record(z.string(), z.string()),
    instanceType: z.string(),
    instanceCount: z.number().int(),
    volumeSizeGb: z.number().int(),
    maxRuntimeSeconds: z.number().int(),
    spot: z.boolean(),
    maxWaitSeconds: z.number().int().optional(),
    validationFraction: z.number(),
    testFraction: z.number(),
    splitSeed: z.string(),
    trainingImage: z.string().optional(),
    metric: z.string().optional(),
    minImprovement: z.number().optional(),
    approval: z.enum(['auto', 'manual']).optional(),
    endpoint: z
      .object({ type: z.literal('serverless'), memoryMb: z.number(), maxConcurrency: z.number() })
      .optional(),
    task: z.enum(['classification', 'regression']).optional(),
    delimiter: z.enum([',', ';', '\t']).optional(),
    indexColumn: z.enum(['keep', 'drop']).optional(),
    /** Absent from runs merged before channels were sharded, and when the dataset kept the default. */
    shardSizeMb: z.number().positive().optional(),
  }),
);

const inputFormatSchema = z.lazy(() =>
  z.object({
    compression: z.enum(['gzip', 'none']),
    delimiter: z.enum([',', ';', '\t']),
    decimalComma: z.boolean(),
    indexColumn: z.boolean(),
    header: z.boolean(),
  }),
);

/**
 * What the run learns. For a classification, `classes[i]` is the label of
 * y.csv that the channels, the model and its predictions write as `i`.
 */
export const taskSchema = z.lazy(() =>
  z.object({
    type: z.enum(['classification', 'regression']),
    /** Why, and the `sagedrop.json` setting that changes it. */
    reason: z.string(),
    classes: z.array(z.string()).optional(),
  }),
);

/** Something the merge guessed, in the words the notification uses. */
const inferenceSchema = z.lazy(() =>
  z.object({
    about: z.enum(['compression', 'delimiter', 'decimal', 'index', 'header', 'task']),
    said: z.string(),
  }),
);

/**
 * `train/<dataset>/<run>/manifest.json`: written last by the merge, the only
 * trigger for training, and the record that traces a model back to its uploads.
 */
export const runManifestSchema = z.lazy(() =>
  z.object({
    schemaVersion: z.literal('1.0'),
    dataset: z.string(),
    run: z.string(),
    createdAt: z.string(),
    bucket: z.string(),
    inputs: z.object({
      x: manifestInputSchema,
      y: manifestInputSchema,
      settings: manifestInputSchema.optional(),
    }),
    rows: z.object({
      total: z.number().int().nonnegative(),
      train: z.number().int().nonnegative(),
      validation: z.number().int().nonnegative(),
      test: z.number().int().nonnegative(),
    }),
    featureCount: z.number().int().positive(),
    headerDropped: z.object({ x: z.boolean(), y: z.boolean() }),
    labels: labelSummarySchema,
    /** Absent from runs merged before sagedrop told the task (they are read from `labels`). */
    task: taskSchema.optional(),
    /** How x.csv and y.csv were read. */
    inputFormat: z.object({ x: inputFormatSchema, y: inputFormatSchema }).optional(),
    /** Everything the merge guessed, with why and the setting that overrides it. */
    inferences: z.array(inferenceSchema).optional(),
    settings: settingsSchema,
    /** Only channels that received rows; `train` always. */
    channels: z.object({
      train: channelSchema,
      validation: channelSchema.optional(),
      test: channelSchema.optional(),
    }),
    /** k-means runs: the labels of the features-only test rows, in order (supervised test rows lead with theirs). */
    testLabels: z.string().optional(),
  }),
);

export type RunManifest = z.infer<typeof runManifestSchema>;
export type ManifestInput = z.infer<typeof manifestInputSchema>;
export type ManifestChannel = z.infer<typeof channelSchema>;
export type RunTask = z.infer<typeof taskSchema>;

/** The channels of a manifest that were written, in a fixed order. */
export function writtenChannels(manifest: RunManifest): [Channel, ManifestChannel][] {
  const out: [Channel, ManifestChannel][] = [];
  for (const name of ['train', 'validation', 'test'] as const) {
    const channel = manifest.channels[name];
    if (channel) out.push([name, channel]);
  }
  return out;
}

/**
 * The run manifest at `key`: absent, valid, or present but not a manifest
 * (with why, and its JSON when it parsed). The one reader every stage and the
 * CLI use.
 */
export function readManifest(
  store: Pick<ObjectStore, 'getText'>,
  key: string,
): Promise<StoredRecord<RunManifest>> {
  return readStoredRecord(store, key, runManifestSchema);
}
