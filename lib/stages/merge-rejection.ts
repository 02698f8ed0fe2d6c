import { createHash } from 'node:crypto';
import * as z from 'zod';
import { DatasetRejectedError } from '../csv/errors';
import { keys, s3Uri } from '../layout';
import { type RejectedDetail, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import { type ObjectStore, readStoredRecord, type StoredRecord } from '../ports';
import { SettingsError } from '../settings/errors';
import { type ManifestInput, manifestInputSchema } from '../training/manifest';
import type { MergeContext } from './merge-context';

/** Where reports about uploads to folders that cannot be datasets go (a reserved name, never a dataset). */
export const INVALID_FOLDER_DATASET = '_invalid';

const rejectionReportSchema = z.lazy(() =>
  z.object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    dataset: z.string(),
    run: z.string().optional(),
    rejectedAt: z.string(),
    /** Stable, for programs (`ROW_COUNT_MISMATCH`, `NOT_NUMERIC`, `SETTINGS_INVALID`, ...); absent in reports of older versions. */
    code: z.string().optional(),
    message: z.string(),
    file: z.string(),
    row: z.number().int().optional(),
    column: z.number().int().optional(),
    hint: z.string(),
    /** Every problem found, when there are several (settings files). */
    problems: z.array(z.string()).optional(),
    inputs: z.record(z.string(), manifestInputSchema),
  }),
);

/** `errors/<dataset>/<id>.json`: what a user reads to fix a rejected upload. */
export type RejectionReport = z.infer<typeof rejectionReportSchema>;

/** The rejection report at `key` (`errors/<dataset>/<id>.json`), checked. */
export function readRejectionReport(
  store: Pick<ObjectStore, 'getText'>,
  key: string,
): Promise<StoredRecord<RejectionReport>> {
  return readStoredRecord(store, key, rejectionReportSchema);
}

/** Why a run cannot go on, in the words a report and a notification use. */
export interface Rejection {
  /** Stable, for programs: a `RejectionCode`, a `SettingsError` code, or `INVALID_FOLDER`. */
  code?: string;
  message: string;
  file: string;
  row?: number;
  column?: number;
  hint: string;
  problems?: string[];
}

/** The rejection an error stands for, or `undefined` when the error is not the user's to fix (retry it). */
export function asRejection(error: unknown): Rejection | undefined {
  if (error instanceof DatasetRejectedError) {
    const rejection: Rejection = {
      code: error.code,
      message: error.message,
      file: error.location.file,
      hint: error.hint,
    };
    if (error.location.row !== undefined) rejection.row = error.location.row;
    if (error.location.column !== undefined) rejection.column = error.location.column;
    return rejection;
  }
  if (error instanceof SettingsError) {
    return {
      code: error.code,
      message: error.message,
      file: error.file,
      hint: `Fix ${error.file} and upload it again: the uploaded x.csv and y.csv are merged as soon as it is valid.`,
      problems: error.problems,
    };
  }
  return undefined;
}

/** The part of the merge's context a rejection needs. */
export type RejectContext = Pick<MergeContext, 'store' | 'notifier' | 'bucket' | 'owner' | 'now'>;

/**
 * Writes the report at `errors/<dataset>/<id>.json` and sends one "Dataset
 * Rejected" notification for it, however often this is repeated (retries
 * re-send only what was not sent). Returns the report's key.
 */
export async function reportRejection(
  ctx: RejectContext,
  target: { dataset: string; id: string; run?: string; inputs: Record<string, ManifestInput> },
  rejection: Rejection,
): Promise<string> {
  const reportKey = keys.errorReport(target.dataset, target.id);
  const report: RejectionReport = {
    schemaVersion: SCHEMA_VERSION,
    dataset: target.dataset,
    rejectedAt: ctx.now().toISOString(),
    ...rejection,
    inputs: target.inputs,
  };
  if (target.run !== undefined) report.run = target.run;
  // The first report stays: a retry must not change what the user already read.
  await ctx.store.put(reportKey, `${JSON.stringify(report, null, 2)}\n`, {
    contentType: 'application/json',
    ifAbsent: true,
  });
  const detail: RejectedDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: target.dataset,
    message: rejection.message,
    file: rejection.file,
    hint: rejection.hint,
    reportUri: s3Uri(ctx.bucket, reportKey),
  };
  if (target.run !== undefined) detail.run = target.run;
  if (rejection.code !== undefined) detail.code = rejection.code;
  if (rejection.row !== undefined) detail.row = rejection.row;
  if (rejection.column !== undefined) detail.column = rejection.column;
  await notifyOnce(
    ctx.store,
    ctx.notifier,
    { detailType: 'Dataset Rejected', detail },
    `rejected-${target.id}`,
    ctx.owner,
    ctx.now,
  );
  return reportKey;
}

/** A stable report id for one upload into a folder that cannot be a dataset. */
export function invalidFolderReportId(key: string, version: string | undefined): string {
  return createHash('sha256')
    .update(`${key}\n${version ?? ''}`)
    .digest('hex')
    .slice(0, 32);
}
