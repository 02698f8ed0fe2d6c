import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { print } from './support/print';

const SUFFIX = '.bench.ts';

interface Benchmark {
  run(): Promise<void>;
}

/**
 * Runs every `bench/*.bench.ts` in name order, or only those named on the
 * command line (`npm run bench -- bundles kmeans`). Exits non-zero when a
 * benchmark throws or a name matches nothing.
 */
async function main(names: string[]): Promise<void> {
  const available = readdirSync(__dirname)
    .filter((file) => file.endsWith(SUFFIX))
    .map((file) => file.slice(0, -SUFFIX.length))
    .sort();
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length) {
    console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const selected = names.length ? available.filter((name) => names.includes(name)) : available;
  for (const name of selected) {
    print(`\n== ${name}`);
    const started = Date.now();
    try {
      // require, not import(): bin/run-ts.cjs registers tsx for CommonJS only.
      const benchmark = require(join(__dirname, `${name}${SUFFIX}`)) as Benchmark;
      await benchmark.run();
      print(`== ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      console.error(`== ${name} failed:`, error);
      process.exitCode = 1;
    }
  }
}

void main(process.argv.slice(2));
