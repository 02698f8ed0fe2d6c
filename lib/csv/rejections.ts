import { DatasetRejectedError } from './errors';
import type { NumericPolicy } from './scan-tables';

/** Rows longer than this (or a quoted field left open for this long) are rejected, so memory stays bounded. */
export const MAX_ROW_BYTES = 8 * 1024 * 1024;

const SHOWN_VALUE_LENGTH = 40;

function at(file: string, row: number, column?: number): string {
  return column === undefined ? `${file} row ${row}` : `${file} row ${row}, column ${column}`;
}

function shown(value: string): string {
  const short = value.length > SHOWN_VALUE_LENGTH ? `${value.slice(0, SHOWN_VALUE_LENGTH)}…` : value;
  return JSON.stringify(short);
}

export function emptyFile(file: string): DatasetRejectedError {
  return new DatasetRejectedError(
    'EMPTY_FILE',
    `${file} is empty: it has no rows`,
    { file },
    `Upload ${file} again with one row per example.`,
  );
}

export function headerOnly(file: string): DatasetRejectedError {
  return new DatasetRejectedError(
    'HEADER_ONLY',
    `${file} has a header row but no data rows`,
    { file, row: 2 },
    `Upload ${file} again with the data rows below its header.`,
  );
}

export function blankFirstRow(file: string): DatasetRejectedError {
  return new DatasetRejectedError(
    'BLANK_FIRST_ROW',
    `${at(file, 1)} is blank`,
    { file, row: 1 },
    `Remove the blank lines at the top of ${file} and upload it again.`,
  );
}

export function rowTooLong(file: string, row: number): DatasetRejectedError {
  return new DatasetRejectedError(
    'ROW_TOO_LONG',
    `${at(file, row)} is longer than ${MAX_ROW_BYTES / 1024 / 1024} MiB`,
    { file, row },
    'Check that the file is a CSV with one example per line (comma separated, LF or CRLF line ends).',
  );
}

export function unterminatedQuote(
  file: string,
  row: number,
  column: number,
  tooLong: boolean,
): DatasetRejectedError {
  const what = tooLong
    ? `is not closed within ${MAX_ROW_BYTES / 1024 / 1024} MiB`
    : 'is never closed (the file ends inside it)';
  return new DatasetRejectedError(
    'QUOTE_NOT_CLOSED',
    `${at(file, row, column)}: the quoted field that starts here ${what}`,
    { file, row, column },
    'Add the missing closing quote ("), or double the quotes that belong to the value ("").',
  );
}

export function textAfterQuote(file: string, row: number, column: number): DatasetRejectedError {
  return new DatasetRejectedError(
    'TEXT_AFTER_QUOTE',
    `${at(file, row, column)}: text follows the closing quote of a quoted field`,
    { file, row, column },
    'Quote the whole value ("a ""b"" c") or remove the quotes; a quote inside a quoted value must be doubled.',
  );
}

export function invalidUtf8(file: string, row: number, column: number): DatasetRejectedError {
  return new DatasetRejectedError(
    'INVALID_UTF8',
    `${at(file, row, column)}: bytes that are not valid UTF-8`,
    { file, row, column },
    `Save ${file} as UTF-8 (for example "CSV UTF-8" in a spreadsheet) and upload it again.`,
  );
}

export function raggedRow(
  file: string,
  row: number,
  found: number,
  expected: number,
  blank: boolean,
): DatasetRejectedError {
  const what = blank ? 'is blank' : `has ${found} column${found === 1 ? '' : 's'}`;
  return new DatasetRejectedError(
    'RAGGED_ROW',
    `${at(file, row)} ${what} but row 1 has ${expected}: every row needs the same number of columns`,
    { file, row, column: Math.min(found, expected) + 1 },
    `Fix row ${row} of ${file} (a missing or extra comma, or an unquoted comma inside a value) and upload it again.`,
  );
}

export function labelColumns(file: string, row: number, found: number): DatasetRejectedError {
  return new DatasetRejectedError(
    'LABEL_COLUMNS',
    `${at(file, row)} has ${found} columns: ${file} must have exactly one column, the label`,
    { file, row, column: 2 },
    found === 2
      ? `If column 1 of ${file} is a row index (pandas' to_csv writes one unless index=False), write it again with index=False or give the index column an empty header cell; otherwise keep only the label column.`
      : `Keep only the label column in ${file} and put the features in x.csv.`,
  );
}

function valueHint(value: string, policy: NumericPolicy, label: boolean): string {
  const lower = value.trim().toLowerCase().replace(/^[+-]/, '');
  if (['nan', 'inf', 'infinity', 'na', 'n/a', 'null', 'none'].includes(lower)) {
    return label || policy === 'numeric'
      ? 'Missing or infinite values cannot be trained on: fill them in or drop those rows.'
      : 'For a missing value leave the field empty (xgboost treats empty fields as missing); infinity cannot be trained on.';
  }
  if (value !== value.trim() && value.trim() !== '') return 'Remove the spaces around the number.';
  return label
    ? 'Labels must be numbers for the built-in algorithms: encode classes as 0, 1, 2, …'
    : 'Every value must be a number (like 3, -0.5 or 1e-3) for the built-in algorithms: encode categories as numbers.';
}

export function notNumeric(
  file: string,
  row: number,
  column: number,
  value: string,
  policy: NumericPolicy,
  label: boolean,
): DatasetRejectedError {
  if (value === '') {
    const hint = label
      ? 'Every row needs a label: fill it in or drop the row from both files.'
      : 'This algorithm needs a value in every field: fill in missing values or drop those rows (xgboost accepts empty fields as missing values).';
    return new DatasetRejectedError(
      'EMPTY_VALUE',
      `${at(file, row, column)} is empty`,
      { file, row, column },
      hint,
    );
  }
  return new DatasetRejectedError(
    'NOT_NUMERIC',
    `${at(file, row, column)}: ${shown(value)} is not a number`,
    { file, row, column },
    valueHint(value, policy, label),
  );
}

export interface RowCountSide {
  file: string;
  rows: number;
  headerDropped: boolean;
}

/** The files end at different rows; `extraRow` is the first row of `longer` without a partner. */
export function rowCountMismatch(
  longer: RowCountSide,
  shorter: RowCountSide,
  extraRow: number,
): DatasetRejectedError {
  let hint = 'Row i of y.csv must be the label of row i of x.csv: give both files the same number of rows.';
  if (longer.headerDropped !== shorter.headerDropped && longer.rows - shorter.rows === 1) {
    const withHeader = longer.headerDropped ? longer : shorter;
    const without = longer.headerDropped ? shorter : longer;
    hint = `${withHeader.file} starts with a header row and ${without.file} does not seem to (a header needs a non-numeric name, e.g. "label"): give both files a header, or neither.`;
  }
  return new DatasetRejectedError(
    'ROW_COUNT_MISMATCH',
    `${longer.file} has ${longer.rows} data rows but ${shorter.file} has ${shorter.rows} (${longer.file} row ${extraRow} has no partner)`,
    { file: longer.file, row: extraRow },
    hint,
  );
}
