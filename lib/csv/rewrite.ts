import { CR, LF, QUOTE } from './scan-tables';

const COMMA = 0x2c;
const DOT = 0x2e;

/** Values are taken as written: a BOM inside the data is a character, not a marker to drop. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();

/** How one input is turned into the comma-separated form the merge engine reads. */
export interface RewriteOptions {
  /** The input's field separator (`,` `;` or tab). */
  delimiter: string;
  /** Read `1,5` as `1.5` (semicolon files written by a European spreadsheet). */
  decimalComma: boolean;
  /** Drop the first column (an index column). */
  dropFirstColumn: boolean;
  /** The first record is a header: its cells are neither index values nor labels. */
  header: boolean;
  /** Each dropped value of a data row, with its row (1-based, as a spreadsheet counts). */
  onIndex?: (value: string, row: number) => void;
  /** Each first kept value of a data row (the label of y.csv), unquoted. */
  onLabel?: (value: string, row: number) => void;
  /** Replaces the first kept value of a data row (label encoding); `undefined` keeps it. */
  encodeLabel?: (value: string) => string | undefined;
}

/** A growable byte buffer. */
class Bytes {
  bytes = new Uint8Array(256);
  length = 0;

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  push(byte: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = byte;
  }

  append(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }
}

/** `[+-]?digits,digits([eE][+-]?digits)?`: a number written with a decimal comma. */
function isDecimalComma(field: Uint8Array, length: number): boolean {
  let p = 0;
  if (field[p] === 0x2b || field[p] === 0x2d) p += 1;
  let before = 0;
  while (p < length && isDigit(field[p])) {
    p += 1;
    before += 1;
  }
  if (field[p] !== COMMA) return false;
  p += 1;
  let after = 0;
  while (p < length && isDigit(field[p])) {
    p += 1;
    after += 1;
  }
  if (after === 0 && before === 0) return false;
  if (p < length && (field[p] === 0x65 || field[p] === 0x45)) {
    p += 1;
    if (field[p] === 0x2b || field[p] === 0x2d) p += 1;
    let exponent = 0;
    while (p < length && isDigit(field[p])) {
      p += 1;
      exponent += 1;
    }
    if (exponent === 0) return false;
  }
  return p === length && after > 0;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/**
 * Rewrites a CSV stream into the comma-separated form the merge engine reads,
 * keeping one output record per input record so that rows in the engine's
 * messages are the user's rows. Fields are split on the delimiter (double
 * quotes honoured); an unquoted field holding a comma is quoted; in
 * decimal-comma files `1,5` becomes `1.5`; the first column can be dropped.
 * Anything malformed (an unclosed quote, bytes that are not UTF-8) is passed
 * on as it is, for the engine to report where it is.
 */
export class CsvRewriter {
  private readonly delimiter: number;
  private readonly field = new Bytes();
  private readonly out = new Bytes();
  private inQuotes = false;
  /** The field opened with a quote (its raw bytes include the quotes). */
  private quoted = false;
  /** The last byte closed a quoted section: a quote now is a doubled quote. */
  private justClosed = false;
  private column = 0;
  private emitted = 0;
  /** Bytes seen in this record (a record without any is a blank line). */
  private recordBytes = 0;
  private skipLF = false;
  private started = false;
  /** Records read so far, blank lines included: the row of the current record is `row + 1`. */
  row = 0;
  /** Values rewritten from a decimal comma. */
  decimalCommas = 0;

  constructor(private readonly options: RewriteOptions) {
    this.delimiter = options.delimiter.charCodeAt(0);
  }

  /** Rewrites the next chunk; returns the output for it (possibly empty). */
  push(chunk: Uint8Array): Uint8Array {
    let p = 0;
    if (!this.started) {
      if (chunk.length < 3 && chunk.length > 0 && chunk[0] === 0xef) {
        // Too short to tell a BOM: keep it as field bytes; the engine drops a BOM at the start.
      } else if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) p = 3;
      if (chunk.length > 0) this.started = true;
    }
    const { delimiter, field } = this;
    for (; p < chunk.length; p += 1) {
      const byte = chunk[p] as number;
      if (this.skipLF) {
        this.skipLF = false;
        if (byte === LF) continue;
      }
      if (this.inQuotes) {
        field.push(byte);
        if (byte === QUOTE) {
          this.inQuotes = false;
          this.justClosed = true;
        }
        this.recordBytes += 1;
        continue;
      }
      if (byte === QUOTE && (field.length === 0 || (this.quoted && this.justClosed))) {
        if (field.length === 0) this.quoted = true;
        this.inQuotes = true;
        this.justClosed = false;
        field.push(byte);
        this.recordBytes += 1;
        continue;
      }
      this.justClosed = false;
      if (byte === delimiter) {
        this.endField(this.row + 1);
        this.recordBytes += 1;
        continue;
      }
      if (byte === LF || byte === CR) {
        this.endRecord();
        if (byte === CR) this.skipLF = true;
        continue;
      }
      field.push(byte);
      this.recordBytes += 1;
    }
    return this.take();
  }

  /** Ends the input: the last record, if it has no line end. */
  end(): Uint8Array {
    if (this.recordBytes > 0) {
      this.endField(this.row + 1);
      this.row += 1;
    }
    return this.take();
  }

  private take(): Uint8Array {
    const result = this.out.bytes.slice(0, this.out.length);
    this.out.length = 0;
    return result;
  }

  private endRecord(): void {
    if (this.recordBytes > 0) this.endField(this.row + 1);
    this.row += 1;
    this.out.push(LF);
    this.column = 0;
    this.emitted = 0;
    this.recordBytes = 0;
  }

  /** Writes the field just read, of the record at `row`. */
  private endField(row: number): void {
    const { field, out, options } = this;
    const isData = !(options.header && row === 1);
    if (this.column === 0 && options.dropFirstColumn) {
      if (isData) options.onIndex?.(this.fieldText(), row);
    } else {
      if (this.emitted > 0) out.push(COMMA);
      const first = this.emitted === 0;
      this.emitted += 1;
      let replaced: string | undefined;
      if (first && isData && (options.onLabel || options.encodeLabel)) {
        let text = this.fieldText();
        if (!this.quoted && options.decimalComma && isDecimalComma(field.bytes, field.length)) {
          text = text.replace(',', '.');
        }
        options.onLabel?.(text, row);
        replaced = options.encodeLabel?.(text);
      }
      if (replaced !== undefined) out.append(encoder.encode(replaced));
      else this.writeField();
    }
    this.column += 1;
    field.length = 0;
    this.quoted = false;
    this.inQuotes = false;
    this.justClosed = false;
  }

  private writeField(): void {
    const { field, out } = this;
    if (this.quoted || this.delimiter === COMMA) {
      out.append(field.bytes.subarray(0, field.length));
      return;
    }
    if (this.options.decimalComma && isDecimalComma(field.bytes, field.length)) {
      const start = out.length;
      out.append(field.bytes.subarray(0, field.length));
      for (let k = start; k < out.length; k += 1) if (out.bytes[k] === COMMA) out.bytes[k] = DOT;
      this.decimalCommas += 1;
      return;
    }
    let needsQuotes = false;
    for (let k = 0; k < field.length; k += 1) {
      const byte = field.bytes[k];
      if (byte === COMMA || byte === QUOTE) needsQuotes = true;
    }
    if (!needsQuotes) {
      out.append(field.bytes.subarray(0, field.length));
      return;
    }
    out.push(QUOTE);
    for (let k = 0; k < field.length; k += 1) {
      const byte = field.bytes[k] as number;
      if (byte === QUOTE) out.push(QUOTE);
      out.push(byte);
    }
    out.push(QUOTE);
  }

  /** The field's value: quotes undone, decoded leniently. */
  private fieldText(): string {
    const text = decoder.decode(this.field.bytes.subarray(0, this.field.length));
    if (!this.quoted) return text;
    const inner = text.endsWith('"') && text.length >= 2 ? text.slice(1, -1) : text.slice(1);
    return inner.replaceAll('""', '"');
  }
}

/** Runs `source` through a rewriter, chunk by chunk. */
export async function* rewriteStream(
  source: AsyncIterable<Uint8Array>,
  rewriter: CsvRewriter,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    const out = rewriter.push(chunk);
    if (out.length > 0) yield out;
  }
  const last = rewriter.end();
  if (last.length > 0) yield last;
}
