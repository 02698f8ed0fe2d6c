/**
 * Byte-level tables the merge engine scans with. A field is a number when it
 * matches `[+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?`: what Python's
 * `float()` and pandas accept, minus `nan`, `inf`, surrounding spaces and
 * thousands separators, which the built-in algorithms' CSV readers do not
 * treat as plain numbers.
 */
import type { MergeOptions } from './types';

export const LF = 0x0a;
export const CR = 0x0d;
export const QUOTE = 0x22;
export const COMMA = 0x2c;

export type NumericPolicy = MergeOptions['numeric'];

/** Same grammar as the automaton, for whole strings (headers, reference checks). */
export const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function isNumberText(text: string): boolean {
  return NUMBER_PATTERN.test(text);
}

// Automaton states. The fast path keeps states premultiplied by 256 so that a
// transition is one load: `state = TRANSITIONS[state | byte]`.
export const S_START = 0;
const S_SIGN = 1;
export const S_INT = 2;
const S_DOT_LEAD = 3;
export const S_INT_DOT = 4;
export const S_FRAC = 5;
const S_EXP = 6;
const S_EXP_SIGN = 7;
export const S_EXP_INT = 8;
export const S_TEXT = 9;
/** A field failed the policy: the row goes to the general path, which reports it. */
export const S_FAIL = 10;
/** A quote, CR, LF or non-ASCII byte: the row needs the general path. */
export const S_SLOW = 11;
/** Just after a comma; numbered 16 so that `state >>> 12` is 1 there and 0 elsewhere. */
export const S_COMMA = 16;
const STATE_COUNT = 17;

const NUMERIC_STATES = [S_INT, S_INT_DOT, S_FRAC, S_EXP_INT];

function numericStep(state: number, byte: number): number {
  const digit = byte >= 0x30 && byte <= 0x39;
  const dot = byte === 0x2e;
  const sign = byte === 0x2b || byte === 0x2d;
  const exp = byte === 0x65 || byte === 0x45;
  switch (state) {
    case S_START:
    case S_COMMA:
      return digit ? S_INT : dot ? S_DOT_LEAD : sign ? S_SIGN : S_TEXT;
    case S_SIGN:
      return digit ? S_INT : dot ? S_DOT_LEAD : S_TEXT;
    case S_INT:
      return digit ? S_INT : dot ? S_INT_DOT : exp ? S_EXP : S_TEXT;
    case S_DOT_LEAD:
      return digit ? S_FRAC : S_TEXT;
    case S_INT_DOT:
    case S_FRAC:
      return digit ? S_FRAC : exp ? S_EXP : S_TEXT;
    case S_EXP:
      return digit ? S_EXP_INT : sign ? S_EXP_SIGN : S_TEXT;
    case S_EXP_SIGN:
    case S_EXP_INT:
      return digit ? S_EXP_INT : S_TEXT;
    default:
      return S_TEXT;
  }
}

/** Whether a field that ended in `state` (a per-field automaton state) is allowed under `policy`. */
export function fieldAccepted(state: number, policy: NumericPolicy): boolean {
  if (policy === 'any') return true;
  if (NUMERIC_STATES.includes(state)) return true;
  return policy === 'numeric-or-empty' && (state === S_START || state === S_COMMA);
}

/** For each state: 1 when a field that ended there holds a number. */
export const NUMBER_FINAL = Uint8Array.from({ length: STATE_COUNT }, (_, state) =>
  NUMERIC_STATES.includes(state) ? 1 : 0,
);

/** Whether a field that ended in `state` holds a number. */
export function fieldIsNumber(state: number): boolean {
  return NUMERIC_STATES.includes(state);
}

/**
 * The fast path's transition table for one policy: 17 states x 256 bytes, values
 * premultiplied by 256. A comma after an accepted field goes to `S_COMMA`,
 * after a rejected one to the sticky `S_FAIL`; quotes, CR, LF and bytes >= 0x80
 * go to the sticky `S_SLOW`.
 */
export function buildTransitions(policy: NumericPolicy): Int32Array {
  const table = new Int32Array(STATE_COUNT * 256);
  for (let state = 0; state < STATE_COUNT; state += 1) {
    for (let byte = 0; byte < 256; byte += 1) {
      let next: number;
      if (state === S_FAIL || state === S_SLOW) next = state;
      else if (state > S_SLOW && state !== S_COMMA) next = S_FAIL;
      else if (byte === QUOTE || byte === CR || byte === LF || byte >= 0x80) next = S_SLOW;
      else if (byte === COMMA) next = fieldAccepted(state, policy) ? S_COMMA : S_FAIL;
      else next = numericStep(state, byte);
      table[state * 256 + byte] = next * 256;
    }
  }
  return table;
}

/** For each premultiplied state >> 8: 1 when a row or label may end there under the policy. */
export function buildFinalAccept(policy: NumericPolicy): Uint8Array {
  const accept = new Uint8Array(STATE_COUNT);
  for (let state = 0; state < STATE_COUNT; state += 1) {
    accept[state] = state !== S_FAIL && state !== S_SLOW && fieldAccepted(state, policy) ? 1 : 0;
  }
  return accept;
}

/** Per-field automaton of the general path (mode independent): returns the next state. */
export function stepNumber(state: number, byte: number): number {
  return state === S_TEXT ? S_TEXT : numericStep(state, byte);
}

/**
 * Length of the valid UTF-8 sequence starting at `buf[at]` (a byte >= 0x80),
 * 0 when invalid, or -1 when it runs past `end` and more input could complete it.
 * Rejects overlong forms, surrogates and code points above U+10FFFF.
 */
export function utf8SequenceLength(buf: Uint8Array, at: number, end: number, eof: boolean): number {
  const lead = buf[at] as number;
  let length: number;
  let min = 0x80;
  let max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) min = 0xa0;
    else if (lead === 0xed) max = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) min = 0x90;
    else if (lead === 0xf4) max = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k += 1) {
    if (at + k >= end) return eof ? 0 : -1;
    const byte = buf[at + k] as number;
    if (k === 1 ? byte < min || byte > max : byte < 0x80 || byte > 0xbf) return 0;
  }
  return length;
}

/** Widest x the row-block table is built for (its size grows with the column count). */
export const MAX_BLOCK_COLUMNS = 64;
const FIELD_STATES = S_TEXT + 1;

/**
 * A transition table that validates whole rows of exactly `columns` fields:
 * the state is (column, per-field state), premultiplied by 256. A row that
 * ends (LF, or CRLF) in an accepted field of the last column returns to 0;
 * anything else (wrong column count, rejected value, quote, non-ASCII byte,
 * lone CR, blank row) goes to the sticky last state. So a run of rows is
 * valid exactly when scanning it from 0 ends in 0.
 */
export function buildRowTransitions(policy: NumericPolicy, columns: number): Int32Array {
  const crState = columns * FIELD_STATES;
  const bad = crState + 1;
  const table = new Int32Array((bad + 1) * 256).fill(bad * 256);
  const endsRow = (state: number, column: number) =>
    column === columns - 1 && fieldAccepted(state, policy) && !(column === 0 && state === S_START);
  for (let column = 0; column < columns; column += 1) {
    for (let state = 0; state < FIELD_STATES; state += 1) {
      const id = column * FIELD_STATES + state;
      for (let byte = 0; byte < 0x80; byte += 1) {
        let next = bad;
        if (byte === COMMA) {
          if (column < columns - 1 && fieldAccepted(state, policy)) next = (column + 1) * FIELD_STATES;
        } else if (byte === LF) {
          if (endsRow(state, column)) next = 0;
        } else if (byte === CR) {
          if (endsRow(state, column)) next = crState;
        } else if (byte !== QUOTE) {
          const step = stepNumber(state, byte);
          if (policy === 'any' || step !== S_TEXT) next = column * FIELD_STATES + step;
        }
        table[id * 256 + byte] = next * 256;
      }
    }
  }
  table[crState * 256 + LF] = 0;
  return table;
}
