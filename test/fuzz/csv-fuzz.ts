import fc from 'fast-check';
import type { MergeOptions } from '../../lib/csv/types';
import { datasets } from '../unit/csv/csv-arbitraries';
import { compareWithReference } from './compare-merge';
import { emptyCounts, type FuzzCounts, noteUnexpected, pick, seededRandom } from './random';

const INJECTIONS: readonly number[][] = [
  [0x22],
  [0x0d],
  [0x0a],
  [0x0d, 0x0a],
  [0x2c],
  [0xef, 0xbb, 0xbf],
  [0xff],
  [0xc0, 0xaf],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc3, 0xa9],
  [0x22, 0x22],
  [0x00],
];

/** One random change: inject special bytes, random bytes, truncate, delete or duplicate a span. */
function mutate(random: () => number, input: Uint8Array): Uint8Array {
  const bytes = Array.from(input);
  const at = Math.floor(random() * (bytes.length + 1));
  switch (Math.floor(random() * 6)) {
    case 0:
      bytes.splice(at, 0, ...pick(random, INJECTIONS));
      break;
    case 1:
      bytes.splice(
        at,
        0,
        ...Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * 256)),
      );
      break;
    case 2:
      bytes.length = at;
      break;
    case 3:
      bytes.splice(at, 1 + Math.floor(random() * 5));
      break;
    case 4:
      bytes.splice(at, 0, ...bytes.slice(at, at + 1 + Math.floor(random() * 12)));
      break;
    default:
      if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = pick(random, INJECTIONS)[0] as number;
  }
  return Uint8Array.from(bytes);
}

function randomBytes(random: () => number): Uint8Array {
  const alphabet = [0x30, 0x31, 0x2e, 0x2d, 0x65, 0x2c, 0x0a, 0x0d, 0x22, 0x61, 0x20, 0xc3, 0xa9, 0xff];
  return Uint8Array.from({ length: Math.floor(random() * 40) }, () =>
    random() < 0.8 ? pick(random, alphabet) : Math.floor(random() * 256),
  );
}

function chunking(random: () => number): number[] {
  return Array.from({ length: 1 + Math.floor(random() * 4) }, () => 1 + Math.floor(random() * 50));
}

/**
 * Feeds the merge engine `count` generated and mutated inputs (random bytes,
 * truncations, injected quotes, CR, LF, BOMs and invalid UTF-8, odd chunk
 * sizes) and compares each result with the reference merge: the same output,
 * or a `DatasetRejectedError` at the same file and row where the reference
 * rejects too. Anything else (a different result, another exception, a hang)
 * counts as unexpected.
 */
export async function fuzz(count: number, seed: number): Promise<FuzzCounts> {
  const random = seededRandom(seed);
  const bases = fc.sample(datasets, { seed, numRuns: Math.min(count, 500) });
  const encoder = new TextEncoder();
  const counts = emptyCounts();
  for (let k = 0; k < count; k += 1) {
    const base = bases[k % bases.length] as (typeof bases)[number];
    let x: Uint8Array = encoder.encode(base.x);
    let y: Uint8Array = encoder.encode(base.y);
    const kind = random();
    if (kind < 0.1) {
      x = randomBytes(random);
      y = randomBytes(random);
    } else {
      const mutations = random() < 0.4 ? 0 : 1 + Math.floor(random() * 3);
      for (let m = 0; m < mutations; m += 1) {
        if (random() < 0.6) x = mutate(random, x);
        else y = mutate(random, y);
      }
    }
    const options: MergeOptions = {
      ...base.options,
      numeric:
        random() < 0.3 ? pick(random, ['numeric', 'numeric-or-empty', 'any'] as const) : base.options.numeric,
    };
    counts.inputs += 1;
    try {
      const verdict = await compareWithReference(x, y, options, { x: chunking(random), y: chunking(random) });
      counts[verdict] += 1;
    } catch (error) {
      noteUnexpected(counts, error instanceof Error ? error.message : String(error));
    }
  }
  return counts;
}
