import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitKMeansInParallel } from '../lib/local/training/kmeans-parallel';
import type { Matrix } from '../lib/local/training/numeric-csv';
import { createRandom } from '../lib/local/training/random';
import { print } from './support/print';

const ROWS = 100_000;
const COLS = 20;
const K = 10;
const RESTARTS = 10;

/**
 * Gaussian blobs around K random centres, seeded: the same data on every run.
 * In shared memory, as the local trainer's `splitLabels` hands features to k-means.
 */
function blobs(rows: number, cols: number, centres: number, seed: number): Matrix {
  const random = createRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const means = Array.from({ length: centres * cols }, () => (random() * 2 - 1) * 10);
  const data = new Float64Array(new SharedArrayBuffer(rows * cols * Float64Array.BYTES_PER_ELEMENT));
  for (let i = 0; i < rows; i += 1) {
    const c = Math.floor(random() * centres);
    for (let j = 0; j < cols; j += 1) data[i * cols + j] = (means[c * cols + j] as number) + 3 * gaussian();
  }
  return { data, rows, cols };
}

const SKLEARN_SCRIPT = `
import sys, time, json
import numpy as np
from sklearn.cluster import KMeans
X = np.loadtxt(sys.argv[1], delimiter=",")
t = time.perf_counter()
km = KMeans(n_clusters=int(sys.argv[2]), init="k-means++", n_init=int(sys.argv[3]), random_state=0).fit(X)
print(json.dumps({"seconds": time.perf_counter() - t, "inertia": float(km.inertia_)}))
`;

function findSklearnPython(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3', 'python']) {
    const probe = spawnSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** Times local k-means against scikit-learn's KMeans on the same 100k x 20 data (k=10, 10 k-means++ restarts each). */
export async function run(): Promise<void> {
  const matrix = blobs(ROWS, COLS, K, 7);
  // What the local trainer runs: restarts in this thread and worker threads, one per core. Best of three (the machine may be shared).
  const times: number[] = [];
  let model: Awaited<ReturnType<typeof fitKMeansInParallel>> | undefined;
  for (let run = 0; run < 3; run += 1) {
    const started = process.hrtime.bigint();
    model = await fitKMeansInParallel(matrix, { k: K, restarts: RESTARTS, seed: 0 });
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  if (model === undefined) return;
  const localSeconds = Math.min(...times);
  print(
    `kmeans local (${availableParallelism()} threads): ${ROWS}x${COLS} k=${K} restarts=${RESTARTS}: ${localSeconds.toFixed(2)} s best of 3 (${localSeconds.toFixed(2)}-${Math.max(...times).toFixed(2)} s), inertia ${model.inertia.toFixed(1)}`,
  );
  const python = findSklearnPython();
  if (!python) {
    print('kmeans sklearn: skipped (no python3 with scikit-learn found)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sagedrop-bench-'));
  try {
    const file = join(dir, 'data.csv');
    const lines: string[] = [];
    for (let i = 0; i < ROWS; i += 1) {
      lines.push(Array.from(matrix.data.subarray(i * COLS, (i + 1) * COLS)).join(','));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = spawnSync(python, ['-c', SKLEARN_SCRIPT, file, String(K), String(RESTARTS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      // scikit-learn's KMeans uses OpenMP threads: as many as the local trainer's workers.
      env: { ...process.env, OMP_NUM_THREADS: String(availableParallelism()) },
    });
    if (result.status !== 0) {
      print(`kmeans sklearn: failed (${result.stderr.trim().split('\n').at(-1)})`);
      return;
    }
    const sklearn = JSON.parse(result.stdout) as { seconds: number; inertia: number };
    const ratio = localSeconds / sklearn.seconds;
    const inertiaDiff = ((model.inertia - sklearn.inertia) / sklearn.inertia) * 100;
    print(`kmeans sklearn: ${sklearn.seconds.toFixed(2)} s, inertia ${sklearn.inertia.toFixed(1)}`);
    print(
      `kmeans local/sklearn: time ratio ${ratio.toFixed(2)}x, inertia ${inertiaDiff >= 0 ? '+' : ''}${inertiaDiff.toFixed(3)}%`,
    );
    print(`kmeans goal inertia within 1% of scikit-learn's: ${inertiaDiff <= 1 ? 'met' : 'NOT MET'}`);
    print(`kmeans goal <= 2x scikit-learn's time: ${ratio.toFixed(2)}x: ${ratio <= 2 ? 'met' : 'NOT MET'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('kmeans.bench.ts')) void run();
