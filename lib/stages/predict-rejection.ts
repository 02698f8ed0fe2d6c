import { keys, s3Uri } from '../layout';
import type { Logger } from '../logger';
import { type PredictionsRejectedDetail, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import type { ObjectRef } from '../ports';
import type { Invocation, PredictDeps } from './deps';
import { manifestInput } from './merge-outputs';
import type { RejectionReport } from './merge-rejection';

/** What the predict stage answers, for the log and the tests. */
export type PredictOutcome =
  | { outcome: 'ignored'; key?: string; reason: string }
  | { outcome: 'rejected'; dataset: string; id: string; code: string; reportKey: string; message: string }
  | { outcome: 'started'; dataset: string; id: string; transformJob: string; job: string }
  | { outcome: 'waiting'; dataset: string; id: string; transformJob: string; status: string }
  | { outcome: 'written'; dataset: string; id: string; outputKey: string; rows: number; job: string }
  | { outcome: 'already-written'; dataset: string; id: string; outputKey: string; notified: boolean }
  /** A later upload of the same name was scored first: its predictions stay. */
  | { outcome: 'superseded'; dataset: string; id: string; by: string }
  | { outcome: 'failed'; dataset: string; id: string; transformJob: string; reason: string };

/** Why an upload under score/ cannot be scored. */
export interface PredictRejection {
  /** Stable, for programs: `NO_CHAMPION`, `INVALID_FOLDER`, or a `RejectionCode` of the CSV engine. */
  code: string;
  message: string;
  file: string;
  row?: number;
  column?: number;
  hint: string;
}

/** The report key of a rejected scoring upload: `errors/<dataset>/predict-<id>.json`. */
export function predictionReportKey(dataset: string, id: string): string {
  return keys.errorReport(dataset, `predict-${id}`);
}

/**
 * Writes the report of a rejected scoring upload (the first one stays) and
 * sends one "Predictions Rejected" for it, however often it is repeated.
 */
export async function rejectPrediction(
  deps: PredictDeps,
  target: { dataset: string; id: string; input: ObjectRef },
  rejection: PredictRejection,
  invocation: Invocation,
  log: Logger,
): Promise<PredictOutcome> {
  const now = invocation.now ?? (() => new Date());
  const reportKey = predictionReportKey(target.dataset, target.id);
  const report: RejectionReport = {
    schemaVersion: SCHEMA_VERSION,
    dataset: target.dataset,
    rejectedAt: now().toISOString(),
    ...rejection,
    inputs: { score: manifestInput(target.input) },
  };
  await deps.store.put(reportKey, `${JSON.stringify(report, null, 2)}\n`, {
    contentType: 'application/json',
    ifAbsent: true,
  });
  const detail: PredictionsRejectedDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: target.dataset,
    input: target.input.key,
    code: rejection.code,
    message: rejection.message,
    file: rejection.file,
    hint: rejection.hint,
    reportUri: s3Uri(deps.config.bucket, reportKey),
  };
  if (target.input.versionId) detail.inputVersion = target.input.versionId;
  if (rejection.row !== undefined) detail.row = rejection.row;
  if (rejection.column !== undefined) detail.column = rejection.column;
  await notifyOnce(
    deps.store,
    deps.notifier,
    { detailType: 'Predictions Rejected', detail },
    `predictions-rejected-${target.id}`,
    invocation.requestId,
    now,
  );
  log.warn('scoring upload rejected', { code: rejection.code, problem: rejection.message, reportKey });
  return {
    outcome: 'rejected',
    dataset: target.dataset,
    id: target.id,
    code: rejection.code,
    reportKey,
    message: rejection.message,
  };
}
