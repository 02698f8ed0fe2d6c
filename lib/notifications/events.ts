/**
 * The events sagedrop publishes. Their `detail` is a documented, versioned
 * schema (README, "Events"): add fields freely, bump `schemaVersion` only on
 * a breaking change.
 */
import type { Verdict } from '../models/verdict';

export const EVENT_SOURCE = 'sagedrop';
export const SCHEMA_VERSION = '1.0';

export interface RejectedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  run?: string;
  /** Stable, for programs: match on it, never on `message` (e.g. `ROW_COUNT_MISMATCH`, `NOT_NUMERIC`, `RAGGED_ROW`). */
  code?: string;
  /** What is wrong, naming the file, row and column. */
  message: string;
  file: string;
  row?: number;
  column?: number;
  /** What to do about it. */
  hint: string;
  /** `s3://bucket/errors/...json`. */
  reportUri: string;
}

export interface StartedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  run: string;
  job: string;
  algorithm: string;
  instanceType: string;
  instanceCount: number;
  /** Why the job has fewer instances than the settings asked for, or how they read the data. */
  instanceNote?: string;
  manifestUri: string;
  /** What the model learns and why (e.g. "classification: the labels in y.csv are text …"). */
  task?: string;
  /** What the merge guessed about the files, each with why and the setting that overrides it. */
  inferences?: string[];
}

export interface NotStartedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  run: string;
  job: string;
  /** Why SageMaker refused, e.g. the quota that is exhausted. */
  reason: string;
  hint: string;
}

export interface FinishedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  run?: string;
  job: string;
  status: 'Completed' | 'Failed' | 'Stopped';
  algorithm?: string;
  /** `s3://.../model.tar.gz` when the job produced one. */
  modelArtifact?: string;
  metrics: Record<string, number>;
  failureReason?: string;
  catalogUri: string;
  modelPackageArn?: string;
  trainingSeconds?: number;
  billableSeconds?: number;
  /** SageMaker's secondary status, e.g. `MaxRuntimeExceeded` for a job that ran out of time. */
  secondaryStatus?: string;
  /** On Failed or Stopped: the step that was under way, e.g. `Training`. */
  failedStep?: string;
  /** On Failed or Stopped: what the owner can do about it. */
  hint?: string;
  modelArtifactBytes?: number;
  modelPackageGroup?: string;
  /** Fraction of the cost saved by spot training (0.7 = 70 %). */
  spotSavings?: number;
  trainingEndedAt?: string;
  /** Completed: how the model did on the held-out rows, and whether it is the champion now. */
  evaluation?: Verdict;
}

/** `Model Evaluated`: the verdict of a completed job, for programs. */
export interface EvaluatedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  run?: string;
  job: string;
  decision: Verdict['decision'];
  summary: string;
  reason: string;
  hint?: string;
  metric?: string;
  /** The primary metric of the new model, the baseline and the champion on the same rows. */
  value?: number;
  baselineValue?: number;
  championValue?: number;
  championJob?: string;
  testRows?: number;
  metrics?: Verdict['metrics'];
  baseline?: Verdict['baseline'];
  champion?: Verdict['champion'];
  evaluationUri?: string;
  modelPackageArn?: string;
  /** `s3://<bucket>/catalog/<dataset>/champion.json` when the model was promoted. */
  championUri?: string;
}

/** `Model Approved`: a person approved a model package and the champion moved (or could not). */
export interface ApprovedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  job: string;
  modelPackageArn: string;
  /** Whether the approved model is the champion now. */
  promoted: boolean;
  reason: string;
  championUri: string;
}

export interface EndpointUpdatedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  endpoint: string;
  region: string;
  /** `InService` on the new champion, `Failed` (the old model keeps serving), or `Deleted` with its setting. */
  status: 'InService' | 'Failed' | 'Deleted';
  /** The champion's training job the endpoint serves. */
  job?: string;
  configName?: string;
  failureReason?: string;
  /** An `aws sagemaker-runtime invoke-endpoint` command that asks it. */
  invokeExample?: string;
}

/** `Predictions Ready`: a scoring upload's predictions are written. */
export interface PredictionsReadyDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  /** The upload scored (`score/<dataset>/<name>.csv`) and its version. */
  input: string;
  inputVersion?: string;
  rows: number;
  /** The training job of the model that scored: the champion when the upload arrived. */
  job: string;
  algorithm: string;
  /** The champion's primary metric and its metrics on its own run's held-out rows. */
  metric: string;
  metrics: Record<string, number>;
  /** The columns appended to every row. */
  columns: string[];
  transformJob: string;
  /** `s3://<bucket>/predictions/<dataset>/<name>.csv`, and the record beside it. */
  outputUri: string;
  recordUri: string;
}

/** `Predictions Rejected`: a scoring upload cannot be scored; nothing is written under predictions/. */
export interface PredictionsRejectedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  input: string;
  inputVersion?: string;
  /** Stable, for programs: `NO_CHAMPION`, `COLUMN_COUNT_MISMATCH`, `NOT_NUMERIC`, ... */
  code: string;
  message: string;
  file: string;
  row?: number;
  column?: number;
  hint: string;
  reportUri: string;
}

/** `Predictions Failed`: the batch transform of a scoring upload failed or was stopped. */
export interface PredictionsFailedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  dataset: string;
  input: string;
  inputVersion?: string;
  job: string;
  transformJob: string;
  status: string;
  reason: string;
  hint: string;
}

/**
 * An event whose every attempt failed and that now waits in the failure queue
 * (the `alert` function reports each one once).
 */
export interface EventFailedDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  /** The dataset the event was about; `_unknown` when the event names none. */
  dataset: string;
  /** `merge`, `train` or `complete`; another function's whole name. */
  function: string;
  /** The deployed function's name, e.g. `sagedrop-dev-merge`. */
  functionName?: string;
  /** The upload or manifest the event announced. */
  key?: string;
  run?: string;
  job?: string;
  /** The last error. */
  error: string;
  errorType?: string;
  /** `RetriesExhausted`, `EventAgeExceeded`, or EventBridge's condition when it could not deliver. */
  condition?: string;
  attempts?: number;
  failedAt?: string;
  /** The invocation's request id: the key to its log lines. */
  requestId?: string;
  /** The CloudWatch log group of the function (deployed stacks). */
  logGroup?: string;
  /** The command that replays the event. */
  redrive: string;
  /** From when `redrive` replays it (ISO 8601): a timed-out attempt may hold claims until then. */
  replayAfter?: string;
  hint: string;
}

/**
 * `Upload Ignored`: an upload under `raw/` the pipeline never reads (another
 * name, another case, a deeper folder). Sent once per uploaded object version.
 */
export interface IgnoredDetail {
  schemaVersion: typeof SCHEMA_VERSION;
  /** The folder's dataset (`default` directly under raw/; `_invalid` when the folder cannot be one). */
  dataset: string;
  /** The key as uploaded, e.g. `raw/iris/features.csv`. */
  file: string;
  versionId?: string;
  /** Why the pipeline does not read it. */
  reason: string;
  /** The file names the pipeline reads in a dataset folder. */
  expected: string[];
  /** What to do about it. */
  hint: string;
}

export type PipelineEvent =
  | { detailType: 'Dataset Rejected'; detail: RejectedDetail }
  | { detailType: 'Upload Ignored'; detail: IgnoredDetail }
  | { detailType: 'Training Started'; detail: StartedDetail }
  | { detailType: 'Training Failed To Start'; detail: NotStartedDetail }
  | { detailType: 'Training Completed'; detail: FinishedDetail }
  | { detailType: 'Training Failed'; detail: FinishedDetail }
  | { detailType: 'Training Stopped'; detail: FinishedDetail }
  | { detailType: 'Endpoint Updated'; detail: EndpointUpdatedDetail }
  | { detailType: 'Model Evaluated'; detail: EvaluatedDetail }
  | { detailType: 'Model Approved'; detail: ApprovedDetail }
  | { detailType: 'Pipeline Event Failed'; detail: EventFailedDetail }
  | { detailType: 'Predictions Ready'; detail: PredictionsReadyDetail }
  | { detailType: 'Predictions Rejected'; detail: PredictionsRejectedDetail }
  | { detailType: 'Predictions Failed'; detail: PredictionsFailedDetail };

export type DetailType = PipelineEvent['detailType'];
