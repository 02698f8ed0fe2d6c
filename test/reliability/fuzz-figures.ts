import { fuzz as fuzzCsv } from '../fuzz/csv-fuzz';
import type { FuzzCounts } from '../fuzz/random';
import { fuzz as fuzzSettings } from '../fuzz/settings-fuzz';
import type { FuzzFigure } from './report';

async function runSuite(
  name: string,
  run: (count: number, seed: number) => Promise<FuzzCounts>,
  count: number,
  seed: number,
): Promise<FuzzFigure> {
  const counts = await run(count, seed);
  return {
    name,
    inputs: counts.inputs,
    matched: counts.matched,
    rejectedCleanly: counts.rejectedCleanly,
    failures: counts.unexpected,
    examples: counts.examples,
  };
}

/**
 * The CSV engine's and the settings parser's fuzz suites (test/fuzz): every
 * input must match the reference implementation or be rejected cleanly.
 */
export async function runFuzz(csv: number, settings: number, seed: number): Promise<FuzzFigure[]> {
  return [
    await runSuite('CSV engine vs reference', fuzzCsv, csv, seed),
    await runSuite('settings parser', fuzzSettings, settings, seed),
  ];
}
