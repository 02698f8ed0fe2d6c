import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildSync } from 'esbuild';
import { print } from './support/print';

/** Sizes and repetitions; the defaults are what `npm run bench` measures. */
export interface MergeBenchOptions {
  /** Rows of the main comparison (20 float features each, about 190 bytes per row). */
  rows?: number;
  /** Rows of the memory check at scale; 0 skips it. */
  bigRows?: number;
  /** Runs of the engine and of paste; the best time counts (the machine may be busy). */
  runs?: number;
}

const FEATURES = 20;
const CHUNK = 1024 * 1024;

const PANDAS_SCRIPT = `
import sys, time, json
import pandas as pd
started = time.perf_counter()
x = pd.read_csv(sys.argv[1], header=None)
y = pd.read_csv(sys.argv[2], header=None)
read = time.perf_counter()
pd.concat([y, x], axis=1).to_csv(sys.argv[3], header=False, index=False)
done = time.perf_counter()
print(json.dumps({"seconds": done - started, "read": read - started, "write": done - read, "version": pd.__version__}))
`;

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Deterministic features in [-100, 100) with up to 5 decimals (trailing zeros dropped) and labels 0-9. */
async function generate(xPath: string, yPath: string, rows: number, seed: number): Promise<void> {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const x = createWriteStream(xPath, { highWaterMark: CHUNK });
  const y = createWriteStream(yPath, { highWaterMark: CHUNK });
  let xText = '';
  let yText = '';
  for (let row = 0; row < rows; row += 1) {
    let line = '';
    for (let feature = 0; feature < FEATURES; feature += 1) {
      const value = (random() * 200 - 100).toFixed(5).replace(/\.?0+$/, '');
      line += feature === 0 ? value : `,${value}`;
    }
    xText += `${line}\n`;
    yText += `${Math.floor(random() * 10)}\n`;
    if (xText.length > CHUNK) {
      const xOk = x.write(xText);
      const yOk = y.write(yText);
      xText = '';
      yText = '';
      if (!xOk) await once(x, 'drain');
      if (!yOk) await once(y, 'drain');
    }
  }
  x.end(xText);
  y.end(yText);
  await Promise.all([once(x, 'close'), once(y, 'close')]);
}

function timeProcess(
  command: string,
  args: string[],
  stdoutPath?: string,
): Promise<{ seconds: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const out = stdoutPath === undefined ? 'pipe' : openSync(stdoutPath, 'w');
    const started = process.hrtime.bigint();
    const child = spawn(command, args, {
      stdio: ['ignore', out, 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (data: Buffer) => {
      stdout += data.toString();
    });
    child.stderr?.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (typeof out === 'number') closeSync(out);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ seconds, stdout });
      else reject(new Error(`${command} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/** Byte-for-byte comparison, streaming. */
async function sameBytes(a: string, b: string): Promise<boolean> {
  if (statSync(a).size !== statSync(b).size) return false;
  const left = createReadStream(a, { highWaterMark: CHUNK })[Symbol.asyncIterator]();
  const right = createReadStream(b, { highWaterMark: CHUNK })[Symbol.asyncIterator]();
  let l: Buffer = Buffer.alloc(0);
  let r: Buffer = Buffer.alloc(0);
  for (;;) {
    if (l.length === 0) {
      const next = await left.next();
      l = next.done ? Buffer.alloc(0) : (next.value as Buffer);
    }
    if (r.length === 0) {
      const next = await right.next();
      r = next.done ? Buffer.alloc(0) : (next.value as Buffer);
    }
    if (l.length === 0 || r.length === 0) return l.length === r.length;
    const n = Math.min(l.length, r.length);
    if (!l.subarray(0, n).equals(r.subarray(0, n))) return false;
    l = l.subarray(n);
    r = r.subarray(n);
  }
}

/** Lines that differ between two files of the same row count, and the first such pair. */
async function differingLines(a: string, b: string): Promise<{ count: number; example?: [string, string] }> {
  const left = createInterface({ input: createReadStream(a, { highWaterMark: CHUNK }) })[
    Symbol.asyncIterator
  ]();
  const right = createInterface({ input: createReadStream(b, { highWaterMark: CHUNK }) })[
    Symbol.asyncIterator
  ]();
  let count = 0;
  let example: [string, string] | undefined;
  for (;;) {
    const [l, r] = await Promise.all([left.next(), right.next()]);
    if (l.done && r.done) return { count, example };
    if (l.value !== r.value) {
      count += 1;
      example ??= [String(l.value), String(r.value)];
    }
  }
}

/** The first value that differs between two rows, as `"before" -> "after"`. */
function describeChange(example: [string, string] | undefined): string {
  if (example === undefined) return 'none';
  const before = example[0].split(',');
  const after = example[1].split(',');
  const column = before.findIndex((value, k) => value !== after[k]);
  return `${JSON.stringify(before[column])} -> ${JSON.stringify(after[column])}`;
}

/** The hand-written alternative: node:readline on both files, string concatenation, no validation. */
async function readlineMerge(xPath: string, yPath: string, outPath: string): Promise<number> {
  const started = process.hrtime.bigint();
  const xs = createInterface({ input: createReadStream(xPath, { highWaterMark: CHUNK }) })[
    Symbol.asyncIterator
  ]();
  const ys = createInterface({ input: createReadStream(yPath, { highWaterMark: CHUNK }) })[
    Symbol.asyncIterator
  ]();
  const out = createWriteStream(outPath, { highWaterMark: CHUNK });
  let pending = '';
  for (;;) {
    const [x, y] = await Promise.all([xs.next(), ys.next()]);
    if (x.done || y.done) break;
    pending += `${y.value},${x.value}\n`;
    if (pending.length > CHUNK) {
      if (!out.write(pending)) await once(out, 'drain');
      pending = '';
    }
  }
  out.end(pending);
  await once(out, 'close');
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function findPandasPython(): { python: string; version: string } | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import pandas; print(pandas.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return undefined;
}

interface EngineRun {
  seconds: number;
  mergeSeconds: number;
  maxRssBytes: number;
}

async function runEngine(script: string, xPath: string, yPath: string, outDir: string): Promise<EngineRun> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir);
  const { seconds, stdout } = await timeProcess(process.execPath, [script, xPath, yPath, outDir]);
  const child = JSON.parse(stdout) as { seconds: number; maxRssBytes: number };
  return { seconds, mergeSeconds: child.seconds, maxRssBytes: child.maxRssBytes };
}

async function best<T extends { seconds: number }>(
  runs: number,
  once: () => Promise<T>,
): Promise<T & { worstRss?: number }> {
  let bestRun: T | undefined;
  for (let k = 0; k < runs; k += 1) {
    const run = await once();
    if (bestRun === undefined || run.seconds < bestRun.seconds) bestRun = run;
  }
  return bestRun as T;
}

/**
 * Times the merge engine file to file against `paste -d, y.csv x.csv` (no
 * quoting, no validation), a hand-written readline merge and the notebook's
 * pandas recipe on 1,000,000 rows x 20 float features; checks the engine's
 * output is byte-identical to paste's; reports the engine's peak RSS there
 * and at 10x the size. Engine runs are child processes (peak RSS of the
 * engine alone); the best of `runs` counts for the engine and paste.
 */
export async function run(options: MergeBenchOptions = {}): Promise<void> {
  const rows = options.rows ?? 1_000_000;
  const bigRows = options.bigRows ?? rows * 10;
  const runs = options.runs ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'sagedrop-merge-bench-'));
  try {
    const script = join(dir, 'merge-files.js');
    buildSync({
      entryPoints: [join(__dirname, 'support/merge-files.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      outfile: script,
      logLevel: 'warning',
    });
    const xPath = join(dir, 'x.csv');
    const yPath = join(dir, 'y.csv');
    await generate(xPath, yPath, rows, 20261125);
    print(
      `merge input: ${rows.toLocaleString('en')} rows x ${FEATURES} features (x ${mb(statSync(xPath).size)}, y ${mb(statSync(yPath).size)})`,
    );

    const engineOut = join(dir, 'engine');
    const engine = await best(runs, () => runEngine(script, xPath, yPath, engineOut));
    const pasteOut = join(dir, 'paste.csv');
    const paste = await best(runs, () => {
      rmSync(pasteOut, { force: true });
      return timeProcess('paste', ['-d,', yPath, xPath], pasteOut);
    });
    print(
      `merge engine (file to file, own process): ${engine.seconds.toFixed(2)} s best of ${runs} (${engine.mergeSeconds.toFixed(2)} s in the merge), peak RSS ${mb(engine.maxRssBytes)}`,
    );
    print(`merge paste -d, y.csv x.csv: ${paste.seconds.toFixed(2)} s best of ${runs}`);
    print(`merge engine/paste time: ${(engine.seconds / paste.seconds).toFixed(2)}x (goal <= 0.5x)`);
    const identical = await sameBytes(join(engineOut, 'train.csv'), pasteOut);
    print(`merge engine output == paste output byte for byte: ${identical ? 'yes' : 'NO'}`);
    rmSync(engineOut, { recursive: true, force: true });

    const readlineOut = join(dir, 'readline.csv');
    const readlineSeconds = await readlineMerge(xPath, yPath, readlineOut);
    print(
      `merge readline + string concat (hand-written, no validation, in-process): ${readlineSeconds.toFixed(2)} s, ${(readlineSeconds / engine.seconds).toFixed(1)}x the engine's time`,
    );
    rmSync(readlineOut, { force: true });
    print('merge CSV libraries: none is installed in node_modules, so none is timed');

    const pandas = findPandasPython();
    if (pandas === undefined) {
      print('merge pandas: skipped (no python3 with pandas found)');
    } else {
      const pandasOut = join(dir, 'pandas.csv');
      const result = await timeProcess(pandas.python, ['-c', PANDAS_SCRIPT, xPath, yPath, pandasOut]);
      const inner = JSON.parse(result.stdout) as { seconds: number; read: number; write: number };
      print(
        `merge pandas ${pandas.version} recipe: ${inner.seconds.toFixed(2)} s (read ${inner.read.toFixed(2)} s, concat + to_csv ${inner.write.toFixed(2)} s; ${result.seconds.toFixed(2)} s with interpreter start)`,
      );
      print(`merge pandas/engine time: ${(inner.seconds / engine.seconds).toFixed(1)}x faster (goal >= 25x)`);
      const diff = await differingLines(pasteOut, pandasOut);
      print(
        diff.count === 0
          ? 'merge pandas output == paste output: yes'
          : `merge pandas output == paste output: no, ${diff.count.toLocaleString('en')} of ${rows.toLocaleString('en')} rows rewritten (e.g. ${describeChange(diff.example)})`,
      );
      rmSync(pandasOut, { force: true });
    }
    rmSync(pasteOut, { force: true });
    rmSync(xPath, { force: true });
    rmSync(yPath, { force: true });

    if (bigRows > 0) {
      const estimate = (statSync(script).size + 190 * bigRows) * 2.2;
      const stats = statfsSync(dir);
      const free = stats.bavail * stats.bsize;
      if (free < estimate) {
        print(
          `merge at ${bigRows.toLocaleString('en')} rows: skipped (${mb(free)} free in ${tmpdir()}, needs ${mb(estimate)})`,
        );
        return;
      }
      await generate(xPath, yPath, bigRows, 7);
      const big = await runEngine(script, xPath, yPath, engineOut);
      print(
        `merge engine at ${bigRows.toLocaleString('en')} rows (x ${mb(statSync(xPath).size)}): ${big.seconds.toFixed(2)} s, peak RSS ${mb(big.maxRssBytes)} (${mb(engine.maxRssBytes)} at ${rows.toLocaleString('en')} rows; goal <= 100 MB, not growing)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('merge.bench.ts')) {
  const rows = process.argv[2] ? Number(process.argv[2]) : undefined;
  void run({ rows, bigRows: process.argv[3] ? Number(process.argv[3]) : undefined });
}
