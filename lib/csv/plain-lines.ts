import * as scanTables from './scan-tables';

// Module-local copies: an imported binding read in a loop is a property getter per read under tsx.
const { CR, LF, QUOTE } = scanTables;
const COMMA = 0x2c;

/** Distinct values kept as text; past this many, a value is decoded each time it is read. */
const MAX_REMEMBERED = 4096;

const latin1 = Buffer.prototype.latin1Slice as (this: Uint8Array, start: number, end: number) => string;

/**
 * Where the line starting at `start` ends (the index of its LF), when it is
 * one plain value: complete in `chunk`, and without a quote, `delimiter`,
 * comma, CR or non-ASCII byte, so that its bytes are its value and its
 * output as they are. Otherwise -1: the caller reads it byte by byte.
 */
export function plainLineEnd(chunk: Uint8Array, start: number, delimiter: number): number {
  for (let p = start; p < chunk.length; p += 1) {
    const byte = chunk[p] as number;
    if (byte === LF) return p;
    if (byte === QUOTE || byte === delimiter || byte === COMMA || byte === CR || byte >= 0x80) return -1;
  }
  return -1;
}

interface Remembered {
  readonly bytes: Uint8Array;
  readonly text: string;
  next: Remembered | undefined;
}

/**
 * The text of ASCII values, decoded once per distinct value: the labels of a
 * classification repeat a few values a million times.
 */
export class AsciiTexts {
  private readonly table = new Map<number, Remembered>();
  private size = 0;

  /** `bytes[start, end)`, ASCII, as a string. */
  text(bytes: Uint8Array, start: number, end: number): string {
    let hash = 0;
    for (let p = start; p < end; p += 1) hash = Math.imul(hash ^ (bytes[p] as number), 16777619);
    return this.textOf(bytes, start, end, hash);
  }

  /**
   * Whether `bytes[start, end)`, of FNV-style `hash` (as `text` computes it),
   * is a value already remembered: its text is decoded only the first time.
   */
  remembered(bytes: Uint8Array, start: number, end: number, hash: number): boolean {
    for (let entry = this.table.get(hash); entry !== undefined; entry = entry.next) {
      if (sameBytes(entry.bytes, bytes, start, end)) return true;
    }
    return false;
  }

  /** `text` for a value whose hash is known. */
  textOf(bytes: Uint8Array, start: number, end: number, hash: number): string {
    const first = this.table.get(hash);
    for (let entry = first; entry !== undefined; entry = entry.next) {
      if (sameBytes(entry.bytes, bytes, start, end)) return entry.text;
    }
    const text = latin1.call(bytes, start, end);
    if (this.size < MAX_REMEMBERED) {
      this.table.set(hash, { bytes: bytes.slice(start, end), text, next: first });
      this.size += 1;
    }
    return text;
  }
}

function sameBytes(kept: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (kept.length !== end - start) return false;
  for (let k = 0; k < kept.length; k += 1) if (kept[k] !== bytes[start + k]) return false;
  return true;
}
