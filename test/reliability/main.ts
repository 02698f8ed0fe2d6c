import { runFuzz } from './fuzz-figures';
import { type ReliabilityOptions, runReliability } from './harness';
import { formatReport, problemsOf } from './report';

/** The full run's size: the figures RELIABILITY.md publishes. */
export const FULL_RUN: ReliabilityOptions = {
  seed: 20261125,
  datasets: 240,
  dosesPerDataset: 2,
  big: 3,
  bigRows: 90_000,
  persistent: 3,
  identical: 12,
  maxDuplicates: 2,
  lateReplays: 300,
  keysAtLimit: 4,
};

const FUZZ = { csv: 100_000, settings: 100_000 };

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const seed = Number(option('seed') ?? FULL_RUN.seed);
  const scale = Number(option('scale') ?? 1);
  const options: ReliabilityOptions = {
    ...FULL_RUN,
    seed,
    datasets: Math.max(4, Math.round(FULL_RUN.datasets * scale)),
    lateReplays: Math.round(FULL_RUN.lateReplays * scale),
    big: Number(option('big') ?? (scale < 1 ? Math.min(1, FULL_RUN.big) : FULL_RUN.big)),
    persistent: Number(option('persistent') ?? FULL_RUN.persistent),
    identical: Math.max(2, Math.round(FULL_RUN.identical * scale)),
    dosesPerDataset: Number(option('doses') ?? FULL_RUN.dosesPerDataset),
    maxDuplicates: Number(option('duplicates') ?? FULL_RUN.maxDuplicates),
  };
  const start = Date.now();
  const onPhase = (phase: string) => console.error(`${((Date.now() - start) / 1000).toFixed(1)} s: ${phase}`);
  const report = await runReliability({ ...options, onPhase });
  onPhase('checked');
  const fuzz = await runFuzz(Math.round(FUZZ.csv * scale), Math.round(FUZZ.settings * scale), seed);
  for (const line of formatReport(report, fuzz)) process.stdout.write(`${line}\n`);
  const problems = problemsOf(report, fuzz);
  process.stdout.write(
    `\n${problems.length === 0 ? 'PASS: nothing lost, duplicated or left partial' : `FAIL: ${problems.length} problems`}\n`,
  );
  for (const problem of problems.slice(0, 50)) process.stdout.write(`  ${problem}\n`);
  // Killed invocations are simulated as work that never resumes; exit rather than wait on their remains.
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
