import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { readDefaults } from '../lib/settings/config';
import { runManifestSchema } from '../lib/training/manifest';
import { type ChannelFiles, checkChannels, FEATURES, fileSize, generate, mb } from './support/merge-data';
import { print } from './support/print';
import { findPython, type ProcessRun, repeat, spread, timeProcess } from './support/processes';
import { sameBytes } from './support/same-bytes';

/** Sizes and repetitions; the defaults are what `npm run bench` measures. */
export interface MergeBenchOptions {
  /** Rows of the main comparison (20 float features each, about 190 bytes per row). */
  rows?: number;
  /** Times the size of the main comparison for the memory check at scale; 0 skips it. */
  scale?: number;
  /** Runs of sagedrop and of paste; the best time counts (the machine may be busy). */
  runs?: number;
}

const SAGEDROP = join(__dirname, '../bin/sagedrop.cjs');
const GOAL_PASTE_RATIO = 0.5;
const GOAL_PANDAS_SPEEDUP = 25;
const GOAL_RSS = 100 * 1024 * 1024;
/** "Flat": at 10x the input, at most this much more peak RSS. */
const FLAT_RSS_SLACK = 10 * 1024 * 1024;

/** The notebook route: concat, two train_test_split calls for 70/20/10, three to_csv. */
const PANDAS_SCRIPT = `
import sys, time, json, os
import pandas as pd
from sklearn.model_selection import train_test_split
started = time.perf_counter()
x = pd.read_csv(sys.argv[1], header=None)
y = pd.read_csv(sys.argv[2], header=None)
read = time.perf_counter()
data = pd.concat([y, x], axis=1)
train, rest = train_test_split(data, test_size=0.3, random_state=0)
validation, test = train_test_split(rest, test_size=1/3, random_state=0)
split = time.perf_counter()
out = sys.argv[3]
train.to_csv(os.path.join(out, "train.csv"), header=False, index=False)
validation.to_csv(os.path.join(out, "validation.csv"), header=False, index=False)
test.to_csv(os.path.join(out, "test.csv"), header=False, index=False)
done = time.perf_counter()
print(json.dumps({"seconds": done - started, "read": read - started, "split": split - read, "write": done - split}))
`;

function verdict(met: boolean): string {
  return met ? 'met' : 'NOT MET';
}

/** `sagedrop merge --x --y --out` as a user runs it (default settings: all channels), in its own process. */
function sagedropMerge(xPath: string, yPath: string, outDir: string): Promise<ProcessRun> {
  rmSync(outDir, { recursive: true, force: true });
  return timeProcess('sagedrop', [SAGEDROP, 'merge', '--x', xPath, '--y', yPath, '--out', outDir], {
    node: true,
  });
}

/** The channel files (parts, when sharded) of the one run `sagedrop merge` wrote under `outDir`, from its manifest. */
function channelFiles(outDir: string): ChannelFiles {
  const datasetDir = join(outDir, 'train', 'default');
  const runs = readdirSync(datasetDir).filter((name) => !name.startsWith('_'));
  if (runs.length !== 1) throw new Error(`expected one run under ${datasetDir}, found ${runs.length}`);
  const manifest = runManifestSchema.parse(
    JSON.parse(readFileSync(join(datasetDir, runs[0] as string, 'manifest.json'), 'utf8')),
  );
  const path = (key: string) => join(outDir, ...key.split('/'));
  const files = (name: 'train' | 'validation' | 'test') => (manifest.channels[name]?.files ?? []).map(path);
  return {
    train: files('train'),
    validation: files('validation'),
    test: files('test'),
    testLabels: manifest.testLabels === undefined ? undefined : path(manifest.testLabels),
  };
}

async function concatenate(source: string, target: string, times: number): Promise<void> {
  const out = createWriteStream(target, { highWaterMark: 1024 * 1024 });
  for (let k = 0; k < times; k += 1) {
    for await (const chunk of createReadStream(source, { highWaterMark: 1024 * 1024 })) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'close');
}

/** The engine alone, file to file, without the split (one output): a detail beside the user path. */
async function engineWithoutSplit(
  dir: string,
  xPath: string,
  yPath: string,
  pasteOut: string,
  runs: number,
): Promise<void> {
  const script = join(dir, 'merge-files.js');
  buildSync({
    entryPoints: [join(__dirname, 'support/merge-files.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: script,
    logLevel: 'warning',
  });
  const outDir = join(dir, 'engine');
  const engine = await repeat(runs, () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir);
    return timeProcess('engine', [script, xPath, yPath, outDir], { node: true });
  });
  const inner = JSON.parse(engine.best.stdout) as { seconds: number };
  print(
    `detail: engine alone without the split (file to file, one output, bundled): ${spread(engine)} (${inner.seconds.toFixed(2)} s in the merge), peak RSS ${mb(engine.best.maxRssBytes ?? 0)}; output == paste byte for byte: ${(await sameBytes(join(outDir, 'train.csv'), pasteOut)) ? 'yes' : 'NO'}`,
  );
  rmSync(outDir, { recursive: true, force: true });
}

/**
 * The merge as users run it: `sagedrop merge --x --y --out` with default
 * settings (train, validation, test and test labels written) on 1,000,000
 * rows x 20 float features, against `paste -d, y.csv x.csv` (joins only: no
 * validation, no split) and the notebook route in pandas (concat, two
 * train_test_split, three to_csv). Checks the channels hold exactly the input
 * rows; reports peak RSS there and at 10x the size; prints each goal as met
 * or not met. Processes run one at a time; the best of `runs` counts.
 */
export async function run(options: MergeBenchOptions = {}): Promise<void> {
  const rows = options.rows ?? 1_000_000;
  const scale = options.scale ?? 10;
  const runs = options.runs ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'sagedrop-merge-bench-'));
  const defaults = readDefaults({});
  try {
    const xPath = join(dir, 'x.csv');
    const yPath = join(dir, 'y.csv');
    await generate(xPath, yPath, rows, 20261125);
    print(
      `merge input: ${rows.toLocaleString('en')} rows x ${FEATURES} features (x ${mb(fileSize(xPath))}, y ${mb(fileSize(yPath))}); the machine may be shared: best and spread of ${runs} runs`,
    );
    const outDir = join(dir, 'out');
    // A first start after a change to the sources builds the CLI bundle: not part of a timed run.
    await timeProcess('sagedrop', [SAGEDROP, '--version'], { node: true });
    const sagedrop = await repeat(runs, () => sagedropMerge(xPath, yPath, outDir));
    const pasteOut = join(dir, 'paste.csv');
    const paste = await repeat(runs, () =>
      timeProcess('paste', ['-d,', yPath, xPath], { stdoutPath: pasteOut }),
    );
    const rss = sagedrop.best.maxRssBytes ?? Number.NaN;
    print(
      `merge sagedrop merge --x --y --out (default settings, all channels): ${spread(sagedrop)}, peak RSS ${mb(rss)}`,
    );
    print(`merge paste -d, y.csv x.csv (joins only): ${spread(paste)}`);
    const mismatch = checkChannels(pasteOut, channelFiles(outDir), {
      seed: 'sagedrop',
      testFraction: defaults.testFraction,
      validationFraction: defaults.validationFraction,
    });
    print(
      `merge channels hold exactly the input rows, split as seeded: ${mismatch === undefined ? 'yes' : `NO (${mismatch})`}`,
    );
    rmSync(outDir, { recursive: true, force: true });

    const pasteRatio = sagedrop.best.seconds / paste.best.seconds;
    const goals: string[] = [
      `goal sagedrop merge <= ${GOAL_PASTE_RATIO}x paste's time: ${pasteRatio.toFixed(2)}x: ${verdict(pasteRatio <= GOAL_PASTE_RATIO)}`,
    ];
    const pandas = findPython(['sklearn']);
    if (pandas === undefined) {
      print(
        'merge pandas notebook route: skipped (no python3 with pandas and scikit-learn; apt-get install python3-pandas python3-sklearn)',
      );
      goals.push(`goal >= ${GOAL_PANDAS_SPEEDUP}x faster than pandas: not measured (pandas missing)`);
    } else {
      const pandasDir = join(dir, 'pandas');
      rmSync(pandasDir, { recursive: true, force: true });
      mkdirSync(pandasDir);
      const result = await timeProcess(pandas.python, ['-c', PANDAS_SCRIPT, xPath, yPath, pandasDir]);
      const inner = JSON.parse(result.stdout) as {
        seconds: number;
        read: number;
        split: number;
        write: number;
      };
      print(
        `merge pandas ${pandas.version} notebook route (read_csv x2, concat, train_test_split x2, to_csv x3): ${inner.seconds.toFixed(2)} s (read ${inner.read.toFixed(2)}, concat + split ${inner.split.toFixed(2)}, write ${inner.write.toFixed(2)}; ${result.seconds.toFixed(2)} s with interpreter start)`,
      );
      const speedup = inner.seconds / sagedrop.best.seconds;
      goals.push(
        `goal >= ${GOAL_PANDAS_SPEEDUP}x faster than pandas: ${speedup.toFixed(1)}x: ${verdict(speedup >= GOAL_PANDAS_SPEEDUP)}`,
      );
      rmSync(pandasDir, { recursive: true, force: true });
    }
    goals.push(`goal peak RSS <= ${mb(GOAL_RSS)}: ${mb(rss)}: ${verdict(rss <= GOAL_RSS)}`);

    await engineWithoutSplit(dir, xPath, yPath, pasteOut, runs);
    rmSync(pasteOut, { force: true });

    if (scale > 0) {
      const needed = (fileSize(xPath) + fileSize(yPath)) * scale * 2.1;
      const stats = statfsSync(dir);
      const free = stats.bavail * stats.bsize;
      if (free < needed) {
        print(`merge at ${scale}x: skipped (${mb(free)} free in ${tmpdir()}, needs ${mb(needed)})`);
        goals.push('goal peak RSS flat at 10x: not measured (disk space)');
      } else {
        const bigX = join(dir, 'x-big.csv');
        const bigY = join(dir, 'y-big.csv');
        await concatenate(xPath, bigX, scale);
        await concatenate(yPath, bigY, scale);
        const big = await sagedropMerge(bigX, bigY, outDir);
        const bigRss = big.maxRssBytes ?? Number.NaN;
        print(
          `merge sagedrop merge at ${scale}x (${(rows * scale).toLocaleString('en')} rows, x ${mb(fileSize(bigX))}): ${big.seconds.toFixed(2)} s, peak RSS ${mb(bigRss)}`,
        );
        const flat = bigRss <= GOAL_RSS && bigRss <= rss + FLAT_RSS_SLACK;
        goals.push(
          `goal peak RSS flat at ${scale}x (<= ${mb(GOAL_RSS)}, within ${mb(FLAT_RSS_SLACK)} of 1x): ${mb(bigRss)}: ${verdict(flat)}`,
        );
      }
    }
    for (const goal of goals) print(`merge ${goal}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('merge.bench.ts')) {
  const rows = process.argv[2] ? Number(process.argv[2]) : undefined;
  void run({ rows, scale: process.argv[3] ? Number(process.argv[3]) : undefined });
}
