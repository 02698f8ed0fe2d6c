import { createRandom } from '../../lib/local/training/random';

/** A seeded generator, so a fuzz run can be repeated from its seed. */
export const seededRandom = createRandom;

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** What a fuzz run did with its inputs. */
export interface FuzzCounts {
  inputs: number;
  /** Accepted, with the expected result. */
  matched: number;
  /** Rejected with the library's own error, as expected. */
  rejectedCleanly: number;
  /** Anything else: a wrong result, another exception, a hang. */
  unexpected: number;
  /** The first few unexpected cases, to reproduce them. */
  examples: string[];
}

export function emptyCounts(): FuzzCounts {
  return { inputs: 0, matched: 0, rejectedCleanly: 0, unexpected: 0, examples: [] };
}

export function noteUnexpected(counts: FuzzCounts, what: string): void {
  counts.unexpected += 1;
  if (counts.examples.length < 5) counts.examples.push(what.slice(0, 2000));
}
