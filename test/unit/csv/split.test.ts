import { describe, expect, it } from 'vitest';
import { channelOf, seedHash, splitCuts, splitPoint } from '../../../lib/csv/split';

describe('split', () => {
  it('depends only on the seed and the row index', () => {
    const seed = seedHash('run-1');
    expect(seedHash('run-1')).toBe(seed);
    expect(splitPoint(seed, 12345)).toBe(splitPoint(seed, 12345));
    expect(splitPoint(seed, 12345)).not.toBe(splitPoint(seedHash('run-2'), 12345));
  });

  it('spreads rows over the channels in the given fractions', () => {
    const seed = seedHash('sagedrop');
    const cuts = splitCuts(0.15, 0.25);
    const counts = { train: 0, validation: 0, test: 0 };
    const n = 200_000;
    for (let index = 0; index < n; index += 1) counts[channelOf(seed, cuts, index)] += 1;
    expect(counts.test / n).toBeCloseTo(0.15, 2);
    expect(counts.validation / n).toBeCloseTo(0.25, 2);
    expect(counts.train / n).toBeCloseTo(0.6, 2);
  });

  it('sends nothing to a channel with a zero fraction, and handles indexes past 2^32', () => {
    const seed = seedHash('s');
    const cuts = splitCuts(0, 0);
    for (const index of [0, 1, 2 ** 32 + 5, 2 ** 40]) expect(channelOf(seed, cuts, index)).toBe('train');
    expect(splitPoint(seed, 2 ** 32 + 5)).not.toBe(splitPoint(seed, 5));
  });
});
