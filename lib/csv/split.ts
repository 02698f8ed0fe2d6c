import type { Channel } from '../layout';

const TWO_POW_32 = 4294967296;

function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a of the seed's UTF-8 bytes, mixed: the per-run key of the split. */
export function seedHash(seed: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(seed)) h = Math.imul(h ^ byte, 0x01000193);
  return mix32(h);
}

/**
 * Where data row `index` (0-based, headers not counted) falls in [0, 2^32):
 * a hash of the seed and the index, so the split depends on nothing else and
 * needs no state.
 */
export function splitPoint(seed: number, index: number): number {
  const low = index >>> 0;
  const high = Math.floor(index / TWO_POW_32);
  return mix32(mix32(seed ^ low) ^ Math.imul(high, 0x9e3779b1));
}

/** Thresholds on `splitPoint`: below `test` goes to test, below `validation` to validation, the rest to train. */
export interface SplitCuts {
  test: number;
  validation: number;
}

export function splitCuts(testFraction: number, validationFraction: number): SplitCuts {
  const cut = (fraction: number) => Math.min(TWO_POW_32, Math.max(0, Math.floor(fraction * TWO_POW_32)));
  return { test: cut(testFraction), validation: cut(testFraction + validationFraction) };
}

/** The channel of data row `index`. */
export function channelOf(seed: number, cuts: SplitCuts, index: number): Channel {
  const point = splitPoint(seed, index);
  return point < cuts.test ? 'test' : point < cuts.validation ? 'validation' : 'train';
}
