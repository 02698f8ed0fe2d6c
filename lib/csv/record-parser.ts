import type { InputCursor } from './input-cursor';
import {
  invalidUtf8,
  MAX_ROW_BYTES,
  notNumeric,
  rowTooLong,
  textAfterQuote,
  unterminatedQuote,
} from './rejections';
import {
  COMMA,
  CR,
  fieldAccepted,
  fieldIsNumber,
  LF,
  type NumericPolicy,
  QUOTE,
  S_START,
  S_TEXT,
  stepNumber,
  utf8SequenceLength,
} from './scan-tables';

/** A growable byte buffer holding one row in its output form. */
export class RowStaging {
  bytes = new Uint8Array(1024);
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
}

export interface ParsedRecord {
  /** Where the next record starts. */
  next: number;
  fields: number;
  /** The record ended with CR at the end of the window: a LF opening the next chunk belongs to it. */
  endsWithCR: boolean;
  /** Whether the first field is a number (for the label summary). */
  firstIsNumber: boolean;
}

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const AFTER_QUOTE = 3;

/** Values are taken as written: a BOM inside the data is a character, not a marker to drop. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** The value of a field from its output form (minimal RFC 4180 quoting undone). */
export function fieldText(bytes: Uint8Array, start: number, end: number): string {
  const text = decoder.decode(bytes.subarray(start, end));
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text;
}

/** Rewrites `out[from..]` (a field's value) quoted, with its quotes doubled. */
function requote(out: RowStaging, from: number): void {
  const value = out.bytes.slice(from, out.length);
  let quotes = 0;
  for (const byte of value) if (byte === QUOTE) quotes += 1;
  out.length = from;
  out.reserve(value.length + quotes + 2);
  out.push(QUOTE);
  for (const byte of value) {
    if (byte === QUOTE) out.push(QUOTE);
    out.push(byte);
  }
  out.push(QUOTE);
}

/**
 * Parses the record at `cursor.pos` (which holds content, see `peek`) into
 * `out` in its output form: fields joined by commas, each unquoted unless it
 * contains a comma, quote, CR or LF (then quoted with doubled quotes, like
 * pandas' QUOTE_MINIMAL). Values are otherwise copied byte for byte.
 *
 * Checks, in byte order: UTF-8 validity, quotes (unterminated, text after a
 * closing quote), then at the end of each field the numeric policy (labels
 * may not be empty unless the policy is `any`); a record longer than
 * `MAX_ROW_BYTES` is rejected when its first byte past the limit is reached, so
 * the outcome never depends on how the input was chunked. Returns
 * `undefined` when the window ends inside the record and more input may
 * complete it; consumes nothing (the caller commits `next`).
 */
export function parseRecord(
  cursor: InputCursor,
  policy: NumericPolicy,
  out: RowStaging,
  isLabel: boolean,
): ParsedRecord | undefined {
  const b = cursor.buf;
  const end = cursor.end;
  const eof = cursor.eof;
  const row = cursor.row + 1;
  const file = cursor.file;
  const shift = cursor.columnOffset;
  let p = cursor.pos;
  let state = FIELD_START;
  let column = 1;
  let fieldOut = 0;
  let num = S_START;
  let needsQuotes = false;
  let firstIsNumber = false;
  out.length = 0;

  const finishField = () => {
    if (!fieldAccepted(num, policy) || (isLabel && num === S_START && policy !== 'any')) {
      throw notNumeric(
        file,
        row,
        column + shift,
        decoder.decode(out.bytes.subarray(fieldOut, out.length)),
        policy,
        isLabel,
      );
    }
    if (column === 1) firstIsNumber = fieldIsNumber(num);
    if (needsQuotes) requote(out, fieldOut);
  };
  const needMore = () => {
    cursor.wantMore();
    return undefined;
  };

  const tooLongAt = cursor.pos + MAX_ROW_BYTES;
  for (;;) {
    if (p > tooLongAt) {
      if (state === QUOTED) throw unterminatedQuote(file, row, column + shift, true);
      throw rowTooLong(file, row);
    }
    if (p >= end) {
      if (!eof) return needMore();
      if (state === QUOTED) throw unterminatedQuote(file, row, column + shift, false);
      finishField();
      return { next: p, fields: column, endsWithCR: false, firstIsNumber };
    }
    const byte = b[p] as number;
    if (byte >= 0x80) {
      const length = utf8SequenceLength(b, p, end, eof);
      if (length < 0) return needMore();
      if (length === 0) throw invalidUtf8(file, row, column + shift);
      if (state === AFTER_QUOTE) throw textAfterQuote(file, row, column + shift);
      if (state === FIELD_START) state = UNQUOTED;
      out.reserve(length);
      for (let k = 0; k < length; k += 1) out.push(b[p + k] as number);
      num = S_TEXT;
      p += length;
      continue;
    }
    if (state === QUOTED) {
      if (byte === QUOTE) {
        state = AFTER_QUOTE;
      } else {
        if (byte === COMMA || byte === CR || byte === LF) needsQuotes = true;
        out.push(byte);
        num = stepNumber(num, byte);
      }
      p += 1;
      continue;
    }
    if (state === AFTER_QUOTE) {
      if (byte === QUOTE) {
        out.push(QUOTE);
        needsQuotes = true;
        num = S_TEXT;
        state = QUOTED;
        p += 1;
        continue;
      }
      if (byte !== COMMA && byte !== CR && byte !== LF) throw textAfterQuote(file, row, column + shift);
    }
    if (byte === COMMA) {
      finishField();
      out.push(COMMA);
      column += 1;
      fieldOut = out.length;
      num = S_START;
      needsQuotes = false;
      state = FIELD_START;
      p += 1;
      continue;
    }
    if (byte === LF || byte === CR) {
      finishField();
      p += 1;
      let endsWithCR = false;
      if (byte === CR) {
        if (p < end) {
          if (b[p] === LF) p += 1;
        } else if (!eof) {
          endsWithCR = true;
        }
      }
      return { next: p, fields: column, endsWithCR, firstIsNumber };
    }
    if (byte === QUOTE) {
      if (state === FIELD_START) {
        state = QUOTED;
        p += 1;
        continue;
      }
      needsQuotes = true;
    }
    state = UNQUOTED;
    out.push(byte);
    num = stepNumber(num, byte);
    p += 1;
  }
}

/** Moves the cursor past a record `parseRecord` returned. */
export function commitRecord(cursor: InputCursor, record: ParsedRecord): void {
  cursor.pos = record.next;
  cursor.row += 1;
  if (record.endsWithCR) cursor.skipLF = true;
}
