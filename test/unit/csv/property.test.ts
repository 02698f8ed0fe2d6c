import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareWithReference } from '../../fuzz/compare-merge';
import { datasets } from './csv-arbitraries';
import { bytes } from './harness';

describe('mergeStreams against the reference merge', () => {
  it('agrees on every generated dataset: same output, or a rejection at the same file and row', async () => {
    const verdicts = { matched: 0, rejectedCleanly: 0 };
    await fc.assert(
      fc.asyncProperty(datasets, async ({ x, y, options, xChunks, yChunks }) => {
        const verdict = await compareWithReference(bytes(x), bytes(y), options, { x: xChunks, y: yChunks });
        verdicts[verdict] += 1;
      }),
      { numRuns: 400, seed: 20261125 },
    );
    expect(verdicts.matched).toBeGreaterThan(100);
    expect(verdicts.rejectedCleanly).toBeGreaterThan(20);
  });
});
