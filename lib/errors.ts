/** Where in an input the problem is; rows and columns are 1-based as a spreadsheet shows them. */
export interface InputLocation {
  file: string;
  row?: number;
  column?: number;
}

/**
 * The user's data cannot be used as it is. Not retryable: the run ends with a
 * report under `errors/` and a "Dataset Rejected" notification.
 */
export class DatasetRejectedError extends Error {
  override readonly name = 'DatasetRejectedError';
  constructor(
    /** What is wrong, in a sentence that names the file, row and column. */
    message: string,
    readonly location: InputLocation,
    /** What the user should do about it. */
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A settings file or stack parameter is invalid. Not retryable. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    message: string,
    readonly file: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

/** The training request cannot be built from the run and its settings. Not retryable. */
export class TrainingConfigError extends Error {
  override readonly name = 'TrainingConfigError';
}

/** The version of an object being read is gone or changed mid-read. Retryable. */
export class ObjectChangedError extends Error {
  override readonly name = 'ObjectChangedError';
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`${key} changed or disappeared while it was being read`, options);
  }
}

/** The process environment of a function is incomplete or wrong: a deployment bug. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * SageMaker refused to start a training job because an account quota is used up
 * (`ResourceLimitExceeded`). Not retryable: the user must raise the quota or ask
 * for other resources.
 */
export class TrainingQuotaError extends Error {
  override readonly name = 'TrainingQuotaError';
  constructor(
    /** SageMaker's message, which names the quota. */
    readonly quotaMessage: string,
    options?: { cause?: unknown },
  ) {
    super(`SageMaker refused the training job: ${quotaMessage}`, options);
  }
}

/**
 * SageMaker rejected a training request as invalid (`ValidationException`), for
 * example an instance type it does not offer for training. Retrying the same
 * request cannot succeed.
 */
export class TrainingRequestRejectedError extends Error {
  override readonly name = 'TrainingRequestRejectedError';
  constructor(
    /** SageMaker's message. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`SageMaker rejected the training request: ${reason}`, options);
  }
}
