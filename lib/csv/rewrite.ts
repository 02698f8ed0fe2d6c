import { Bytes, isDecimalComma } from './field-bytes';
import { AsciiTexts, plainLineEnd } from './plain-lines';
import * as scanTables from './scan-tables';

// Module-local copies: an imported binding read in a loop is a property getter per read under tsx.
const { CR, LF, QUOTE } = scanTables;

const COMMA = 0x2c;
const DOT = 0x2e;

/** Values are taken as written: a BOM inside the data is a character, not a marker to drop. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const encoder = new TextEncoder();
const NOTHING = new Uint8Array(0);

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
  /**
   * With `onLabel`, and only when the output is discarded: a plain value seen
   * before (of the first 4096 distinct) comes here instead of to `onLabel`,
   * undecoded. Counting the labels of a large y.csv needs nothing more.
   */
  onRepeatedLabel?: () => void;
  /** Only the callbacks matter: `push` and `end` return nothing (no memory taken per chunk). */
  discardOutput?: boolean;
  /** Replaces the first kept value of a data row (label encoding); `undefined` keeps it. Same value, same result. */
  encodeLabel?: (value: string) => string | undefined;
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
  /** Lines of one plain value are taken whole (see `plainLine`); not with an index column to drop. */
  private readonly wholeLines: boolean;
  private readonly texts = new AsciiTexts();
  private readonly encoded = new Map<string, Uint8Array>();

  constructor(private readonly options: RewriteOptions) {
    this.delimiter = options.delimiter.charCodeAt(0);
    this.wholeLines = !options.dropFirstColumn;
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
    const { delimiter, field, wholeLines } = this;
    for (; p < chunk.length; p += 1) {
      if (wholeLines && this.recordBytes === 0 && field.length === 0 && !this.skipLF && !this.inQuotes) {
        const next = this.plainLines(chunk, p);
        if (next > p) {
          p = next - 1;
          continue;
        }
      }
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

  /**
   * Whole lines of one plain value (`plainLineEnd`) from `start`, as the byte
   * loop would write them, without reading them byte by byte: y.csv is mostly
   * such lines. Lines kept as they are go out as one copy. Returns where the
   * first line that is not plain (or not complete) starts.
   */
  private plainLines(chunk: Uint8Array, start: number): number {
    const { options } = this;
    if (options.onRepeatedLabel !== undefined && options.discardOutput && options.encodeLabel === undefined) {
      return this.countPlainLabels(chunk, start, options.onRepeatedLabel);
    }
    const { out, delimiter } = this;
    const labels = options.onLabel !== undefined || options.encodeLabel !== undefined;
    let p = start;
    /** Bytes from here to `p` go out as they are. */
    let kept = start;
    for (;;) {
      const end = plainLineEnd(chunk, p, delimiter);
      if (end < 0) break;
      const row = this.row + 1;
      if (labels && end > p && !(options.header && row === 1)) {
        const text = this.texts.text(chunk, p, end);
        options.onLabel?.(text, row);
        const code = options.encodeLabel?.(text);
        if (code !== undefined) {
          out.append(chunk.subarray(kept, p));
          out.append(this.encode(code));
          out.push(LF);
          kept = end + 1;
        }
      }
      this.row = row;
      p = end + 1;
    }
    if (p > kept) out.append(chunk.subarray(kept, p));
    return p;
  }

  /**
   * `plainLines` when only the labels are wanted: one pass per line finds its
   * end and hashes it, and a value seen before costs no decoding and no call
   * but `repeated`.
   */
  private countPlainLabels(chunk: Uint8Array, start: number, repeated: () => void): number {
    const { options, delimiter, texts } = this;
    const onLabel = options.onLabel;
    let p = start;
    for (;;) {
      let q = p;
      let hash = 0;
      let byte = 0;
      for (; q < chunk.length; q += 1) {
        byte = chunk[q] as number;
        if (
          byte === LF ||
          byte === QUOTE ||
          byte === delimiter ||
          byte === COMMA ||
          byte === CR ||
          byte >= 0x80
        ) {
          break;
        }
        hash = Math.imul(hash ^ byte, 16777619);
      }
      if (q >= chunk.length || byte !== LF) return p;
      const row = this.row + 1;
      if (q > p && !(options.header && row === 1)) {
        if (texts.remembered(chunk, p, q, hash)) repeated();
        else onLabel?.(texts.textOf(chunk, p, q, hash), row);
      }
      this.row = row;
      p = q + 1;
    }
  }

  private encode(code: string): Uint8Array {
    let bytes = this.encoded.get(code);
    if (bytes === undefined) {
      bytes = encoder.encode(code);
      if (this.encoded.size < 4096) this.encoded.set(code, bytes);
    }
    return bytes;
  }

  private take(): Uint8Array {
    if (this.options.discardOutput) {
      this.out.length = 0;
      return NOTHING;
    }
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
