/** Rows of numbers, row-major: value (r, c) is `data[r * cols + c]`. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** A channel file holds something other than a rectangle of numbers. */
export class NumericCsvError extends Error {
  override readonly name = 'NumericCsvError';
  constructor(
    message: string,
    readonly file: string,
    readonly row: number,
  ) {
    super(message);
  }
}

export interface CsvSource {
  /** Shown in error messages, e.g. the S3 key. */
  name: string;
  chunks: AsyncIterable<Uint8Array>;
}

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, i) => 10 ** i);
const COMMA = 44;
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;

/**
 * Exact for what CSV writers produce (up to 15 significant digits, exponents
 * within 10^±22: both operands are exact doubles, so one division or
 * multiplication rounds correctly); anything else goes through `Number`.
 */
function parseField(bytes: Uint8Array, length: number): number {
  let i = 0;
  let negative = false;
  if (bytes[0] === 45) {
    negative = true;
    i = 1;
  } else if (bytes[0] === 43) {
    i = 1;
  }
  let mantissa = 0;
  let digits = 0;
  let exponent = 0;
  let c = bytes[i] ?? 0;
  while (i < length && c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits += 1;
    i += 1;
    c = bytes[i] ?? 0;
  }
  if (i < length && c === 46) {
    i += 1;
    c = bytes[i] ?? 0;
    while (i < length && c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits += 1;
      exponent -= 1;
      i += 1;
      c = bytes[i] ?? 0;
    }
  }
  if (i < length && (c === 101 || c === 69)) {
    i += 1;
    let expNegative = false;
    c = bytes[i] ?? 0;
    if (c === 45 || c === 43) {
      expNegative = c === 45;
      i += 1;
      c = bytes[i] ?? 0;
    }
    let value = 0;
    let expDigits = 0;
    while (i < length && c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      expDigits += 1;
      i += 1;
      c = bytes[i] ?? 0;
    }
    if (expDigits === 0) return slowParse(bytes, length);
    exponent += expNegative ? -value : value;
  }
  if (i !== length || digits === 0 || digits > 15 || exponent > 22 || exponent < -22) {
    return slowParse(bytes, length);
  }
  const magnitude =
    exponent < 0
      ? mantissa / (POWERS_OF_TEN[-exponent] as number)
      : mantissa * (POWERS_OF_TEN[exponent] as number);
  return negative ? -magnitude : magnitude;
}

function slowParse(bytes: Uint8Array, length: number): number {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('latin1').trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).trim();
  if (text === '') return Number.NaN;
  const value = Number(text);
  return Number.isNaN(value) && text !== 'NaN' ? Number.NaN : value;
}

/** A growable row-major buffer of doubles. */
class MatrixBuilder {
  data = new Float64Array(4096);
  length = 0;
  rows = 0;
  cols = -1;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = value;
    this.length += 1;
  }

  build(): Matrix {
    return { data: this.data.subarray(0, this.length), rows: this.rows, cols: Math.max(this.cols, 0) };
  }
}

/**
 * Reads headerless numeric CSV from `sources` (concatenated, as SageMaker
 * concatenates a channel's files) into one `Matrix`, streaming the bytes so no
 * row is ever held as text. Blank lines are skipped; quotes around a number are
 * accepted. Throws `NumericCsvError` on a value that is not a number or a row
 * whose width differs from the first row's.
 */
export async function readNumericCsv(sources: CsvSource[]): Promise<Matrix> {
  const out = new MatrixBuilder();
  let field = new Uint8Array(64);
  for (const source of sources) {
    let fieldLength = 0;
    let inQuotes = false;
    let rowValues = 0;
    let line = 1;
    let lineHasContent = false;
    const endField = () => {
      let length = fieldLength;
      while (length > 0 && (field[length - 1] === 32 || field[length - 1] === 9)) length -= 1;
      let start = 0;
      while (start < length && (field[start] === 32 || field[start] === 9)) start += 1;
      const bytes = start === 0 ? field : field.subarray(start);
      const value = parseField(bytes, length - start);
      if (Number.isNaN(value)) {
        const text = Buffer.from(bytes.subarray(0, length - start)).toString('utf8');
        throw new NumericCsvError(
          `${source.name} row ${line} column ${rowValues + 1}: "${text}" is not a number`,
          source.name,
          line,
        );
      }
      out.push(value);
      rowValues += 1;
      fieldLength = 0;
    };
    const endRow = () => {
      if (!lineHasContent) return;
      endField();
      if (out.cols === -1) out.cols = rowValues;
      else if (rowValues !== out.cols) {
        throw new NumericCsvError(
          `${source.name} row ${line} has ${rowValues} values where earlier rows have ${out.cols}`,
          source.name,
          line,
        );
      }
      out.rows += 1;
      rowValues = 0;
      lineHasContent = false;
    };
    for await (const chunk of source.chunks) {
      for (let i = 0; i < chunk.length; i += 1) {
        const byte = chunk[i] as number;
        if (byte === QUOTE) {
          inQuotes = !inQuotes;
          lineHasContent = true;
          continue;
        }
        if (!inQuotes) {
          if (byte === COMMA) {
            lineHasContent = true;
            endField();
            continue;
          }
          if (byte === NEWLINE) {
            endRow();
            line += 1;
            continue;
          }
          if (byte === CARRIAGE_RETURN) continue;
        }
        if (fieldLength === field.length) {
          const bigger = new Uint8Array(field.length * 2);
          bigger.set(field);
          field = bigger;
        }
        field[fieldLength] = byte;
        fieldLength += 1;
        lineHasContent = true;
      }
    }
    endRow();
  }
  return out.build();
}

/**
 * Splits a label-first matrix into its first `labelColumns` columns and the
 * rest. The features are in shared memory, which worker threads read as they are.
 */
export function splitLabels(
  matrix: Matrix,
  labelColumns: number,
): { labels: Float64Array; features: Matrix } {
  const cols = matrix.cols - labelColumns;
  const features = new Float64Array(
    new SharedArrayBuffer(matrix.rows * cols * Float64Array.BYTES_PER_ELEMENT),
  );
  const labels = new Float64Array(matrix.rows);
  for (let r = 0; r < matrix.rows; r += 1) {
    const base = r * matrix.cols;
    if (labelColumns > 0) labels[r] = matrix.data[base] as number;
    features.set(matrix.data.subarray(base + labelColumns, base + matrix.cols), r * cols);
  }
  return { labels, features: { data: features, rows: matrix.rows, cols } };
}
