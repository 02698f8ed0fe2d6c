import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleComposition, packagedBuild } from './support/bundle-composition';
import { extractBundle, measureLoad } from './support/bundles';
import { print } from './support/print';
import { packageStack, REPO_ROOT } from './support/stack-package';

const RUNS = 30;
const GOAL_ZIPPED_KB = 250;
const GOAL_OVERHEAD_MS = 80;
const LARGEST_SOURCES = 6;

const ms = (value: number) => `${value.toFixed(1)} ms`;

function verdict(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

/**
 * Each handler as Lambda gets it: the zip `sls package` writes, its size, and
 * how long requiring it takes in a fresh node beyond starting node at all.
 */
export async function run(): Promise<void> {
  print('bundles: packaging the stack (sls package, offline)...');
  const stack = await packageStack();
  const work = mkdtempSync(join(tmpdir(), 'sagedrop-bundles-'));
  try {
    const rows: string[] = [];
    const build = packagedBuild(stack.dir);
    let allMet = true;
    for (const [fn, zip] of [...stack.zips].sort(([a], [b]) => a.localeCompare(b))) {
      const zippedKb = statSync(zip).size / 1024;
      const file = extractBundle(zip, join(work, fn), fn);
      const unzippedKb = statSync(file).size / 1024;
      const timing = measureLoad(file, RUNS);
      const sizeMet = zippedKb <= GOAL_ZIPPED_KB;
      const loadMet = timing.overheadMs <= GOAL_OVERHEAD_MS;
      allMet &&= sizeMet && loadMet;
      rows.push(
        `${fn.padEnd(9)} zipped ${zippedKb.toFixed(1)} KB (goal <= ${GOAL_ZIPPED_KB} KB: ${verdict(sizeMet)}), unzipped ${unzippedKb.toFixed(0)} KB`,
        `${''.padEnd(9)} cold load ${ms(timing.loadMs)} - bare node ${ms(timing.bareMs)} = ${ms(timing.overheadMs)} overhead (goal <= ${GOAL_OVERHEAD_MS} ms: ${verdict(loadMet)})`,
        `${''.padEnd(9)} require() alone ${ms(timing.requireMs)} wall, ${ms(timing.requireCpuMs)} CPU`,
      );
      const entry = build.entries.get(fn);
      if (entry) {
        const largest = (await bundleComposition(REPO_ROOT, entry, build.options)).slice(0, LARGEST_SOURCES);
        rows.push(
          `${''.padEnd(9)} largest parts: ${largest.map((part) => `${part.source} ${(part.bytes / 1024).toFixed(0)} KB`).join(', ')}`,
        );
      }
    }
    const [load = 0] = loadavg();
    const cpus = availableParallelism();
    print(
      `bundles: medians of ${RUNS} fresh node processes per handler; node ${process.version}, ${cpus} CPUs, load average ${load.toFixed(1)}`,
    );
    if (load > cpus)
      print('bundles: the machine is busy, so wall-clock figures are inflated; the CPU figure is steadier');
    for (const row of rows) print(`  ${row}`);
    print(`bundles: ${allMet ? 'every goal met' : 'a goal was missed'}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    stack.remove();
  }
}
