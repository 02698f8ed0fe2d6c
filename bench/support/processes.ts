import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';

const PEAK_RSS_PRELOAD = join(__dirname, 'peak-rss.cjs');

export interface ProcessRun {
  /** Wall time from spawn to exit. */
  seconds: number;
  stdout: string;
  /** Peak RSS of a Node process started with `node`, else undefined. */
  maxRssBytes?: number;
}

/**
 * Runs a command to completion and times it. With `node: true` the command is
 * the current Node binary with `args`, and the process reports its peak RSS
 * (see `peak-rss.cjs`). Rejects when it exits non-zero.
 */
export function timeProcess(
  command: string,
  args: string[],
  options: { stdoutPath?: string; node?: boolean } = {},
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const out = options.stdoutPath === undefined ? 'pipe' : openSync(options.stdoutPath, 'w');
    const argv = options.node ? ['--require', PEAK_RSS_PRELOAD, ...args] : args;
    const started = process.hrtime.bigint();
    const child = spawn(options.node ? process.execPath : command, argv, {
      stdio: ['ignore', out, 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    let rss = '';
    child.stdout?.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.stdio[3]?.on('data', (data: Buffer) => {
      rss += data.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (typeof out === 'number') closeSync(out);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const maxRssBytes = rss.trim() === '' ? undefined : Number(rss.trim());
      if (code === 0) resolve({ seconds, stdout, maxRssBytes });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/** A python3 that imports every module named, with pandas' version, or undefined. */
export function findPython(modules: string[]): { python: string; version: string } | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(
      python,
      ['-c', `import ${modules.join(', ')}; import pandas; print(pandas.__version__)`],
      { encoding: 'utf8' },
    );
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return undefined;
}

/** Best, worst and all times of repeated runs: the machine may be shared, the best is the least disturbed. */
export interface Repeated<T extends { seconds: number }> {
  best: T;
  worst: T;
  runs: T[];
}

export async function repeat<T extends { seconds: number }>(
  runs: number,
  once: () => Promise<T>,
): Promise<Repeated<T>> {
  const all: T[] = [];
  for (let k = 0; k < runs; k += 1) all.push(await once());
  const sorted = [...all].sort((a, b) => a.seconds - b.seconds);
  return { best: sorted[0] as T, worst: sorted[sorted.length - 1] as T, runs: all };
}

/** `1.23 s (best of 3; 1.23-1.40 s)`. */
export function spread(result: Repeated<{ seconds: number }>): string {
  const n = result.runs.length;
  if (n === 1) return `${result.best.seconds.toFixed(2)} s (one run)`;
  return `${result.best.seconds.toFixed(2)} s (best of ${n}; ${result.best.seconds.toFixed(2)}-${result.worst.seconds.toFixed(2)} s)`;
}
