import * as z from 'zod';
import { TERMINAL_STATUSES } from '../events/sagemaker';
import { keys } from '../layout';
import { type ObjectStore, readStoredRecord, type StoredRecord } from '../ports';
import type { CatalogEntry, LatestPointer } from './catalog';
import { taskSchema } from './manifest';

/** The version of catalog entries and latest.json. */
export const CATALOG_SCHEMA_VERSION = '1.0';

const optionalText = z.string().optional();
const optionalNumber = z.number().optional();

const jobStepSchema = z.lazy(() =>
  z.object({
    status: z.string(),
    startTime: optionalText,
    endTime: optionalText,
    message: optionalText,
  }),
);

/**
 * What a stored catalog entry must hold to be read as one; `satisfies` keeps it
 * in step with the type, and fields it does not name are kept as stored.
 */
const catalogEntrySchema = z.lazy(
  () =>
    z.looseObject({
      schemaVersion: z.literal(CATALOG_SCHEMA_VERSION),
      dataset: z.string(),
      run: optionalText,
      job: z.string(),
      jobArn: optionalText,
      status: z.enum(TERMINAL_STATUSES),
      secondaryStatus: optionalText,
      failureReason: optionalText,
      failedStep: optionalText,
      failedStepMessage: optionalText,
      hint: optionalText,
      algorithm: z.string(),
      image: optionalText,
      hyperparameters: z.record(z.string(), z.string()),
      instanceType: optionalText,
      instanceCount: optionalNumber,
      spot: z.boolean(),
      maxRuntimeSeconds: optionalNumber,
      modelArtifact: optionalText,
      modelArtifactBytes: optionalNumber,
      modelPackageGroup: optionalText,
      modelPackageArn: optionalText,
      metrics: z.record(z.string(), z.number()),
      trainingSeconds: optionalNumber,
      billableSeconds: optionalNumber,
      spotSavings: optionalNumber,
      createdAt: optionalText,
      trainingStartedAt: optionalText,
      trainingEndedAt: optionalText,
      lastModifiedAt: optionalText,
      steps: z.array(jobStepSchema),
      manifestUri: optionalText,
      task: taskSchema.optional(),
      manifest: z.unknown(),
      manifestProblem: optionalText,
    }) satisfies z.ZodType<CatalogEntry>,
);

export const latestPointerSchema = z.lazy(
  () =>
    z.looseObject({
      schemaVersion: z.literal(CATALOG_SCHEMA_VERSION),
      dataset: z.string(),
      run: optionalText,
      job: z.string(),
      trainingEndedAt: z.string(),
      catalogKey: z.string(),
      algorithm: z.string(),
      modelArtifact: optionalText,
      modelPackageArn: optionalText,
      metrics: z.record(z.string(), z.number()),
    }) satisfies z.ZodType<LatestPointer>,
);

/** The catalog entry at `key` (`catalog/<dataset>/<job>.json`), checked. */
export function readCatalogRecord(
  store: Pick<ObjectStore, 'getText'>,
  key: string,
): Promise<StoredRecord<CatalogEntry>> {
  return readStoredRecord(store, key, catalogEntrySchema);
}

/** The pointer at `catalog/<dataset>/latest.json`, checked. */
export function readLatestPointer(
  store: Pick<ObjectStore, 'getText'>,
  dataset: string,
): Promise<StoredRecord<LatestPointer>> {
  return readStoredRecord(store, keys.catalogLatest(dataset), latestPointerSchema);
}
