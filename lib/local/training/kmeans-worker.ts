/**
 * A worker thread of `fitKMeansInParallel`: runs the restarts it is sent
 * (seeding and Lloyd's algorithm), over the matrix the parent shares (no copy).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type KMeansPlan, runRestart } from './kmeans';

/** What the parent gives every worker once. */
export interface KMeansWorkerData {
  shared: SharedArrayBuffer;
  rows: number;
  cols: number;
  plan: KMeansPlan;
}

/** The index of a restart to run, or `null`: no more work. */
export type KMeansTask = number | null;

export interface KMeansResult {
  index: number;
  centroids: Float64Array;
  inertia: number;
  iterations: number;
}

const port = parentPort;
if (port) {
  const setup = workerData as KMeansWorkerData;
  const matrix = { data: new Float64Array(setup.shared), rows: setup.rows, cols: setup.cols };
  port.on('message', (task: KMeansTask) => {
    if (task === null) {
      port.close();
      return;
    }
    const run = runRestart(matrix, setup.plan, task);
    port.postMessage({ index: task, ...run } satisfies KMeansResult);
  });
}
