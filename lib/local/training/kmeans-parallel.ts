import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { bestRestart, fitKMeans, type KMeansModel, type KMeansOptions, planKMeans } from './kmeans';
import type { KMeansResult, KMeansTask, KMeansWorkerData } from './kmeans-worker';
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

/**
 * `fitKMeans` with its restarts (seeding and Lloyd's iterations) spread over
 * worker threads, one per core and at most one per restart: every restart has
 * its own seeded generator, so the model is the same as `fitKMeans` gives, in
 * less time. Problems under `minWork` row x centre x feature x restart
 * operations run in this thread.
 */
export async function fitKMeansInParallel(
  matrix: Matrix,
  options: KMeansOptions,
  threads: { count?: number; minWork?: number } = {},
  onProgress?: TrainingProgress,
): Promise<KMeansModel> {
  const plan = planKMeans(matrix, options);
  const restarts = plan.restartSeeds.length;
  const work = matrix.rows * matrix.cols * plan.k * restarts;
  const workers = Math.min(threads.count ?? availableParallelism(), restarts);
  if (workers < 2 || work < (threads.minWork ?? PARALLEL_WORK)) return fitKMeans(matrix, options, onProgress);

  const shared = new SharedArrayBuffer(matrix.rows * matrix.cols * Float64Array.BYTES_PER_ELEMENT);
  new Float64Array(shared).set(matrix.data.subarray(0, matrix.rows * matrix.cols));
  const setup: KMeansWorkerData = { shared, rows: matrix.rows, cols: matrix.cols, plan };
  const results: KMeansResult[] = [];
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      const give = (worker: Worker) => {
        const index = next;
        next += 1;
        worker.postMessage((index < restarts ? index : null) satisfies KMeansTask);
      };
      for (let w = 0; w < workers; w += 1) {
        const worker = new Worker(workerSource(), { eval: true, workerData: setup });
        pool.push(worker);
        worker.on('message', (result: KMeansResult) => {
          results.push(result);
          onProgress?.(results.length, restarts, 'restarts');
          if (results.length === restarts) resolve();
          else give(worker);
        });
        worker.on('error', reject);
        worker.on('exit', (code) => {
          if (code !== 0) reject(new Error(`a k-means worker thread exited with code ${code}`));
        });
        give(worker);
      }
    });
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
  results.sort((a, b) => a.index - b.index);
  return bestRestart(plan, matrix.cols, results);
}
