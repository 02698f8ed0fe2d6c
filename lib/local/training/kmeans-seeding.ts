import type { Matrix } from './numeric-csv';

/** Squared Euclidean distance between row `row` of `data` and row `centre` of `centres`. */
export function squaredDistance(
  data: Float64Array,
  row: number,
  centres: Float64Array,
  centre: number,
  dim: number,
) {
  let sum = 0;
  const a = row * dim;
  const b = centre * dim;
  for (let j = 0; j < dim; j += 1) {
    const diff = (data[a + j] as number) - (centres[b + j] as number);
    sum += diff * diff;
  }
  return sum;
}

/**
 * `squaredDistance`, or any value at least `limit` once the distance is known
 * to reach it: callers that only want distances below `limit` skip the rest.
 */
export function squaredDistanceBelow(
  data: Float64Array,
  row: number,
  centres: Float64Array,
  centre: number,
  dim: number,
  limit: number,
) {
  let sum = 0;
  const a = row * dim;
  const b = centre * dim;
  for (let j = 0; j < dim && sum < limit; j += 1) {
    const diff = (data[a + j] as number) - (centres[b + j] as number);
    sum += diff * diff;
  }
  return sum;
}

/**
 * Greedy k-means++ as scikit-learn seeds: each new centre is the best of
 * `2 + ln k` candidates drawn with probability proportional to the squared
 * distance to the nearest centre chosen so far.
 */
export function seedKMeansPlusPlus(matrix: Matrix, k: number, random: () => number): Float64Array {
  const { data, rows, cols: dim } = matrix;
  const centres = new Float64Array(k * dim);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.floor(random() * rows);
  centres.set(data.subarray(first * dim, first * dim + dim), 0);
  let closest = new Float64Array(rows);
  for (let i = 0; i < rows; i += 1) {
    const d = squaredDistance(data, i, centres, 0, dim);
    closest[i] = d;
  }
  const cumulative = new Float64Array(rows);
  let candidateBest = new Float64Array(rows);
  let scratch = new Float64Array(rows);
  for (let c = 1; c < k; c += 1) {
    let running = 0;
    for (let i = 0; i < rows; i += 1) {
      running += closest[i] as number;
      cumulative[i] = running;
    }
    let bestPotential = Number.POSITIVE_INFINITY;
    let bestIndex = 0;
    for (let t = 0; t < trials; t += 1) {
      const candidate =
        running > 0 ? searchSorted(cumulative, random() * running) : Math.floor(random() * rows);
      let candidatePotential = 0;
      const base = candidate * dim;
      for (let i = 0; i < rows; i += 1) {
        // Only a distance below the row's current nearest counts: stop summing once past it.
        const limit = closest[i] as number;
        let sum = 0;
        const a = i * dim;
        for (let j = 0; j < dim && sum < limit; j += 1) {
          const diff = (data[a + j] as number) - (data[base + j] as number);
          sum += diff * diff;
        }
        const d = Math.min(sum, limit);
        scratch[i] = d;
        candidatePotential += d;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestIndex = candidate;
        [candidateBest, scratch] = [scratch, candidateBest];
      }
    }
    centres.set(data.subarray(bestIndex * dim, bestIndex * dim + dim), c * dim);
    [closest, candidateBest] = [candidateBest, closest];
  }
  return centres;
}

function searchSorted(cumulative: Float64Array, value: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `k` distinct rows drawn uniformly: SageMaker's `init_method: random`. */
export function seedRandomRows(matrix: Matrix, k: number, random: () => number): Float64Array {
  const { data, rows, cols: dim } = matrix;
  const centres = new Float64Array(k * dim);
  const chosen = new Set<number>();
  for (let c = 0; c < k; c += 1) {
    let row = Math.floor(random() * rows);
    while (chosen.has(row) && chosen.size < rows) row = Math.floor(random() * rows);
    chosen.add(row);
    centres.set(data.subarray(row * dim, row * dim + dim), c * dim);
  }
  return centres;
}
