import { createHash } from 'node:crypto';
import { DatasetRejectedError } from '../csv/errors';
import { keys, s3Uri } from '../layout';
import type { ManifestInput } from '../manifest';
import { type RejectedDetail, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import type { Notifier, ObjectStore } from '../ports';
import { SettingsError } from '../settings/errors';

/** Where reports about uploads to folders that cannot be datasets go (a reserved name, never a dataset). */
export const INVALID_FOLDER_DATASET = '_invalid';

/** `errors/<dataset>/<id>.json`: what a user reads to fix a rejected upload. */
export interface RejectionReport {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  run?: string;
  rejectedAt: string;
  message: string;
  file: string;
  row?: number;
  column?: number;
  hint: string;
  /** Every problem found, when there are several (settings files). */
  problems?: string[];
  inputs: Record<string, ManifestInput>;
}

/** Why a run cannot go on, in the words a report and a notification use. */
export interface Rejection {
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
    const rejection: Rejection = { message: error.message, file: error.location.file, hint: error.hint };
    if (error.location.row !== undefined) rejection.row = error.location.row;
    if (error.location.column !== undefined) rejection.column = error.location.column;
    return rejection;
  }
  if (error instanceof SettingsError) {
    return {
      message: error.message,
      file: error.file,
      hint: `Fix ${error.file} and upload it again: the uploaded x.csv and y.csv are merged as soon as it is valid.`,
      problems: error.problems,
    };
  }
  return undefined;
}

export interface RejectContext {
  store: ObjectStore;
  notifier: Notifier;
  bucket: string;
  /** The invocation, for `notifyOnce`. */
  owner: string;
  now: () => Date;
}

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
