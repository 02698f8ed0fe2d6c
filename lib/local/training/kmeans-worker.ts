/**
 * A worker thread of `fitKMeansInParallel`: takes the next restart from the
 * shared counter (seeding and Lloyd's algorithm) until none is left, over the
 * matrix the parent shares (no copy), and posts each result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type KMeansPlan, runRestart } from './kmeans';
import { rowBuffers } from './kmeans-seeding';

/** What the parent gives every worker. */
export interface KMeansWorkerData {
  shared: SharedArrayBuffer;
  rows: number;
  cols: number;
  plan: KMeansPlan;
  /** One Int32: the index of the next restart nobody has taken. */
  counter: SharedArrayBuffer;
}

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
  const counter = new Int32Array(setup.counter);
  const restarts = setup.plan.restartSeeds.length;
  const buffers = rowBuffers(matrix.rows);
  for (let index = Atomics.add(counter, 0, 1); index < restarts; index = Atomics.add(counter, 0, 1)) {
    port.postMessage({ index, ...runRestart(matrix, setup.plan, index, buffers) } satisfies KMeansResult);
  }
}
