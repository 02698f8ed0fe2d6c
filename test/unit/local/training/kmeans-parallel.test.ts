import { describe, expect, it } from 'vitest';
import { fitKMeans } from '../../../../lib/local/training/kmeans';
import { fitKMeansInParallel } from '../../../../lib/local/training/kmeans-parallel';
import type { Matrix } from '../../../../lib/local/training/numeric-csv';
import { createRandom } from '../../../../lib/local/training/random';

function blobs(rows: number, cols: number, centres: number): Matrix {
  const random = createRandom(11);
  const means = Array.from({ length: centres * cols }, () => random() * 20);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i += 1) {
    const c = i % centres;
    for (let j = 0; j < cols; j += 1) data[i * cols + j] = (means[c * cols + j] as number) + random() - 0.5;
  }
  return { data, rows, cols };
}

describe('fitKMeansInParallel', () => {
  const matrix = blobs(2000, 4, 5);

  it.each([
    ['this thread and a worker thread', { count: 2, minWork: 0 }],
    ['two worker threads only', { count: 2, minWork: 0, inThisThread: false }],
  ])('finds exactly the model one thread finds, with the restarts in %s', async (_, threads) => {
    const options = { k: 5, restarts: 6, seed: 9 };
    const parallel = await fitKMeansInParallel(matrix, options, threads);
    const serial = fitKMeans(matrix, options);
    expect(parallel.inertia).toBe(serial.inertia);
    expect(parallel.iterations).toBe(serial.iterations);
    expect(Array.from(parallel.centroids)).toEqual(Array.from(serial.centroids));
  });

  it('reads features in shared memory as they are, and any other matrix through a copy', async () => {
    const options = { k: 4, restarts: 4, seed: 1 };
    const shared = new Float64Array(new SharedArrayBuffer(matrix.data.byteLength));
    shared.set(matrix.data);
    const fromShared = await fitKMeansInParallel({ ...matrix, data: shared }, options, {
      count: 2,
      minWork: 0,
      inThisThread: false,
    });
    const fromCopy = await fitKMeansInParallel(matrix, options, {
      count: 2,
      minWork: 0,
      inThisThread: false,
    });
    expect(Array.from(fromShared.centroids)).toEqual(Array.from(fromCopy.centroids));
    expect(Array.from(shared)).toEqual(Array.from(matrix.data));
  });

  it('finds the same model whatever the number of threads, random seeding too', async () => {
    const options = { k: 3, restarts: 5, seed: 2, init: 'random' as const };
    const two = await fitKMeansInParallel(matrix, options, { count: 2, minWork: 0 });
    const three = await fitKMeansInParallel(matrix, options, { count: 3, minWork: 0 });
    expect(Array.from(three.centroids)).toEqual(Array.from(two.centroids));
  });

  it('refuses a k larger than the rows before starting any thread', async () => {
    await expect(fitKMeansInParallel(blobs(3, 2, 1), { k: 4 }, { count: 2, minWork: 0 })).rejects.toThrow(
      /more than the 3 rows/,
    );
  });
});
