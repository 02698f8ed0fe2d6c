import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleComposition, packagedBuild } from './support/bundle-composition';
import { compareLoads, extractBundle, measureLoad } from './support/bundles';
import { print } from './support/print';
import { packageStack, REPO_ROOT } from './support/stack-package';

const RUNS = 30;
const GOAL_ZIPPED_KB = 250;
const GOAL_OVERHEAD_MS = 80;
const LARGEST_SOURCES = 6;
/**
 * A directory of zips `sls package` wrote for an earlier commit: each handler
 * found there is also loaded side by side with it ("not slower than then").
 */
const BASELINE = process.env.SAGEDROP_BENCH_BASELINE;
/** Loads of each build in the side-by-side comparison: a shared machine moves single runs by 10-20%. */
const COMPARED_RUNS = 60;

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
    const [load = 0] = loadavg();
    const cpus = availableParallelism();
    // On a busy machine a fresh process waits for a CPU, which inflates both wall
    // figures unevenly; the CPU time spent in require() is then the fairer measure.
    const busy = load > cpus;
    let allMet = true;
    for (const [fn, zip] of [...stack.zips].sort(([a], [b]) => a.localeCompare(b))) {
      const zippedKb = statSync(zip).size / 1024;
      const file = extractBundle(zip, join(work, fn), fn);
      const unzippedKb = statSync(file).size / 1024;
      const timing = measureLoad(file, RUNS);
      const judged = busy ? timing.requireCpuMs : timing.overheadMs;
      const sizeMet = zippedKb <= GOAL_ZIPPED_KB;
      const loadMet = judged <= GOAL_OVERHEAD_MS;
      allMet &&= sizeMet && loadMet;
      rows.push(
        `${fn.padEnd(9)} zipped ${zippedKb.toFixed(1)} KB (goal <= ${GOAL_ZIPPED_KB} KB: ${verdict(sizeMet)}), unzipped ${unzippedKb.toFixed(0)} KB`,
        `${''.padEnd(9)} cold load ${ms(timing.loadMs)} - bare node ${ms(timing.bareMs)} = ${ms(timing.overheadMs)} overhead`,
        `${''.padEnd(9)} require() alone ${ms(timing.requireMs)} wall, ${ms(timing.requireCpuMs)} CPU`,
        `${''.padEnd(9)} load overhead ${ms(judged)} ${busy ? '(CPU, machine busy)' : '(wall)'} (goal <= ${GOAL_OVERHEAD_MS} ms: ${verdict(loadMet)})`,
      );
      const baselineZip = BASELINE ? join(BASELINE, `${fn}.zip`) : undefined;
      if (baselineZip && existsSync(baselineZip)) {
        const before = extractBundle(baselineZip, join(work, 'baseline', fn), fn);
        const compared = compareLoads(file, before, COMPARED_RUNS);
        const notSlower = compared.currentMs <= compared.baselineMs;
        allMet &&= notSlower;
        rows.push(
          `${''.padEnd(9)} require() against the baseline build, ${COMPARED_RUNS} each in turn: median ${ms(compared.currentMs)} vs ${ms(compared.baselineMs)} (${(compared.currentMs / compared.baselineMs).toFixed(2)}x), fastest ${ms(compared.currentBestMs)} vs ${ms(compared.baselineBestMs)} (goal not slower: ${verdict(notSlower)})`,
        );
      }
      const entry = build.entries.get(fn);
      if (entry) {
        const largest = (await bundleComposition(REPO_ROOT, entry, build.options)).slice(0, LARGEST_SOURCES);
        rows.push(
          `${''.padEnd(9)} largest parts: ${largest.map((part) => `${part.source} ${(part.bytes / 1024).toFixed(0)} KB`).join(', ')}`,
        );
      }
    }
    print(
      `bundles: medians of ${RUNS} fresh node processes per handler; node ${process.version}, ${cpus} CPUs, load average ${load.toFixed(1)}`,
    );
    if (busy) print('bundles: the machine is busy: load goals are judged on CPU time, not wall time');
    if (BASELINE) print(`bundles: baseline build ${BASELINE}`);
    for (const row of rows) print(`  ${row}`);
    print(`bundles: ${allMet ? 'every goal met' : 'a goal was missed'}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
    stack.remove();
  }
}
