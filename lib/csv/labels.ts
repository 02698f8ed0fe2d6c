import type { LabelSummary } from './types';

/** How many distinct label values a summary lists (enough for any classification the built-ins train). */
export const DISTINCT_LABEL_CAP = 20;

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const MAX_EXACT_MANTISSA = 2 ** 53;

/**
 * Value of an ASCII number of the merge's grammar. Plain decimals with up to 15
 * digits are computed exactly from the bytes (mantissa / 10^k is correctly
 * rounded there); anything else goes through `Number`.
 */
function numberValue(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  let negative = false;
  if (buf[p] === 0x2d || buf[p] === 0x2b) {
    negative = buf[p] === 0x2d;
    p += 1;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; p < end; p += 1) {
    const byte = buf[p] as number;
    if (byte === 0x2e) {
      fraction = 0;
      continue;
    }
    if (byte < 0x30 || byte > 0x39 || digits === 15) return Number(asciiText(buf, start, end));
    mantissa = mantissa * 10 + (byte - 0x30);
    digits += 1;
    if (fraction >= 0) fraction += 1;
  }
  const value =
    fraction > 0 && mantissa < MAX_EXACT_MANTISSA ? mantissa / (POWERS_OF_TEN[fraction] as number) : mantissa;
  return negative ? -value : value;
}

function asciiText(buf: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let p = start; p < end; p += 1) text += String.fromCharCode(buf[p] as number);
  return text;
}

function sameAscii(text: string, buf: Uint8Array, start: number, end: number): boolean {
  if (text.length !== end - start) return false;
  for (let k = 0; k < text.length; k += 1) if (text.charCodeAt(k) !== buf[start + k]) return false;
  return true;
}

/** Collects the label summary as rows are merged, in constant memory. */
export class LabelStats {
  private readonly distinct = new Set<string>();
  /** Recently seen ASCII labels by a hash of their bytes, to skip decoding repeated labels. */
  private readonly byHash = new Map<number, string>();
  private moreDistinct = false;
  private allNumeric = true;
  private allInteger = true;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** Records an ASCII label (no quotes) of `buf[start..end)`; `hash` is any hash of its bytes. */
  noteAscii(buf: Uint8Array, start: number, end: number, hash: number, isNumber: boolean): void {
    if (!this.moreDistinct) {
      const known = this.byHash.get(hash);
      if (known === undefined || !sameAscii(known, buf, start, end)) {
        const text = asciiText(buf, start, end);
        this.addDistinct(text);
        if (this.byHash.size < 4 * DISTINCT_LABEL_CAP) this.byHash.set(hash, text);
      }
    }
    if (!this.allNumeric) return;
    if (!isNumber) {
      this.allNumeric = false;
      this.allInteger = false;
      return;
    }
    this.noteValue(numberValue(buf, start, end));
  }

  /** Records a label given as text (quoted, non-ASCII or empty labels). */
  noteText(text: string, isNumber: boolean): void {
    if (!this.moreDistinct) this.addDistinct(text);
    if (!this.allNumeric) return;
    if (!isNumber) {
      this.allNumeric = false;
      this.allInteger = false;
      return;
    }
    this.noteValue(Number(text));
  }

  private noteValue(value: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.allInteger && !Number.isInteger(value)) this.allInteger = false;
  }

  private addDistinct(text: string): void {
    if (this.distinct.has(text)) return;
    if (this.distinct.size === DISTINCT_LABEL_CAP) {
      this.moreDistinct = true;
      this.byHash.clear();
    } else {
      this.distinct.add(text);
    }
  }

  /**
   * The summary: the first `DISTINCT_LABEL_CAP` distinct values seen, sorted
   * (numerically when every label is a number), min and max when numeric.
   */
  summary(rows: number): LabelSummary {
    const numeric = rows > 0 && this.allNumeric;
    const distinct = [...this.distinct];
    if (numeric) distinct.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
    else distinct.sort();
    const summary: LabelSummary = {
      distinct,
      moreDistinct: this.moreDistinct,
      numeric,
      integer: numeric && this.allInteger,
    };
    if (numeric) {
      summary.min = this.min;
      summary.max = this.max;
    }
    return summary;
  }
}
