/**
 * The long fuzz run: 100,000 inputs for the CSV merge engine and for the
 * settings parser (`npm run fuzz`). Prints the counts; exits non-zero when
 * anything unexpected happened. `node bin/run-ts.cjs test/fuzz/main.ts [count] [seed]`.
 */
import { fuzz as fuzzCsv } from './csv-fuzz';
import { fuzz as fuzzSettings } from './settings-fuzz';

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 100_000);
  const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
  let unexpected = 0;
  for (const [name, run] of [
    ['csv merge', fuzzCsv],
    ['settings', fuzzSettings],
  ] as const) {
    const started = Date.now();
    const counts = await run(count, seed);
    unexpected += counts.unexpected;
    print(
      `fuzz ${name}: seed ${seed}, ${counts.inputs} inputs, ${counts.matched} matched, ${counts.rejectedCleanly} rejected cleanly, ${counts.unexpected} unexpected (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    for (const example of counts.examples) print(`  unexpected: ${example}`);
  }
  process.exitCode = unexpected === 0 ? 0 : 1;
}

void main();
