import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitKMeans } from '../../../../lib/local/training/kmeans';
import { seedKMeansPlusPlus } from '../../../../lib/local/training/kmeans-seeding';
import { type Matrix, readNumericCsv } from '../../../../lib/local/training/numeric-csv';
import { createRandom } from '../../../../lib/local/training/random';
import sklearn from '../../../fixtures/kmeans/sklearn.json';

const FIXTURES = join(__dirname, '../../../fixtures/kmeans');

async function blobs(): Promise<Matrix> {
  return readNumericCsv([{ name: 'blobs.csv', chunks: createReadStream(join(FIXTURES, 'blobs.csv')) }]);
}

function matrixOf(rows: number[][]): Matrix {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]?.length ?? 0 };
}

describe('fitKMeans', () => {
  const cases = Object.entries(sklearn.k).map(([k, expected]) => ({
    k: Number(k),
    inertia: expected.inertia,
  }));
  it.each(cases)('reaches an inertia within 1 percent of scikit-learn for k=$k', async ({ k, inertia }) => {
    const matrix = await blobs();
    expect(matrix.rows).toBe(sklearn.rows);
    const model = fitKMeans(matrix, { k, seed: 0 });
    expect(model.inertia).toBeLessThanOrEqual(inertia * 1.01);
  });

  it('returns exactly k centroids of the data dimension', async () => {
    const matrix = await blobs();
    const model = fitKMeans(matrix, { k: 5, restarts: 2 });
    expect(model.k).toBe(5);
    expect(model.dim).toBe(6);
    expect(model.centroids).toHaveLength(30);
    expect(model.centroids.every(Number.isFinite)).toBe(true);
  });

  it('gives the same model for the same seed', async () => {
    const matrix = await blobs();
    const a = fitKMeans(matrix, { k: 4, restarts: 2, seed: 3 });
    const b = fitKMeans(matrix, { k: 4, restarts: 2, seed: 3 });
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
  });

  it('finds the centres of well separated groups from a single k-means++ seeding', () => {
    const rows: number[][] = [];
    const centres = [
      [0, 0],
      [100, 0],
      [0, 100],
    ];
    const random = createRandom(1);
    for (const [x = 0, y = 0] of centres) {
      for (let i = 0; i < 50; i += 1) rows.push([x + random() - 0.5, y + random() - 0.5]);
    }
    const model = fitKMeans(matrixOf(rows), { k: 3, restarts: 1, seed: 5 });
    const found = [0, 1, 2]
      .map((c) => [
        Math.round(model.centroids[c * 2] ?? -1) + 0,
        Math.round(model.centroids[c * 2 + 1] ?? -1) + 0,
      ])
      .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
    expect(found).toEqual([
      [0, 0],
      [0, 100],
      [100, 0],
    ]);
  });

  it('keeps every cluster non-empty when k equals the number of distinct rows', () => {
    const model = fitKMeans(matrixOf([[0], [0], [1], [2], [2]]), { k: 3, restarts: 3 });
    const centres = Array.from(model.centroids).sort();
    expect(centres).toEqual([0, 1, 2]);
    expect(model.inertia).toBe(0);
  });

  it('refuses k larger than the number of rows', () => {
    expect(() => fitKMeans(matrixOf([[1], [2]]), { k: 3 })).toThrow(/more than the 2 rows/);
  });
});

describe('seedKMeansPlusPlus', () => {
  it('picks seeds from distinct groups of the data', () => {
    const rows: number[][] = [];
    for (const centre of [0, 1000, 2000, 3000]) {
      for (let i = 0; i < 100; i += 1) rows.push([centre + (i % 10) / 10]);
    }
    const seeds = seedKMeansPlusPlus(matrixOf(rows), 4, createRandom(9));
    const groups = new Set(Array.from(seeds, (v) => Math.round(v / 1000)));
    expect(groups).toEqual(new Set([0, 1, 2, 3]));
  });

  it('draws each seed from the data rows', () => {
    const matrix = matrixOf([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ]);
    const seeds = seedKMeansPlusPlus(matrix, 2, createRandom(2));
    const rows = new Set(['1,2', '3,4', '5,6', '7,8']);
    expect(rows.has(`${seeds[0]},${seeds[1]}`)).toBe(true);
    expect(rows.has(`${seeds[2]},${seeds[3]}`)).toBe(true);
  });
});
