import { DELIMITER_NAMES, type Delimiter, detectDelimiter, SNIFF_ROWS, splitRecords } from './delimiter';
import { detectHeaders } from './header';
import { detectIndexColumn, IndexAgreement } from './index-column';
import { type Compression, decodedInput } from './input-stream';
import { type LabelPlan, LabelScan, planLabels, type Task } from './label-plan';
import { CsvRewriter, rewriteStream } from './rewrite';
import { isNumberText, type NumericPolicy } from './scan-tables';

/** Bytes of the start of a file its format is told from. */
const HEAD_BYTES = 64 * 1024;
/** A number written with a decimal comma. */
export const DECIMAL_COMMA = /^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$/;
const lenient = new TextDecoder('utf-8', { ignoreBOM: false });

/** The settings that override what the inspection would guess. */
export interface InspectOptions {
  xFile: string;
  yFile: string;
  /** Where the overrides go, named in every inference. */
  settingsFile: string;
  numeric: NumericPolicy;
  delimiter?: Delimiter;
  indexColumn?: 'keep' | 'drop';
  task?: Task;
}

/** How one input file is read. */
export interface InputFormat {
  compression: Compression;
  delimiter: Delimiter;
  /** Semicolon files: `1,5` is read as 1.5. */
  decimalComma: boolean;
  /** The first column is an index column and is dropped. */
  indexColumn: boolean;
  /** The first row is a header and is dropped. */
  header: boolean;
}

/** One thing sagedrop guessed, said the way the manifest and the notification say it. */
export interface Inference {
  about: 'compression' | 'delimiter' | 'decimal' | 'index' | 'header' | 'task';
  /** What was decided, why, and the setting that changes it. */
  said: string;
}

/** What the inspection found, before any output is written. */
export interface InputPlan {
  x: InputFormat;
  y: InputFormat;
  labels: LabelPlan;
  /** Labelled rows of y.csv. */
  labelRows: number;
  /** Every label of y.csv is a number (as read, before any encoding). */
  labelsAreNumbers: boolean;
  /** Columns of x's first row as the merge reads it (index column dropped). */
  featureCount: number;
  inferences: Inference[];
}

/**
 * Opens an input. With `borrowChunks`, chunks may be reused once the next is
 * asked for; with `firstBytes`, only that many bytes are wanted.
 */
export type Open = (options?: { borrowChunks?: boolean; firstBytes?: number }) => AsyncIterable<Uint8Array>;

interface Head {
  text: string;
  complete: boolean;
  compression: Compression;
}

async function readHead(
  source: AsyncIterable<Uint8Array>,
  file: string,
  seen: { compression?: Compression },
) {
  const parts: Uint8Array[] = [];
  let total = 0;
  let complete = true;
  const stream = decodedInput(source, file, (c) => {
    seen.compression = c;
  });
  for await (const chunk of stream) {
    parts.push(chunk);
    total += chunk.length;
    if (total >= HEAD_BYTES) {
      complete = false;
      break;
    }
  }
  const bytes = Buffer.concat(parts).subarray(0, HEAD_BYTES);
  return { text: lenient.decode(bytes), complete, compression: seen.compression ?? 'none' };
}

/**
 * The decoded first bytes of an input (or all of it), and whether it was
 * compressed. Only the first `HEAD_BYTES` are read, but for a compressed
 * file, read from its start again: its prefix ends mid-stream.
 */
export async function headOf(open: Open, file: string): Promise<Head> {
  const seen: { compression?: Compression } = {};
  try {
    const head = await readHead(open({ firstBytes: HEAD_BYTES }), file, seen);
    if (head.compression === 'none') return head;
  } catch (error) {
    if (seen.compression !== 'gzip') throw error;
  }
  return readHead(open(), file, {});
}

/** y's delimiter: x's when y reads consistently with it (a one-column y has no delimiter of its own), else its own. */
function yDelimiter(text: string, complete: boolean, xDelimiter: Delimiter, file: string): Delimiter {
  const own = detectDelimiter(text, file, complete);
  const withX = splitRecords(text, xDelimiter, SNIFF_ROWS, complete);
  const consistent = withX.every((row) => row.length === (withX[0]?.length ?? 1));
  if (!consistent || own.delimiter === xDelimiter) return own.delimiter;
  // A y with an index column written with another delimiter than x: its own delimiter shows the index header.
  const ownRows = splitRecords(text, own.delimiter, 2, complete);
  const indexLike = own.columns === 2 && (ownRows[0]?.[0] === '' || ownRows[0]?.[0] === 'Unnamed: 0');
  return indexLike ? own.delimiter : xDelimiter;
}

/** The first rows as the merge will see them: index dropped, decimal commas read. */
export function asMerged(
  rows: string[][],
  format: Pick<InputFormat, 'indexColumn' | 'decimalComma'>,
): string[][] {
  return rows.map((row) =>
    (format.indexColumn ? row.slice(1) : row).map((cell) =>
      format.decimalComma && DECIMAL_COMMA.test(cell) ? cell.replace(',', '.') : cell,
    ),
  );
}

/** Whether any cell of `rows` is a number written with a decimal comma (`1,5`). */
export function hasDecimalComma(rows: string[][]): boolean {
  return rows.some((row) => row.some((cell) => DECIMAL_COMMA.test(cell)));
}

/**
 * Tells how x.csv and y.csv are written and what the labels are, before any
 * output is written: compression and binary files from the first bytes; the
 * delimiter, decimal commas, an index column and header rows from the first
 * rows; the task and classes from every label of y.csv (read once here, and
 * again by the merge). Every guess is returned as an `Inference` naming the
 * setting that overrides it. Throws `DatasetRejectedError` for inputs that
 * cannot be read (binary, an untellable delimiter, too many classes).
 */
export async function inspectInputs(openX: Open, openY: Open, options: InspectOptions): Promise<InputPlan> {
  const { xFile, yFile, settingsFile } = options;
  const inferences: Inference[] = [];
  const xHead = await headOf(openX, xFile);
  const yHead = await headOf(openY, yFile);
  const formats: Record<'x' | 'y', InputFormat> = {} as Record<'x' | 'y', InputFormat>;
  const sampled: Record<'x' | 'y', string[][]> = { x: [], y: [] };
  for (const side of ['x', 'y'] as const) {
    const head = side === 'x' ? xHead : yHead;
    const file = side === 'x' ? xFile : yFile;
    if (head.compression === 'gzip') {
      inferences.push({ about: 'compression', said: `${file} is gzip-compressed: read as it streams` });
    }
    let delimiter: Delimiter;
    if (options.delimiter !== undefined) delimiter = options.delimiter;
    else if (side === 'x') {
      const choice = detectDelimiter(head.text, file, head.complete);
      delimiter = choice.delimiter;
      if (delimiter !== ',') {
        inferences.push({
          about: 'delimiter',
          said: `${file} is ${DELIMITER_NAMES[delimiter]}-separated: ${choice.why}; set "delimiter" in ${settingsFile} to change it`,
        });
      }
    } else {
      delimiter = yDelimiter(head.text, head.complete, formats.x.delimiter, file);
    }
    const rows = splitRecords(head.text, delimiter, SNIFF_ROWS, head.complete);
    const decimalComma = delimiter === ';';
    if (decimalComma && hasDecimalComma(rows)) {
      inferences.push({
        about: 'decimal',
        said: `${file} writes numbers with a decimal comma (${rows.flat().find((c) => DECIMAL_COMMA.test(c))}), as semicolon-separated files do: read as a decimal point`,
      });
    }
    const index = detectIndexColumn(rows, options.indexColumn, settingsFile);
    if (index.drop) inferences.push({ about: 'index', said: `${file}: column 1 dropped: ${index.why}` });
    formats[side] = {
      compression: head.compression,
      delimiter,
      decimalComma,
      indexColumn: index.drop,
      header: false,
    };
    sampled[side] = asMerged(rows, formats[side]);
  }
  const headers = detectHeaders(sampled.x.slice(0, 2), sampled.y.slice(0, 2), options.numeric);
  formats.x.header = headers.x;
  // Text labels look like a header whether or not one is there: y has one when x has one (if not, the row counts differ and the merge says so).
  const [y1, y2] = sampled.y;
  const textLabels =
    y1?.length === 1 && y2?.length === 1 && !isNumberText(y2[0] ?? '') && (y2[0] ?? '') !== '';
  formats.y.header = textLabels ? headers.x : headers.y;
  if (formats.x.header || formats.y.header) {
    const which = [formats.x.header ? xFile : undefined, formats.y.header ? yFile : undefined].filter(
      Boolean,
    );
    inferences.push({
      about: 'header',
      said: `first row of ${which.join(' and ')} dropped as a header: its cells are names, not values`,
    });
  }

  const scan = new LabelScan();
  const rewriter = new CsvRewriter({
    delimiter: formats.y.delimiter,
    decimalComma: formats.y.decimalComma,
    dropFirstColumn: formats.y.indexColumn,
    header: formats.y.header,
    onLabel: (value) => scan.note(value),
    onRepeatedLabel: () => scan.noteRepeat(),
    // Only the labels matter here; the merge reads y.csv again.
    discardOutput: true,
  });
  // The rewriter is done with a chunk when push returns: the source may reuse its buffers.
  for await (const chunk of decodedInput(openY({ borrowChunks: true }), yFile)) rewriter.push(chunk);
  rewriter.end();
  const labels = planLabels(scan, options.task, yFile, settingsFile);
  inferences.push({ about: 'task', said: `${labels.task}: ${labels.reason}` });
  return {
    x: formats.x,
    y: formats.y,
    labels,
    labelRows: scan.rows,
    labelsAreNumbers: scan.allNumbers,
    featureCount: sampled.x[0]?.length ?? 0,
    inferences,
  };
}

/** Whether an input must be rewritten before the engine reads it (another delimiter, an index column). */
export function needsRewrite(format: InputFormat): boolean {
  return format.delimiter !== ',' || format.indexColumn;
}

/**
 * The inputs as the merge engine reads them: decompressed, and rewritten to
 * comma-separated rows with the index column dropped and labels encoded when
 * the plan says so. A plain comma-separated file with nothing to change goes
 * to the engine as it is. When both files have an index column they are
 * checked to agree row by row as they stream.
 */
export function mergeInputs(
  x: AsyncIterable<Uint8Array>,
  y: AsyncIterable<Uint8Array>,
  plan: InputPlan,
  options: Pick<InspectOptions, 'xFile' | 'yFile' | 'settingsFile'>,
): { x: AsyncIterable<Uint8Array>; y: AsyncIterable<Uint8Array> } {
  const agreement =
    plan.x.indexColumn && plan.y.indexColumn
      ? new IndexAgreement(options.xFile, options.yFile, options.settingsFile)
      : undefined;
  const encoding = plan.labels.encoding;
  const xText = decodedInput(x, options.xFile);
  const yText = decodedInput(y, options.yFile);
  const xOut = needsRewrite(plan.x)
    ? rewriteStream(
        xText,
        new CsvRewriter({
          delimiter: plan.x.delimiter,
          decimalComma: plan.x.decimalComma,
          dropFirstColumn: plan.x.indexColumn,
          header: plan.x.header,
          ...(agreement ? { onIndex: (value, row) => agreement.note('x', value, row) } : {}),
        }),
      )
    : xText;
  const yOut =
    needsRewrite(plan.y) || encoding
      ? rewriteStream(
          yText,
          new CsvRewriter({
            delimiter: plan.y.delimiter,
            decimalComma: plan.y.decimalComma,
            dropFirstColumn: plan.y.indexColumn,
            header: plan.y.header,
            ...(agreement ? { onIndex: (value, row) => agreement.note('y', value, row) } : {}),
            ...(encoding ? { encodeLabel: (value) => encoding.get(value) } : {}),
          }),
        )
      : yText;
  return { x: xOut, y: yOut };
}
