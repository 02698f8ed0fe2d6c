import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readZip } from './zip';

/** Writes a function's zip out under `dir` and returns the path of its handler module. */
export function extractBundle(zipPath: string, dir: string, fn: string): string {
  for (const [name, content] of readZip(zipPath)) {
    const target = join(dir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return join(dir, 'handlers', `${fn}.js`);
}

/** Loads a module the way Lambda's runtime does and reports what `handler` is. */
const LOAD_SCRIPT = `const m = require(process.argv[1]); process.stdout.write(typeof m.handler);`;

/** A fresh node with no AWS configuration: module scope must not need any. */
function cleanEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export interface LoadResult {
  handlerType: string;
  stderr: string;
  status: number | null;
}

/** Requires the bundle in a fresh node process. */
export function loadBundle(file: string): LoadResult {
  const result = spawnSync(process.execPath, ['-e', LOAD_SCRIPT, file], {
    env: cleanEnv(),
    encoding: 'utf8',
  });
  return { handlerType: result.stdout, stderr: result.stderr, status: result.status };
}

/** Requires the module and reports how long `require` itself took, wall and CPU. */
const TIMED_LOAD_SCRIPT = [
  'const start = process.hrtime.bigint(); const cpu = process.cpuUsage();',
  'require(process.argv[1]);',
  'const used = process.cpuUsage(cpu);',
  'process.stdout.write(JSON.stringify({ wallMs: Number(process.hrtime.bigint() - start) / 1e6,',
  '  cpuMs: (used.user + used.system) / 1000 }));',
].join('\n');

function timeNode(args: string[]): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env: cleanEnv(), encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface LoadTiming {
  /** Median wall time of `node -e 0`. */
  bareMs: number;
  /** Median wall time of a fresh node that requires the bundle. */
  loadMs: number;
  /** `loadMs - bareMs`: what the bundle adds to a cold start. */
  overheadMs: number;
  /** Median time inside `require` alone, wall and CPU: less sensitive to a busy machine. */
  requireMs: number;
  requireCpuMs: number;
}

/**
 * Median wall time of `node -e 0` and of requiring `file` in a fresh node,
 * alternating the two so drift in machine load hits both alike.
 */
export function measureLoad(file: string, runs: number): LoadTiming {
  const bare: number[] = [];
  const load: number[] = [];
  const inside: number[] = [];
  const cpu: number[] = [];
  timeNode(['-e', '0']);
  for (let i = 0; i < runs; i += 1) {
    bare.push(timeNode(['-e', '0']).ms);
    const loaded = timeNode(['-e', TIMED_LOAD_SCRIPT, file]);
    const reported = JSON.parse(loaded.stdout) as { wallMs: number; cpuMs: number };
    load.push(loaded.ms);
    inside.push(reported.wallMs);
    cpu.push(reported.cpuMs);
  }
  const bareMs = median(bare);
  const loadMs = median(load);
  return {
    bareMs,
    loadMs,
    overheadMs: loadMs - bareMs,
    requireMs: median(inside),
    requireCpuMs: median(cpu),
  };
}

export interface LoadComparison {
  /** Median time inside `require` of each bundle, in fresh processes taken in turn. */
  currentMs: number;
  baselineMs: number;
  /** The fastest of each: what a load costs when nothing else runs. */
  currentBestMs: number;
  baselineBestMs: number;
}

/**
 * Median `require` time of `current` and of `baseline` (the same handler from
 * another build), alternating fresh processes so drift in load hits both alike.
 */
export function compareLoads(current: string, baseline: string, runs: number): LoadComparison {
  const now: number[] = [];
  const before: number[] = [];
  timeNode(['-e', TIMED_LOAD_SCRIPT, current]);
  timeNode(['-e', TIMED_LOAD_SCRIPT, baseline]);
  for (let i = 0; i < runs; i += 1) {
    for (const [file, into] of [
      [current, now],
      [baseline, before],
    ] as const) {
      into.push((JSON.parse(timeNode(['-e', TIMED_LOAD_SCRIPT, file]).stdout) as { wallMs: number }).wallMs);
    }
  }
  return {
    currentMs: median(now),
    baselineMs: median(before),
    currentBestMs: Math.min(...now),
    baselineBestMs: Math.min(...before),
  };
}
