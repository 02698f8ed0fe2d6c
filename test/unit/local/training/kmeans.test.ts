import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitKMeans, lloyd } from '../../../../lib/local/training/kmeans';
import { seedKMeansPlusPlus, seedRandomRows } from '../../../../lib/local/training/kmeans-seeding';
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

function squared(matrix: Matrix, row: number, centres: Float64Array, centre: number): number {
  let sum = 0;
  for (let j = 0; j < matrix.cols; j += 1) {
    const diff =
      (matrix.data[row * matrix.cols + j] as number) - (centres[centre * matrix.cols + j] as number);
    sum += diff * diff;
  }
  return sum;
}

/** Each row's nearest centre, the first on a tie, and the squared distance to it: measured against every centre. */
function nearestOf(
  matrix: Matrix,
  centres: Float64Array,
  k: number,
): { centre: number[]; squared: number[] } {
  const centre: number[] = [];
  const distances: number[] = [];
  for (let i = 0; i < matrix.rows; i += 1) {
    let best = 0;
    for (let c = 1; c < k; c += 1)
      if (squared(matrix, i, centres, c) < squared(matrix, i, centres, best)) best = c;
    centre.push(best);
    distances.push(squared(matrix, i, centres, best));
  }
  return { centre, squared: distances };
}

/** Textbook Lloyd's: assign every row to its nearest centre, move each centre to its rows' mean, until no row moves. */
function plainLloyd(matrix: Matrix, k: number, initial: Float64Array): Float64Array {
  const centres = Float64Array.from(initial);
  let assignment = nearestOf(matrix, centres, k).centre;
  for (;;) {
    const sums = new Float64Array(k * matrix.cols);
    const counts = new Float64Array(k);
    for (let i = 0; i < matrix.rows; i += 1) {
      const c = assignment[i] as number;
      counts[c] = (counts[c] as number) + 1;
      for (let j = 0; j < matrix.cols; j += 1) {
        sums[c * matrix.cols + j] =
          (sums[c * matrix.cols + j] as number) + (matrix.data[i * matrix.cols + j] as number);
      }
    }
    for (let c = 0; c < k; c += 1) {
      for (let j = 0; j < matrix.cols; j += 1)
        centres[c * matrix.cols + j] = (sums[c * matrix.cols + j] as number) / (counts[c] as number);
    }
    const next = nearestOf(matrix, centres, k).centre;
    if (next.every((c, i) => c === assignment[i])) return centres;
    assignment = next;
  }
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

describe('lloyd', () => {
  it.each([
    ['k-means++', seedKMeansPlusPlus],
    ['random rows', seedRandomRows],
  ])("reaches exactly the centres of textbook Lloyd's from %s seeds, and their inertia", async (_, seed) => {
    const matrix = await blobs();
    for (const k of [2, 5, 9]) {
      const seeding = seed(matrix, k, createRandom(k));
      const expected = plainLloyd(matrix, k, seeding.centres);
      const model = lloyd(matrix, k, seeding, 300, 0);
      expect(Array.from(model.centroids)).toEqual(Array.from(expected));
      const { squared: distances } = nearestOf(matrix, expected, k);
      expect(model.inertia).toBeCloseTo(
        distances.reduce((a, b) => a + b, 0),
        6,
      );
    }
  });
});

describe('seedKMeansPlusPlus', () => {
  it("tells each row's nearest seed (the first on a tie) and the squared distance to it", async () => {
    const rows = [
      [0, 0],
      [2, 0],
      [1, 0],
      [1, 0],
      [5, 5],
      [2, 0],
      [9, 1],
      [1, 1],
    ];
    for (const matrix of [matrixOf(rows), await blobs()]) {
      for (const k of [1, 3, 6]) {
        const seeding = seedKMeansPlusPlus(matrix, k, createRandom(k + 1));
        const expected = nearestOf(matrix, seeding.centres, k);
        expect(Array.from(seeding.nearest?.centre ?? [])).toEqual(expected.centre);
        expect(Array.from(seeding.nearest?.squared ?? [])).toEqual(expected.squared);
      }
    }
  });

  it('picks seeds from distinct groups of the data', () => {
    const rows: number[][] = [];
    for (const centre of [0, 1000, 2000, 3000]) {
      for (let i = 0; i < 100; i += 1) rows.push([centre + (i % 10) / 10]);
    }
    const seeds = seedKMeansPlusPlus(matrixOf(rows), 4, createRandom(9)).centres;
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
    const seeds = seedKMeansPlusPlus(matrix, 2, createRandom(2)).centres;
    const rows = new Set(['1,2', '3,4', '5,6', '7,8']);
    expect(rows.has(`${seeds[0]},${seeds[1]}`)).toBe(true);
    expect(rows.has(`${seeds[2]},${seeds[3]}`)).toBe(true);
  });
});
