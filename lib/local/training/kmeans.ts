import {
  type RowBuffers,
  rowBuffers,
  type Seeding,
  seedKMeansPlusPlus,
  seedRandomRows,
  squaredDistance,
  squaredDistanceBelow,
} from './kmeans-seeding';
import type { TrainingProgress } from './linear-learner';
import type { Matrix } from './numeric-csv';
import { createRandom } from './random';

export interface KMeansOptions {
  k: number;
  /** Independent seedings; the run with the lowest inertia wins (scikit-learn's `n_init`). */
  restarts?: number;
  /** Lloyd iterations per restart at most. */
  maxIterations?: number;
  /** Stop when the squared centre shift summed over centres is below `tolerance` x the mean feature variance. */
  tolerance?: number;
  init?: 'kmeans++' | 'random';
  seed?: number;
}

export interface KMeansModel {
  k: number;
  dim: number;
  /** Row-major `k x dim`. */
  centroids: Float64Array;
  /** Sum of squared distances of the training rows to their nearest centroid. */
  inertia: number;
  /** Lloyd iterations of the winning restart. */
  iterations: number;
}

function meanVariance(matrix: Matrix): number {
  const { data, rows, cols: dim } = matrix;
  let total = 0;
  for (let j = 0; j < dim; j += 1) {
    let mean = 0;
    for (let i = 0; i < rows; i += 1) mean += data[i * dim + j] as number;
    mean /= rows;
    let variance = 0;
    for (let i = 0; i < rows; i += 1) {
      const diff = (data[i * dim + j] as number) - mean;
      variance += diff * diff;
    }
    total += variance / rows;
  }
  return total / dim;
}

/**
 * Lloyd's algorithm from `seeding` (it takes over the seeding's row arrays), accelerated with Hamerly's bounds: each
 * row keeps an upper bound on the distance to its centre and a lower bound on
 * the distance to any other, so most rows skip the distance computations once
 * centres settle. The result is the same as plain Lloyd's. Each iteration
 * reads the rows once: a row's sum is added to its centre's as soon as it is
 * assigned.
 */
export function lloyd(
  matrix: Matrix,
  k: number,
  seeding: Seeding,
  maxIterations: number,
  tolerance: number,
  buffers: RowBuffers = rowBuffers(matrix.rows),
): { centroids: Float64Array; inertia: number; iterations: number } {
  const { data, rows, cols: dim } = matrix;
  let centres = Float64Array.from(seeding.centres);
  let next = new Float64Array(k * dim);
  const assignment = seeding.nearest?.centre ?? buffers.nearest;
  const upper = seeding.nearest?.squared ?? buffers.squared;
  const lower = buffers.lower;
  const counts = new Float64Array(k);
  const shift = new Float64Array(k);
  const halfGap = new Float64Array(k);

  const assignFully = (i: number) => {
    let best = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    let bestCentre = 0;
    for (let c = 0; c < k; c += 1) {
      const d = squaredDistanceBelow(data, i, centres, c, dim, second);
      if (d < best) {
        second = best;
        best = d;
        bestCentre = c;
      } else if (d < second) {
        second = d;
      }
    }
    const changed = assignment[i] !== bestCentre;
    assignment[i] = bestCentre;
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(second);
    return changed;
  };
  const addRow = (i: number) => {
    const c = assignment[i] as number;
    counts[c] = (counts[c] as number) + 1;
    const a = i * dim;
    const b = c * dim;
    for (let j = 0; j < dim; j += 1) next[b + j] = (next[b + j] as number) + (data[a + j] as number);
  };

  if (seeding.nearest) {
    // The seeding measured every row against every seed: its nearest is exact, and 0 is a valid lower bound.
    lower.fill(0);
    for (let i = 0; i < rows; i += 1) {
      upper[i] = Math.sqrt(upper[i] as number);
      addRow(i);
    }
  } else {
    for (let i = 0; i < rows; i += 1) {
      assignFully(i);
      addRow(i);
    }
  }
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations += 1;
    relocateEmptyClusters(matrix, k, assignment, upper, lower, counts, next);
    let totalShift = 0;
    let largestShift = 0;
    let secondShift = 0;
    let largestCentre = -1;
    for (let c = 0; c < k; c += 1) {
      const count = counts[c] as number;
      let squared = 0;
      for (let j = 0; j < dim; j += 1) {
        const value = count > 0 ? (next[c * dim + j] as number) / count : (centres[c * dim + j] as number);
        next[c * dim + j] = value;
        const diff = value - (centres[c * dim + j] as number);
        squared += diff * diff;
      }
      totalShift += squared;
      const distance = Math.sqrt(squared);
      shift[c] = distance;
      if (distance > largestShift) {
        secondShift = largestShift;
        largestShift = distance;
        largestCentre = c;
      } else if (distance > secondShift) {
        secondShift = distance;
      }
    }
    [centres, next] = [next, centres];
    for (let c = 0; c < k; c += 1) {
      let nearest = Number.POSITIVE_INFINITY;
      for (let other = 0; other < k; other += 1) {
        if (other === c) continue;
        const d = squaredDistance(centres, c, centres, other, dim);
        if (d < nearest) nearest = d;
      }
      halfGap[c] = Math.sqrt(nearest) / 2;
    }
    next.fill(0);
    counts.fill(0);
    let changes = 0;
    for (let i = 0; i < rows; i += 1) {
      const c = assignment[i] as number;
      upper[i] = (upper[i] as number) + (shift[c] as number);
      lower[i] = (lower[i] as number) - (c === largestCentre ? secondShift : largestShift);
      const bound = Math.max(halfGap[c] as number, lower[i] as number);
      if ((upper[i] as number) > bound) {
        upper[i] = Math.sqrt(squaredDistance(data, i, centres, c, dim));
        if ((upper[i] as number) > bound && assignFully(i)) changes += 1;
      }
      addRow(i);
    }
    // Every row is now assigned to its nearest centre: stop when none moved, or when the centres barely did.
    if (changes === 0 || totalShift <= tolerance) break;
  }
  let inertia = 0;
  for (let i = 0; i < rows; i += 1)
    inertia += squaredDistance(data, i, centres, assignment[i] as number, dim);
  return { centroids: centres, inertia, iterations };
}

/**
 * An empty cluster takes the row farthest from its own centre (as
 * scikit-learn does), so `k` centres always describe `k` groups of rows.
 */
function relocateEmptyClusters(
  matrix: Matrix,
  k: number,
  assignment: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
  counts: Float64Array,
  sums: Float64Array,
): void {
  const { data, rows, cols: dim } = matrix;
  for (let c = 0; c < k; c += 1) {
    if ((counts[c] as number) > 0) continue;
    let far = -1;
    let farDistance = -1;
    for (let i = 0; i < rows; i += 1) {
      if ((counts[assignment[i] as number] as number) > 1 && (upper[i] as number) > farDistance) {
        farDistance = upper[i] as number;
        far = i;
      }
    }
    if (far < 0) return;
    const from = assignment[far] as number;
    for (let j = 0; j < dim; j += 1) {
      const value = data[far * dim + j] as number;
      sums[from * dim + j] = (sums[from * dim + j] as number) - value;
      sums[c * dim + j] = value;
    }
    counts[from] = (counts[from] as number) - 1;
    counts[c] = 1;
    assignment[far] = c;
    upper[far] = 0;
    lower[far] = 0;
  }
}

/** What the restarts run: each its own seeded generator, and Lloyd's settings. */
export interface KMeansPlan {
  k: number;
  init: 'kmeans++' | 'random';
  /** One generator seed per restart, drawn in order from `seed`: restarts depend on nothing else. */
  restartSeeds: number[];
  maxIterations: number;
  /** Absolute: the relative tolerance times the mean feature variance. */
  tolerance: number;
}

/**
 * Validates the options and gives every restart a generator seed of its own,
 * so the restarts are independent of each other and of the order (or the
 * thread) they run in.
 */
export function planKMeans(matrix: Matrix, options: KMeansOptions): KMeansPlan {
  const { k } = options;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (matrix.rows < k) throw new RangeError(`k=${k} is more than the ${matrix.rows} rows to cluster`);
  const restarts = options.restarts ?? 10;
  if (restarts < 1) throw new RangeError('restarts must be at least 1');
  const random = createRandom(options.seed ?? 0);
  return {
    k,
    init: options.init ?? 'kmeans++',
    restartSeeds: Array.from({ length: restarts }, () => Math.floor(random() * 4294967296)),
    maxIterations: options.maxIterations ?? 300,
    tolerance: (options.tolerance ?? 1e-4) * meanVariance(matrix),
  };
}

/** Restart `index` of `plan`: its seeding, then Lloyd's iterations. */
export function runRestart(
  matrix: Matrix,
  plan: KMeansPlan,
  index: number,
  buffers: RowBuffers = rowBuffers(matrix.rows),
): { centroids: Float64Array; inertia: number; iterations: number } {
  const random = createRandom(plan.restartSeeds[index] ?? 0);
  const seeding =
    plan.init === 'random'
      ? seedRandomRows(matrix, plan.k, random)
      : seedKMeansPlusPlus(matrix, plan.k, random, buffers);
  return lloyd(matrix, plan.k, seeding, plan.maxIterations, plan.tolerance, buffers);
}

/** The restart with the lowest inertia; the earliest one on a tie, as when they run one after another. */
export function bestRestart(
  plan: KMeansPlan,
  dim: number,
  runs: { centroids: Float64Array; inertia: number; iterations: number }[],
): KMeansModel {
  let best: KMeansModel | undefined;
  for (const run of runs) {
    if (!best || run.inertia < best.inertia) best = { k: plan.k, dim, ...run };
  }
  if (!best) throw new RangeError('restarts must be at least 1');
  return best;
}

/**
 * Clusters the rows of `matrix` into `k` groups: `restarts` seedings
 * (k-means++ by default), each refined by Lloyd's algorithm, keeping the
 * lowest inertia. Deterministic for a given `seed`. `fitKMeansInParallel`
 * gives the same model using worker threads.
 */
export function fitKMeans(
  matrix: Matrix,
  options: KMeansOptions,
  onProgress?: TrainingProgress,
): KMeansModel {
  const plan = planKMeans(matrix, options);
  const buffers = rowBuffers(matrix.rows);
  const runs = plan.restartSeeds.map((_, index) => {
    const run = runRestart(matrix, plan, index, buffers);
    onProgress?.(index + 1, plan.restartSeeds.length, 'restarts');
    return run;
  });
  return bestRestart(plan, matrix.cols, runs);
}

/** Sum of squared distances of each row of `matrix` to its nearest centroid of `model`. */
export function sumOfSquaredDistances(model: Pick<KMeansModel, 'k' | 'centroids'>, matrix: Matrix): number {
  let total = 0;
  for (let i = 0; i < matrix.rows; i += 1) {
    let best = Number.POSITIVE_INFINITY;
    for (let c = 0; c < model.k; c += 1) {
      const d = squaredDistance(matrix.data, i, model.centroids, c, matrix.cols);
      if (d < best) best = d;
    }
    total += best;
  }
  return total;
}
