import { DELIMITER_NAMES, type Delimiter, detectDelimiter, SNIFF_ROWS, splitRecords } from './delimiter';
import { DatasetRejectedError } from './errors';
import { detectHeaders } from './header';
import { detectIndexColumn } from './index-column';
import { InputCursor, Next } from './input-cursor';
import { decodedInput } from './input-stream';
import {
  asMerged,
  hasDecimalComma,
  headOf,
  type Inference,
  type InputFormat,
  needsRewrite,
  type Open,
} from './inspect';
import { commitRecord, parseRecord, RowStaging } from './record-parser';
import { blankFirstRow, emptyFile, headerOnly, notNumeric, raggedRow } from './rejections';
import { CsvRewriter, rewriteStream } from './rewrite';
import type { NumericPolicy } from './scan-tables';

/** How to read a features-only file (rows to predict) and what it must hold. */
export interface FeatureFileOptions {
  /** Named in every message, e.g. `score/iris/new.csv`. */
  file: string;
  /** The model's feature count: every row must have this many values (index column dropped). */
  featureCount: number;
  numeric: NumericPolicy;
  /** Where the overrides below come from, named in inferences. */
  settingsFile: string;
  delimiter?: Delimiter;
  indexColumn?: 'keep' | 'drop';
  /** What the model is, for the column-count message: "the champion of iris (job ...)". */
  modelLabel: string;
  /** The file the model's features came from, e.g. `raw/iris/x.csv`. */
  trainedOn: string;
}

/** How a features-only file is written: the merge's format, and whether its numbers use a decimal comma. */
export interface FeatureFileFormat extends InputFormat {
  /** A number with a decimal comma was seen (so appended numbers are written the same way). */
  decimalCommaSeen: boolean;
}

/**
 * Tells how a features-only file is written, by the merge's rules for x.csv:
 * compression, delimiter, decimal comma, an index column and a header row,
 * each guess returned as an `Inference`. Throws `DatasetRejectedError` for a
 * file that cannot be read (binary, an untellable delimiter).
 */
export async function inspectFeatures(
  open: Open,
  options: FeatureFileOptions,
): Promise<{ format: FeatureFileFormat; inferences: Inference[] }> {
  const { file, settingsFile } = options;
  const inferences: Inference[] = [];
  const head = await headOf(open, file);
  if (head.compression === 'gzip') {
    inferences.push({ about: 'compression', said: `${file} is gzip-compressed: read as it streams` });
  }
  let delimiter: Delimiter;
  if (options.delimiter !== undefined) delimiter = options.delimiter;
  else {
    const choice = detectDelimiter(head.text, file, head.complete);
    delimiter = choice.delimiter;
    if (delimiter !== ',') {
      inferences.push({
        about: 'delimiter',
        said: `${file} is ${DELIMITER_NAMES[delimiter]}-separated: ${choice.why}; set "delimiter" in ${settingsFile} to change it`,
      });
    }
  }
  const rows = splitRecords(head.text, delimiter, SNIFF_ROWS, head.complete);
  const decimalComma = delimiter === ';';
  const decimalCommaSeen = decimalComma && hasDecimalComma(rows);
  if (decimalCommaSeen) {
    inferences.push({ about: 'decimal', said: `${file} writes numbers with a decimal comma` });
  }
  const index = detectIndexColumn(rows, options.indexColumn, settingsFile);
  if (index.drop) inferences.push({ about: 'index', said: `${file}: column 1 dropped: ${index.why}` });
  const format: FeatureFileFormat = {
    compression: head.compression,
    delimiter,
    decimalComma,
    indexColumn: index.drop,
    header: false,
    decimalCommaSeen,
  };
  const sampled = asMerged(rows, format);
  format.header = detectHeaders(sampled.slice(0, 2), [], options.numeric).x;
  if (format.header) {
    inferences.push({
      about: 'header',
      said: `first row of ${file} is a header: its cells are names, not values`,
    });
  }
  return { format, inferences };
}

function columnCountMismatch(options: FeatureFileOptions, row: number, found: number, offset: number) {
  const { file, featureCount } = options;
  return new DatasetRejectedError(
    'COLUMN_COUNT_MISMATCH',
    `${file} row ${row} has ${found + offset} column${found + offset === 1 ? '' : 's'}${offset ? ` (${found} besides the index column)` : ''}, but ${options.modelLabel} takes ${featureCount} features, the columns of ${options.trainedOn}`,
    { file, row, column: Math.min(found, featureCount) + 1 + offset },
    `Give every row the same ${featureCount} feature columns as ${options.trainedOn}, in the same order (no label column), and upload it again.`,
  );
}

/**
 * Streams a features-only file as the model reads it: decompressed, header
 * and index column dropped, comma-separated, one row per line (LF), values
 * copied byte for byte (decimal commas read as points). Validates every row
 * as the merge validates x.csv: UTF-8, quoting, the numeric policy, and the
 * column count against the model's. Throws `DatasetRejectedError` naming the
 * file, row and column (rows counted as a spreadsheet shows them) before the
 * bytes of a bad row are yielded; `onRows` learns the data rows at the end.
 */
export async function* normaliseFeatures(
  source: AsyncIterable<Uint8Array>,
  format: InputFormat,
  options: FeatureFileOptions,
  onRows?: (rows: number) => void,
): AsyncGenerator<Uint8Array> {
  const text = decodedInput(source, options.file);
  const rewritten = needsRewrite(format)
    ? rewriteStream(
        text,
        new CsvRewriter({
          delimiter: format.delimiter,
          decimalComma: format.decimalComma,
          dropFirstColumn: format.indexColumn,
          header: format.header,
        }),
      )
    : text;
  const cursor = new InputCursor(rewritten, options.file);
  const offset = format.indexColumn ? 1 : 0;
  cursor.columnOffset = offset;
  const staging = new RowStaging();
  const settle = async (): Promise<Next> => {
    for (;;) {
      const next = cursor.peek();
      if (next !== Next.NeedMore) return next;
      await cursor.more();
    }
  };
  let finished = false;
  try {
    const first = await settle();
    if (first === Next.End) throw emptyFile(options.file);
    if (first === Next.Blank) throw blankFirstRow(options.file);
    if (format.header) {
      for (;;) {
        const record = parseRecord(cursor, 'any', staging, false);
        if (record !== undefined) {
          commitRecord(cursor, record);
          break;
        }
        await cursor.more();
      }
      if ((await settle()) === Next.End) throw headerOnly(options.file);
    }
    let rows = 0;
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    for (;;) {
      const next = await settle();
      if (next === Next.End) break;
      const row = cursor.row + 1;
      if (next === Next.Blank) {
        if (options.featureCount !== 1) throw raggedRow(options.file, row, 1, options.featureCount, true);
        if (options.numeric === 'numeric')
          throw notNumeric(options.file, row, 1 + offset, '', 'numeric', false);
        cursor.takeBlank();
        batch.push(Uint8Array.of(0x0a));
        batchBytes += 1;
      } else {
        // The first row's width is checked before its values: a file of other columns is named as such.
        const shape = rows === 0 ? parseRecord(cursor, 'any', staging, false) : undefined;
        if (shape && shape.fields !== options.featureCount) {
          throw columnCountMismatch(options, row, shape.fields, offset);
        }
        const record = parseRecord(cursor, options.numeric, staging, false);
        if (record === undefined) {
          await cursor.more();
          continue;
        }
        if (record.fields !== options.featureCount) {
          throw raggedRow(options.file, row, record.fields + offset, options.featureCount + offset, false);
        }
        commitRecord(cursor, record);
        const line = new Uint8Array(staging.length + 1);
        line.set(staging.bytes.subarray(0, staging.length));
        line[staging.length] = 0x0a;
        batch.push(line);
        batchBytes += line.length;
      }
      rows += 1;
      if (batchBytes >= 64 * 1024) {
        yield Buffer.concat(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) yield Buffer.concat(batch);
    onRows?.(rows);
    finished = true;
  } finally {
    if (!finished) await cursor.close();
  }
}
