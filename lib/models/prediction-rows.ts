import { type ModelKind, PredictionFormatError, parsePrediction } from './predictions';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** A growable byte buffer for one record. */
class RecordBytes {
  bytes = new Uint8Array(1024);
  length = 0;

  push(byte: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = byte;
  }

  take(): Uint8Array {
    const record = this.bytes.slice(0, this.length);
    this.length = 0;
    return record;
  }
}

/**
 * The records of a CSV text stream exactly as written, without their line
 * ends: quoted line breaks stay inside their record, blank lines between
 * records are empty records, blank lines at the end are not records (as the
 * merge counts rows). A BOM stays with the first record, so the output starts
 * as the input did.
 */
export async function* rawRecords(
  text: AsyncIterable<Uint8Array>,
  delimiter: string,
): AsyncGenerator<Uint8Array> {
  const separator = delimiter.charCodeAt(0);
  const record = new RecordBytes();
  let inQuotes = false;
  let fieldStart = true;
  let afterCR = false;
  let blanks = 0;
  for await (const chunk of text) {
    for (let p = 0; p < chunk.length; p += 1) {
      const byte = chunk[p] as number;
      if (afterCR) {
        afterCR = false;
        if (byte === LF) continue;
      }
      if (!inQuotes && (byte === LF || byte === CR)) {
        afterCR = byte === CR;
        fieldStart = true;
        if (record.length === 0) {
          blanks += 1;
          continue;
        }
        for (; blanks > 0; blanks -= 1) yield new Uint8Array(0);
        yield record.take();
        continue;
      }
      if (byte === QUOTE && (inQuotes || fieldStart)) inQuotes = !inQuotes;
      fieldStart = !inQuotes && byte === separator;
      record.push(byte);
    }
  }
  if (record.length > 0) {
    for (; blanks > 0; blanks -= 1) yield new Uint8Array(0);
    yield record.take();
  }
}

/** How the appended columns are written: the input's delimiter, and its decimal comma if it uses one. */
export interface AppendStyle {
  delimiter: string;
  decimalComma: boolean;
}

/** The names of the columns appended for a model of `kind`. */
export function predictionColumnNames(kind: ModelKind): string[] {
  if (kind.task === 'clustering') return ['cluster', 'distance'];
  if (kind.task === 'regression') return ['prediction'];
  return hasProbability(kind) ? ['prediction', 'probability'] : ['prediction'];
}

function hasProbability(kind: ModelKind): boolean {
  if (kind.algorithm === 'linear-learner') return true;
  return kind.objective === 'binary:logistic' || kind.objective === 'multi:softprob';
}

/** The probability of the predicted class, where the output gives one. */
function probabilityOf(kind: ModelKind, line: string, predicted: number, where: string): number {
  if (kind.algorithm === 'linear-learner') {
    const score = (JSON.parse(line) as { score?: unknown }).score;
    if (Array.isArray(score)) return Number(score[predicted]);
    if (typeof score === 'number') return predicted === 1 ? score : 1 - score;
    throw new PredictionFormatError(`${where}: no score`);
  }
  const values = line.split(',').map(Number);
  if (values.length > 1) return values[predicted] as number;
  const p = values[0] as number;
  return predicted === 1 ? p : 1 - p;
}

function numberText(value: number, style: AppendStyle): string {
  const text = String(value);
  return style.decimalComma ? text.replace('.', ',') : text;
}

function quoted(text: string, style: AppendStyle): string {
  const needs = text.includes(style.delimiter) || /["\r\n]/.test(text) || text !== text.trim();
  return needs ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The appended values for one line of the transform's output: the class
 * label through the run's mapping (`classes[i]` for class `i`) and its
 * probability, the regression value, or k-means' cluster and distance.
 */
export function predictionValues(
  kind: ModelKind,
  line: string,
  classes: readonly string[] | undefined,
  style: AppendStyle,
  where: string,
): string[] {
  const prediction = parsePrediction(kind, line, where);
  if (kind.task === 'clustering') {
    return [String(prediction.predicted), numberText(Math.sqrt(prediction.squaredDistance ?? 0), style)];
  }
  if (kind.task === 'regression') return [numberText(prediction.predicted, style)];
  const index = Math.round(prediction.predicted);
  let label: string;
  if (classes) {
    const name = classes[index];
    if (name === undefined) {
      throw new PredictionFormatError(`${where}: class ${index} is not one of the ${classes.length} classes`);
    }
    label = quoted(name, style);
  } else label = String(index);
  if (!hasProbability(kind)) return [label];
  const probability = probabilityOf(kind, line, index, where);
  if (!Number.isFinite(probability)) throw new PredictionFormatError(`${where}: no probability`);
  return [label, numberText(probability, style)];
}

const encoder = new TextEncoder();

/**
 * Every record of the input as the user wrote it, with the prediction
 * columns appended (a header row gets their names), LF after each row. The
 * i-th data record takes the i-th output line. Throws
 * `PredictionFormatError` when the output has more or fewer lines than the
 * input has rows. `onRow` counts the data rows written.
 */
export async function* joinPredictions(input: {
  records: AsyncIterable<Uint8Array>;
  outputLines: AsyncIterable<string>;
  header: boolean;
  kind: ModelKind;
  classes?: readonly string[] | undefined;
  style: AppendStyle;
  outputKey: string;
  onRow?: () => void;
}): AsyncGenerator<Uint8Array> {
  const lines = input.outputLines[Symbol.asyncIterator]();
  const separator = encoder.encode(input.style.delimiter);
  let first = true;
  let row = 0;
  for await (const record of input.records) {
    let values: string[];
    if (first && input.header) values = predictionColumnNames(input.kind);
    else {
      row += 1;
      const next = await lines.next();
      if (next.done) {
        throw new PredictionFormatError(
          `${input.outputKey} has ${row - 1} lines but the input has more rows`,
        );
      }
      values = predictionValues(
        input.kind,
        next.value,
        input.classes,
        input.style,
        `${input.outputKey} line ${row}`,
      );
      input.onRow?.();
    }
    first = false;
    const tail = encoder.encode(values.join(input.style.delimiter));
    const out = new Uint8Array(record.length + separator.length + tail.length + 1);
    out.set(record);
    out.set(separator, record.length);
    out.set(tail, record.length + separator.length);
    out[out.length - 1] = LF;
    yield out;
  }
  if (!(await lines.next()).done) {
    throw new PredictionFormatError(`${input.outputKey} has more lines than the ${row} rows of the input`);
  }
}
