import type {
  CreateEndpointConfigInput,
  CreateEndpointInput,
  CreateModelInput,
  CreateTrainingJobRequest,
  CreateTransformJobRequest,
  DescribeTrainingJobResponse,
  DescribeTransformJobResponse,
  UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import type { PipelineEvent } from './notifications/events';

/** One stored version of an object: enough to read exactly that version back. */
export interface ObjectRef {
  key: string;
  /** Present when the bucket is versioned. */
  versionId?: string;
  /** Quoted or bare ETag as the store reports it; compare with `sameEtag`. */
  etag: string;
  size: number;
  lastModified: Date;
}

export type Body = string | Uint8Array | AsyncIterable<Uint8Array>;

export interface PutOptions {
  contentType?: string;
  /** Create only if no object exists at the key (S3 `If-None-Match: *`). */
  ifAbsent?: boolean;
  /**
   * Overwrite only if the current object's ETag is this one (S3 `If-Match`), for
   * compare-and-swap; `{ created: false }` when it is not (or the key is absent).
   */
  ifMatch?: string;
}

/** The bucket, as the stages see it. Keys are plain (already decoded). */
export interface ObjectStore {
  /** The current version of `key`, or `undefined` when there is none. */
  head(key: string): Promise<ObjectRef | undefined>;
  /**
   * Streams exactly the version `ref` names. Throws `ObjectChangedError` when that
   * version is gone or the object changed since `ref` was taken.
   */
  read(ref: ObjectRef, options?: ReadOptions): AsyncIterable<Uint8Array>;
  /** The current content of `key` as UTF-8 text, or `undefined` when absent. */
  getText(key: string): Promise<string | undefined>;
  /**
   * Writes `body` (streamed as a multipart upload when it is a stream). With
   * `ifAbsent` or `ifMatch`, returns `{ created: false }` instead of writing
   * when the condition does not hold.
   */
  put(key: string, body: Body, options?: PutOptions): Promise<{ created: boolean }>;
  /** Deletes `key`; only ever used on the pipeline's own bookkeeping objects. */
  delete(key: string): Promise<void>;
  /** Every object under `prefix`, in key order. */
  list(prefix: string): AsyncIterable<ObjectRef>;
  /**
   * True when `put` with a stream body is done with each chunk (written or
   * copied) before it asks for the next: the writer may reuse a chunk's memory
   * from then on.
   */
  readonly putReleasesChunks?: boolean;
}

export interface ReadOptions {
  /**
   * The caller never touches a chunk after asking for the next one, so the
   * store may reuse its buffers (no fresh memory per chunk).
   */
  borrowChunks?: boolean;
  /**
   * Only the first `firstBytes` bytes are wanted (a format sniff): the store
   * reads about that much (one small ranged GET) instead of the whole object.
   * It may yield more; the caller stops when it has enough.
   */
  firstBytes?: number;
}

export type StartResult = 'started' | 'already-exists';

/**
 * SageMaker's training API, or the local trainer that stands in for it. Every
 * adapter throws the same errors for the same answers, so the train stage
 * treats a refusal alike wherever it runs.
 */
export interface TrainingBackend {
  /**
   * Creates the job; `already-exists` when a job of that name exists
   * (SageMaker's ResourceInUse: a duplicate delivery, with deterministic names).
   * Throws `TrainingQuotaError` when an account quota is used up and
   * `TrainingRequestRejectedError` when the request itself is invalid (both
   * final: the same request cannot succeed later); anything else thrown is
   * transient and worth a retry.
   */
  createTrainingJob(request: CreateTrainingJobRequest): Promise<StartResult>;
  describeTrainingJob(name: string): Promise<DescribeTrainingJobResponse>;
}

/** SageMaker's models and batch transform, or the local backend that stands in for them. */
export interface ScoringBackend {
  /** `already-exists` when a model of that name exists: a model is a pointer, one per training job. */
  createModel(request: CreateModelInput): Promise<StartResult>;
  /** `already-exists` when a transform job of that name exists (SageMaker's ResourceInUse). */
  createTransformJob(request: CreateTransformJobRequest): Promise<StartResult>;
  describeTransformJob(name: string): Promise<DescribeTransformJobResponse>;
}

/** Where people and programs hear about the pipeline (SNS + EventBridge on AWS). */
export interface Notifier {
  notify(event: PipelineEvent): Promise<void>;
}

export interface ModelPackageInput {
  groupName: string;
  description: string;
  image: string;
  modelDataUrl: string;
  /** Idempotency token: the same token never registers twice. */
  clientToken: string;
  tags: Record<string, string>;
  /** Where the evaluation report of the model will be (`ModelMetrics.ModelQuality.Statistics`). */
  evaluationUri?: string;
}

export type ApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/** SageMaker Model Registry, or nothing in local mode. */
export interface ModelRegistry {
  /** Registers a model package (pending manual approval) and returns its ARN. */
  register(input: ModelPackageInput): Promise<string>;
  /** Sets a model package's approval status (UpdateModelPackage); idempotent. */
  setApproval(modelPackageArn: string, status: ApprovalStatus, description: string): Promise<void>;
}

/** What DescribeEndpoint says of an endpoint that exists. */
export interface EndpointDescription {
  status: string;
  configName: string;
  failureReason?: string;
}

/**
 * SageMaker's hosting API for the dataset endpoints. Creates answer
 * `already-exists` for a name in use (deterministic names: a repeat of the
 * same work); deletes of something already gone succeed. Anything thrown is
 * transient and worth a retry.
 */
export interface EndpointBackend {
  describeEndpoint(name: string): Promise<EndpointDescription | undefined>;
  createEndpointConfig(request: CreateEndpointConfigInput): Promise<StartResult>;
  createEndpoint(request: CreateEndpointInput): Promise<StartResult>;
  updateEndpoint(request: UpdateEndpointInput): Promise<void>;
  deleteEndpoint(name: string): Promise<void>;
  deleteEndpointConfig(name: string): Promise<void>;
}

/**
 * A JSON record the pipeline stored, as read back: absent, valid against its
 * schema, or present but unusable (with why, and the JSON when it parsed, so a
 * reader can still keep it whole).
 */
export type StoredRecord<T> =
  | { state: 'absent' }
  /** `json` is the record as stored, unknown fields and key order kept. */
  | { state: 'valid'; record: T; json: unknown }
  | { state: 'invalid'; problem: string; json?: unknown };

/** What `readStoredRecord` checks a record against (a zod schema fits). */
export interface RecordSchema<T> {
  safeParse(
    json: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

/**
 * Reads the JSON record at `key` and checks it against `schema`: the one way
 * every stored record (manifests, claims, reports, notification records,
 * catalog entries) is read, so none is trusted by an unchecked cast.
 */
export async function readStoredRecord<T>(
  store: Pick<ObjectStore, 'getText'>,
  key: string,
  schema: RecordSchema<T>,
): Promise<StoredRecord<T>> {
  const text = await store.getText(key);
  if (text === undefined) return { state: 'absent' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { state: 'invalid', problem: `${key} is not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { state: 'valid', record: parsed.data, json };
  const issues = parsed.error.issues
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { state: 'invalid', problem: `${key} does not match its schema: ${issues}`, json };
}

/** Whether two ETags name the same content, whether or not either is quoted. */
/** Every byte of the object version `ref` names, for records and model archives small enough to hold. */
export async function readObject(store: ObjectStore, ref: ObjectRef): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of store.read(ref)) parts.push(part);
  return Buffer.concat(parts);
}

export function sameEtag(a: string, b: string): boolean {
  const bare = (etag: string) => etag.replace(/^W\//, '').replace(/"/g, '');
  return bare(a) === bare(b);
}

/** The version of an object being read is gone or changed mid-read. Retryable. */
export class ObjectChangedError extends Error {
  override readonly name = 'ObjectChangedError';
  readonly code = 'OBJECT_CHANGED';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`${key} changed or disappeared while it was being read`, options);
  }
}

/**
 * SageMaker refused to start a training job because an account quota is used up
 * (`ResourceLimitExceeded`). Not retryable: the user must raise the quota or ask
 * for other resources.
 */
export class TrainingQuotaError extends Error {
  override readonly name = 'TrainingQuotaError';
  readonly code = 'TRAINING_QUOTA_EXCEEDED';
  constructor(
    /** SageMaker's message, which names the quota. */
    readonly quotaMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`SageMaker refused the training job: ${quotaMessage}`, options);
  }
}

/**
 * The training backend rejected a request as invalid (SageMaker's
 * `ValidationException`), for example an instance type it does not offer for
 * training. Retrying the same request cannot succeed.
 */
export class TrainingRequestRejectedError extends Error {
  override readonly name = 'TrainingRequestRejectedError';
  readonly code = 'TRAINING_REQUEST_REJECTED';
  constructor(
    /** SageMaker's message. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`SageMaker rejected the training request: ${reason}`, options);
  }
}
