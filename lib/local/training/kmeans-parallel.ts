import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  bestRestart,
  fitKMeans,
  type KMeansModel,
  type KMeansOptions,
  planKMeans,
  runRestart,
} from './kmeans';
import { rowBuffers } from './kmeans-seeding';
import type { KMeansResult, KMeansWorkerData } from './kmeans-worker';
import type { TrainingProgress } from './linear-learner';
import type { Matrix } from './numeric-csv';

/**
 * Below this many row x centre x feature x restart operations, a worker's
 * start (it loads the TypeScript loader, about 0.1-0.3 s) costs more than it saves.
 */
const PARALLEL_WORK = 2e8;

/**
 * Worker threads run TypeScript through tsx (a runtime dependency): the same
 * path from the CLI, the tests and the demo. Resolved here, so it works
 * whatever the current directory.
 */
function workerSource(): string {
  const tsx = require.resolve('tsx/cjs');
  const entry = join(__dirname, 'kmeans-worker.ts');
  return `require(${JSON.stringify(tsx)}); require(${JSON.stringify(entry)});`;
}

/** `data` in memory that worker threads share: as it is when it already is, else copied once. */
function sharedData(matrix: Matrix): SharedArrayBuffer {
  const { data } = matrix;
  const length = matrix.rows * matrix.cols;
  if (data.buffer instanceof SharedArrayBuffer && data.byteOffset === 0 && data.length === length) {
    return data.buffer;
  }
  const shared = new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT);
  new Float64Array(shared).set(data.subarray(0, length));
  return shared;
}

/**
 * `fitKMeans` with its restarts (seeding and Lloyd's iterations) spread over
 * threads, one per core and at most one per restart: this thread and worker
 * threads take the next restart from a shared counter, so no thread waits for
 * another, and this one starts while the workers load. Every restart has its
 * own seeded generator, so the model is the same as `fitKMeans` gives, in
 * less time. Problems under `minWork` row x centre x feature x restart
 * operations run in this thread only; `inThisThread: false` leaves every
 * restart to the workers.
 */
export async function fitKMeansInParallel(
  matrix: Matrix,
  options: KMeansOptions,
  threads: { count?: number; minWork?: number; inThisThread?: boolean } = {},
  onProgress?: TrainingProgress,
): Promise<KMeansModel> {
  const plan = planKMeans(matrix, options);
  const restarts = plan.restartSeeds.length;
  const work = matrix.rows * matrix.cols * plan.k * restarts;
  const inThisThread = threads.inThisThread ?? true;
  const count = Math.min(threads.count ?? availableParallelism(), restarts);
  const workers = inThisThread ? count - 1 : count;
  if (count < 2 || work < (threads.minWork ?? PARALLEL_WORK)) return fitKMeans(matrix, options, onProgress);

  const counter = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const setup: KMeansWorkerData = {
    shared: sharedData(matrix),
    rows: matrix.rows,
    cols: matrix.cols,
    plan,
    counter: counter.buffer as SharedArrayBuffer,
  };
  const results: KMeansResult[] = [];
  const pool: Worker[] = [];
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Awaited below; a failure while this thread computes must not count as unhandled meanwhile.
  finished.catch(() => undefined);
  const record = (result: KMeansResult) => {
    results.push(result);
    onProgress?.(results.length, restarts, 'restarts');
    if (results.length === restarts) settle?.resolve();
  };
  try {
    for (let w = 0; w < workers; w += 1) {
      const worker = new Worker(workerSource(), { eval: true, workerData: setup });
      pool.push(worker);
      worker.on('message', record);
      worker.on('error', (error) => settle?.reject(error));
      worker.on('exit', (code) => {
        if (code !== 0) settle?.reject(new Error(`a k-means worker thread exited with code ${code}`));
      });
    }
    if (inThisThread) {
      const buffers = rowBuffers(matrix.rows);
      for (let index = Atomics.add(counter, 0, 1); index < restarts; index = Atomics.add(counter, 0, 1)) {
        record({ index, ...runRestart(matrix, plan, index, buffers) });
      }
    }
    await finished;
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  results.sort((a, b) => a.index - b.index);
  return bestRestart(plan, matrix.cols, results);
}
