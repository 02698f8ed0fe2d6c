/**
 * A deliberately simple merge to check the streaming engine against: whole
 * files in memory, one pass to split records, plain string handling after
 * that. It follows the documented rules of `mergeStreams` (lib/csv/merge.ts)
 * and shares only the split hash with it. Rejections carry the file and row
 * (the column is best effort), which is what property tests compare.
 */

import { DatasetRejectedError } from '../../lib/csv/errors';
import { DISTINCT_LABEL_CAP } from '../../lib/csv/labels';
import { MAX_ROW_BYTES } from '../../lib/csv/rejections';
import { channelOf, seedHash, splitCuts } from '../../lib/csv/split';
import type { LabelSummary, MergeOptions, OutputFile } from '../../lib/csv/types';

interface Field {
  /** The raw bytes of the value (quotes removed, doubled quotes undone), as a latin1 string. */
  raw: string;
  badQuote?: 'unterminated' | 'text-after-quote';
}

interface CsvRecord {
  fields: Field[];
  blank: boolean;
  /** Bytes from the start of the record to its line end. */
  length: number;
}

export interface ReferenceResult {
  outputs: Partial<Record<OutputFile, string>>;
  rows: number;
  featureCount: number;
  headerDropped: { x: boolean; y: boolean };
  labels: LabelSummary;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

function reject(file: string, row: number | undefined, column?: number, what = 'rejected'): never {
  throw new DatasetRejectedError(
    'NOT_NUMERIC',
    `${file} row ${row}: ${what}`,
    { file, row, column },
    'reference',
  );
}

function bytesOf(raw: string): Uint8Array {
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** Splits a whole file (bytes as latin1 characters, so every CSV delimiter is one character). */
function splitRecords(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = 0;
  const n = text.length;
  const lineEnd = () => {
    if (text[i] === '\r' && text[i + 1] === '\n') i += 2;
    else i += 1;
  };
  while (i < n) {
    if (text[i] === '\n' || text[i] === '\r') {
      records.push({ fields: [{ raw: '' }], blank: true, length: 0 });
      lineEnd();
      continue;
    }
    const start = i;
    let length = 0;
    const fields: Field[] = [];
    let field: Field = { raw: '' };
    let atStart = true;
    let quoted = false;
    for (;;) {
      if (i >= n) {
        if (quoted) field.badQuote ??= 'unterminated';
        fields.push(field);
        length = i - start;
        break;
      }
      const c = text[i] as string;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field.raw += '"';
          i += 2;
        } else if (c === '"') {
          quoted = false;
          i += 1;
          const next = text[i];
          if (next !== undefined && next !== ',' && next !== '\r' && next !== '\n') {
            field.badQuote ??= 'text-after-quote';
          }
        } else {
          field.raw += c;
          i += 1;
        }
        continue;
      }
      if (c === ',') {
        fields.push(field);
        field = { raw: '' };
        atStart = true;
        i += 1;
        continue;
      }
      if (c === '\n' || c === '\r') {
        fields.push(field);
        length = i - start;
        lineEnd();
        break;
      }
      if (c === '"' && atStart) quoted = true;
      else field.raw += c;
      atStart = false;
      i += 1;
    }
    records.push({ fields, blank: false, length });
  }
  return records;
}

function readFile(bytes: Uint8Array, file: string): CsvRecord[] {
  let text = Array.from(bytes, (b) => String.fromCharCode(b)).join('');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3);
  const records = splitRecords(text);
  while (records.length > 0 && records[records.length - 1]?.blank) records.pop();
  if (records.length === 0) reject(file, undefined, undefined, 'empty');
  if (records[0]?.blank) reject(file, 1, undefined, 'blank first row');
  return records;
}

/** Decoded values of a record, or the first problem in field order. */
function checkRecord(
  record: CsvRecord,
  file: string,
  row: number,
  policy: MergeOptions['numeric'] | 'header',
  isLabel: boolean,
): string[] {
  if (record.length > MAX_ROW_BYTES) reject(file, row, undefined, 'row too long');
  const values: string[] = [];
  record.fields.forEach((field, index) => {
    let value: string;
    try {
      value = utf8.decode(bytesOf(field.raw));
    } catch {
      reject(file, row, index + 1, 'not UTF-8');
    }
    if (field.badQuote) reject(file, row, index + 1, field.badQuote);
    if (policy !== 'header' && policy !== 'any') {
      const empty = value === '';
      const ok = NUMBER.test(value) || (empty && policy === 'numeric-or-empty' && !isLabel);
      if (!ok) reject(file, row, index + 1, 'not a number');
    }
    values.push(value);
  });
  return values;
}

function lenientValues(record: CsvRecord | undefined): string[] | undefined {
  if (record === undefined || record.blank || record.fields.some((f) => f.badQuote === 'unterminated')) {
    return undefined;
  }
  return record.fields.map((f) => lenient.decode(bytesOf(f.raw)));
}

function isHeader(
  first: string[] | undefined,
  second: string[] | undefined,
  policy: MergeOptions['numeric'],
): boolean {
  if (first === undefined) return false;
  if (first.some((v) => NUMBER.test(v)) || first.every((v) => v === '')) return false;
  if (policy !== 'any') return true;
  return first.some((v, k) => v !== '' && NUMBER.test(second?.[k] ?? ''));
}

function isPandasHeader(first: string[] | undefined, second: string[] | undefined): boolean {
  if (first === undefined || second === undefined || first.length < 2) return false;
  return (
    first.every((v, k) => v === String(k)) && second.some((v) => NUMBER.test(v) && !/^[+-]?\d+$/.test(v))
  );
}

function quoteMinimal(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function labelSummary(labels: string[]): LabelSummary {
  const distinct: string[] = [];
  let moreDistinct = false;
  for (const label of labels) {
    if (distinct.includes(label)) continue;
    if (distinct.length === DISTINCT_LABEL_CAP) {
      moreDistinct = true;
      break;
    }
    distinct.push(label);
  }
  const numeric = labels.length > 0 && labels.every((l) => NUMBER.test(l));
  const values = numeric ? labels.map(Number) : [];
  if (numeric) distinct.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
  else distinct.sort();
  const summary: LabelSummary = {
    distinct,
    moreDistinct,
    numeric,
    integer: numeric && values.every(Number.isInteger),
  };
  if (numeric) {
    summary.min = Math.min(...values);
    summary.max = Math.max(...values);
  }
  return summary;
}

/** The merge of whole `x` and `y` by the documented rules; throws `DatasetRejectedError` like the engine. */
export function referenceMerge(x: Uint8Array, y: Uint8Array, options: MergeOptions): ReferenceResult {
  const { xFile, yFile, numeric: policy } = options;
  const xRecords = readFile(x, xFile);
  const yRecords = readFile(y, yFile);

  const x1 = lenientValues(xRecords[0]);
  const x2 = x1 && lenientValues(xRecords[1]);
  const y1 = lenientValues(yRecords[0]);
  const y2 = y1 && lenientValues(yRecords[1]);
  const pandasX = isPandasHeader(x1, x2);
  const headerDropped = {
    x: pandasX || isHeader(x1, x2, policy),
    y: (pandasX && y1?.length === 1 && y1[0] === '0') || isHeader(y1, y2, policy),
  };
  const columns = (xRecords[0] as CsvRecord).fields.length;
  if (headerDropped.x) {
    checkRecord(xRecords[0] as CsvRecord, xFile, 1, 'header', false);
    if (xRecords.length === 1) reject(xFile, 2, undefined, 'header only');
  }
  if (headerDropped.y) {
    const header = checkRecord(yRecords[0] as CsvRecord, yFile, 1, 'header', true);
    if (header.length > 1) reject(yFile, 1, 2, 'more than one column');
    if (yRecords.length === 1) reject(yFile, 2, undefined, 'header only');
  }
  const xData = headerDropped.x ? xRecords.slice(1) : xRecords;
  const yData = headerDropped.y ? yRecords.slice(1) : yRecords;
  const xOffset = headerDropped.x ? 2 : 1;
  const yOffset = headerDropped.y ? 2 : 1;

  const seed = seedHash(options.splitSeed);
  const cuts = splitCuts(options.testFraction, options.validationFraction);
  const outputs: Partial<Record<OutputFile, string>> = {};
  const append = (file: OutputFile, line: string) => {
    outputs[file] = `${outputs[file] ?? ''}${line}\n`;
  };
  const labels: string[] = [];
  for (let index = 0; ; index += 1) {
    const yRecord = yData[index];
    const xRecord = xData[index];
    if (yRecord === undefined && xRecord === undefined) break;
    if (yRecord === undefined) reject(xFile, index + xOffset, undefined, 'row counts differ');
    if (xRecord === undefined) reject(yFile, index + yOffset, undefined, 'row counts differ');
    const yRow = index + yOffset;
    const xRow = index + xOffset;

    let label = '';
    if (yRecord.blank) {
      if (policy !== 'any') reject(yFile, yRow, 1, 'empty label');
    } else {
      const values = checkRecord(yRecord, yFile, yRow, policy, true);
      if (values.length > 1) reject(yFile, yRow, 2, 'more than one column');
      label = values[0] as string;
    }
    let features: string[] = [''];
    if (xRecord.blank) {
      if (columns !== 1) reject(xFile, xRow, undefined, 'blank row');
      if (policy === 'numeric') reject(xFile, xRow, 1, 'empty');
    } else {
      features = checkRecord(xRecord, xFile, xRow, policy, false);
      if (features.length !== columns) reject(xFile, xRow, undefined, 'ragged');
    }
    labels.push(label);
    const labelOut = quoteMinimal(label);
    const featuresOut =
      features.length === 1 && features[0] === '' ? '""' : features.map(quoteMinimal).join(',');
    const channel = channelOf(seed, cuts, index);
    if (options.labelInTraining) {
      append(channel, `${labelOut},${features.map(quoteMinimal).join(',')}`);
    } else {
      append(channel, featuresOut);
      if (channel === 'test') append('test-labels', label === '' ? '""' : labelOut);
    }
  }
  return {
    outputs,
    rows: labels.length,
    featureCount: columns,
    headerDropped,
    labels: labelSummary(labels),
  };
}
