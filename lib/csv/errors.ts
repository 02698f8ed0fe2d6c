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
