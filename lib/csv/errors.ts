/** Where in an input the problem is; rows and columns are 1-based as a spreadsheet shows them. */
export interface InputLocation {
  file: string;
  row?: number;
  column?: number;
}

/**
 * Why a dataset was rejected, for programs: stable across releases (the
 * message is for people and may change). Carried in the rejection report and
 * the "Dataset Rejected" event detail as `code`.
 */
export type RejectionCode =
  | 'BLANK_FIRST_ROW'
  | 'COLUMN_COUNT_MISMATCH'
  | 'DELIMITER_UNKNOWN'
  | 'EMPTY_FILE'
  | 'EMPTY_VALUE'
  | 'GZIP_CORRUPT'
  | 'HEADER_ONLY'
  | 'INDEX_MISMATCH'
  | 'INDEX_NOT_WHOLE_NUMBER'
  | 'INVALID_UTF8'
  | 'LABEL_COLUMNS'
  | 'NOT_CSV'
  | 'NOT_NUMERIC'
  | 'PAIR_TOO_LARGE'
  | 'QUOTE_NOT_CLOSED'
  | 'RAGGED_ROW'
  | 'ROW_COUNT_MISMATCH'
  | 'ROW_TOO_LONG'
  | 'SETTINGS_IMPOSSIBLE'
  | 'TEXT_AFTER_QUOTE'
  | 'TOO_MANY_CLASSES';

/**
 * The user's data cannot be used as it is. Not retryable: the run ends with a
 * report under `errors/` and a "Dataset Rejected" notification.
 */
export class DatasetRejectedError extends Error {
  override readonly name = 'DatasetRejectedError';
  constructor(
    readonly code: RejectionCode,
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
