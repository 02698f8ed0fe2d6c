import type { FuzzFigure } from './report';

type FuzzRun = (count: number, seed: number) => unknown;

/** Reads a fuzz run's result, whatever of the usual shapes it has. */
function figureOf(name: string, count: number, result: unknown): FuzzFigure {
  if (typeof result === 'number') return { name, inputs: count, failures: result, available: true };
  const value = (result ?? {}) as Record<string, unknown>;
  const inputs = Number(value.inputs ?? value.count ?? value.runs ?? count);
  const failures = Array.isArray(value.failures) ? value.failures.length : Number(value.failures ?? 0);
  return { name, inputs, failures, available: true };
}

async function runSuite(name: string, path: string, count: number, seed: number): Promise<FuzzFigure> {
  let fuzz: FuzzRun | undefined;
  try {
    fuzz = ((await import(path)) as { fuzz?: FuzzRun }).fuzz;
  } catch {
    fuzz = undefined;
  }
  if (!fuzz) return { name, inputs: 0, failures: 0, available: false };
  try {
    return figureOf(name, count, await fuzz(count, seed));
  } catch (error) {
    // The suites throw on the first failing input, with the input in the message.
    console.error(`${name}:`, error);
    return { name, inputs: count, failures: 1, available: true };
  }
}

/** The CSV engine's and the settings parser's fuzz suites (test/fuzz), at `csv` and `settings` inputs. */
export async function runFuzz(csv: number, settings: number, seed: number): Promise<FuzzFigure[]> {
  return [
    await runSuite('CSV engine vs reference', '../fuzz/csv-fuzz', csv, seed),
    await runSuite('settings parser', '../fuzz/settings-fuzz', settings, seed),
  ];
}
