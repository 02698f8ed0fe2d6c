import type { InputCursor } from './input-cursor';
import { MAX_ROW_BYTES } from './rejections';
import { COMMA, CR, isNumberText, LF, type NumericPolicy, QUOTE } from './scan-tables';

/** Values are taken as written: a BOM inside the data is a character, not a marker to drop. */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
const INTEGER_PATTERN = /^[+-]?\d+$/;

/**
 * Fields of the record at `pos`, leniently decoded (for header detection only:
 * the rows are validated properly when they are merged); `fields` is
 * `undefined` for a blank line or the end of the input. `undefined` when the
 * window ends before it can tell.
 */
export function splitLeadingRecord(
  buf: Uint8Array,
  pos: number,
  end: number,
  eof: boolean,
): { fields: string[] | undefined; next: number } | undefined {
  if (pos >= end) return eof ? { fields: undefined, next: pos } : undefined;
  if (buf[pos] === LF || buf[pos] === CR) return { fields: undefined, next: pos };
  const fields: string[] = [];
  let pieces: Uint8Array[] = [];
  let pieceStart = pos;
  let inQuotes = false;
  let fieldStart = true;
  let p = pos;
  const finish = (at: number) => {
    pieces.push(buf.subarray(pieceStart, at));
    fields.push(decoder.decode(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces)));
    pieces = [];
  };
  for (; p < end; p += 1) {
    const byte = buf[p] as number;
    if (inQuotes) {
      if (byte !== QUOTE) continue;
      if (p + 1 >= end && !eof) return undefined;
      pieces.push(buf.subarray(pieceStart, p));
      if (buf[p + 1] === QUOTE) {
        pieceStart = p + 1;
        p += 1;
      } else {
        inQuotes = false;
        pieceStart = p + 1;
      }
      continue;
    }
    if (byte === COMMA) {
      finish(p);
      pieceStart = p + 1;
      fieldStart = true;
      continue;
    }
    if (byte === LF || byte === CR) {
      if (byte === CR && p + 1 >= end && !eof) return undefined;
      finish(p);
      return { fields, next: byte === CR && buf[p + 1] === LF ? p + 2 : p + 1 };
    }
    if (byte === QUOTE && fieldStart) {
      inQuotes = true;
      pieceStart = p + 1;
    }
    fieldStart = false;
  }
  if (!eof || inQuotes) return undefined;
  finish(p);
  return { fields, next: p };
}

/**
 * The first two records of an input (fewer when it has fewer, or when they are
 * malformed), reading more input as needed but never more than twice the
 * longest row allowed.
 */
export async function readLeadingRows(cursor: InputCursor): Promise<string[][]> {
  for (;;) {
    const first = splitLeadingRecord(cursor.buf, cursor.pos, cursor.end, cursor.eof);
    const second =
      first?.fields === undefined
        ? first
        : splitLeadingRecord(cursor.buf, first.next, cursor.end, cursor.eof);
    if (second !== undefined || cursor.eof || cursor.end - cursor.pos > 2 * MAX_ROW_BYTES) {
      const rows: string[][] = [];
      if (first?.fields) rows.push(first.fields);
      if (first?.fields && second?.fields) rows.push(second.fields);
      return rows;
    }
    cursor.wantMore();
    await cursor.more();
  }
}

/** A row of pandas' default column names `0,1,…,n-1` (what `DataFrame.to_csv` writes for an unnamed matrix). */
function isPandasDefaultHeader(first: string[], second: string[] | undefined): boolean {
  return (
    first.length >= 2 &&
    first.every((name, index) => name === String(index)) &&
    second?.some((value) => isNumberText(value) && !INTEGER_PATTERN.test(value)) === true
  );
}

function looksLikeHeader(first: string[], second: string[] | undefined, policy: NumericPolicy): boolean {
  if (first.some(isNumberText) || first.every((name) => name === '')) return false;
  if (policy !== 'any') return true;
  const below = second ?? [];
  return first.some((name, index) => name !== '' && isNumberText(below[index] ?? ''));
}

/**
 * Whether the first row of x and of y is a header (dropped from the output).
 *
 * - With numeric data (`numeric` or `numeric-or-empty`): the first row is a
 *   header when none of its fields is a number and at least one is non-empty.
 * - With `any`: only when that is unambiguous: no field of the first row is a
 *   number, and some column has a name above a number in the second row.
 * - pandas' default names: an x whose first row is exactly `0,1,…,n-1` (n >= 2)
 *   above a row with a non-integer number has a header, and then a first row
 *   of y that is exactly `0` (an unnamed Series' header) is one too.
 *
 * A header that is all numbers otherwise cannot be told from data: such a row
 * is kept, and a mismatch with the other file is reported with a hint.
 */
export function detectHeaders(
  x: string[][],
  y: string[][],
  policy: NumericPolicy,
): { x: boolean; y: boolean } {
  const [x1, x2] = x;
  const [y1, y2] = y;
  const pandasX = x1 !== undefined && isPandasDefaultHeader(x1, x2);
  return {
    x: x1 !== undefined && (pandasX || looksLikeHeader(x1, x2, policy)),
    y: y1 !== undefined && ((pandasX && y1.length === 1 && y1[0] === '0') || looksLikeHeader(y1, y2, policy)),
  };
}
