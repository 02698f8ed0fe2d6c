import { describe, expect, it } from 'vitest';
import { fitKMeans } from '../../../../lib/local/training/kmeans';
import { fitKMeansInParallel } from '../../../../lib/local/training/kmeans-parallel';
import { fitLinearLearner } from '../../../../lib/local/training/linear-learner';
import type { Matrix } from '../../../../lib/local/training/numeric-csv';
import { createRandom } from '../../../../lib/local/training/random';

function features(rows: number, cols: number): Matrix {
  const random = createRandom(5);
  return { data: Float64Array.from({ length: rows * cols }, () => random() * 4 - 2), rows, cols };
}

type Call = [done: number, total: number, unit: string];

describe('training progress', () => {
  it('a classifier reports each epoch once, in order, ending at the planned number', () => {
    const x = features(3000, 3);
    const labels = Float64Array.from({ length: 3000 }, (_, i) => ((x.data[i * 3] as number) > 0 ? 1 : 0));
    const calls: Call[] = [];
    fitLinearLearner(x, labels, {
      predictorType: 'binary_classifier',
      epochs: 4,
      miniBatchSize: 10,
      onProgress: (...call) => calls.push(call),
    });
    expect(calls).toEqual([
      [1, 4, 'epochs'],
      [2, 4, 'epochs'],
      [3, 4, 'epochs'],
      [4, 4, 'epochs'],
    ]);
  });

  it('k-means reports each restart, on one thread and in worker threads', async () => {
    const matrix = features(400, 2);
    const serial: Call[] = [];
    fitKMeans(matrix, { k: 3, restarts: 3, seed: 1 }, (...call) => serial.push(call));
    expect(serial).toEqual([
      [1, 3, 'restarts'],
      [2, 3, 'restarts'],
      [3, 3, 'restarts'],
    ]);
    const parallel: Call[] = [];
    await fitKMeansInParallel(matrix, { k: 3, restarts: 3, seed: 1 }, { count: 2, minWork: 0 }, (...call) =>
      parallel.push(call),
    );
    expect(parallel.map(([done]) => done)).toEqual([1, 2, 3]);
    expect(parallel.every(([, total, unit]) => total === 3 && unit === 'restarts')).toBe(true);
  });
});
