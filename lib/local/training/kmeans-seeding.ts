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
 * The per-row arrays of a restart. A thread reuses them from one restart to
 * the next: fresh memory costs a page fault per 4 KiB when first touched.
 */
export interface RowBuffers {
  nearest: Int32Array;
  squared: Float64Array;
  scratch: Float64Array;
  lower: Float64Array;
}

export function rowBuffers(rows: number): RowBuffers {
  return {
    nearest: new Int32Array(rows),
    squared: new Float64Array(rows),
    scratch: new Float64Array(rows),
    lower: new Float64Array(rows),
  };
}

/** Seeds for Lloyd's algorithm, with each row's nearest seed when the seeding knows it. */
export interface Seeding {
  /** Row-major `k x dim`. */
  centres: Float64Array;
  /** Each row's nearest centre (the first one on a tie), and its squared distance to it. */
  nearest?: { centre: Int32Array; squared: Float64Array };
}

/**
 * Greedy k-means++ as scikit-learn seeds: each new centre is the best of
 * `2 + ln k` candidates drawn with probability proportional to the squared
 * distance to the nearest centre chosen so far. One pass over the rows
 * measures four candidates (a row is read once for all four), and a last one
 * keeps each row's nearest centre, which Lloyd's algorithm starts from.
 */
export function seedKMeansPlusPlus(
  matrix: Matrix,
  k: number,
  random: () => number,
  buffers: RowBuffers = rowBuffers(matrix.rows),
): Seeding {
  const { data, rows, cols: dim } = matrix;
  const centres = new Float64Array(k * dim);
  const trials = 2 + Math.floor(Math.log(k));
  const first = Math.floor(random() * rows);
  centres.set(data.subarray(first * dim, first * dim + dim), 0);
  const { squared: closest, nearest, scratch: cumulative } = buffers;
  nearest.fill(0);
  let running = 0;
  for (let i = 0; i < rows; i += 1) {
    const d = squaredDistance(data, i, centres, 0, dim);
    closest[i] = d;
    running += d;
    cumulative[i] = running;
  }
  const candidates = new Int32Array(trials);
  const potentials = new Float64Array(trials + 3);
  for (let c = 1; c < k; c += 1) {
    for (let t = 0; t < trials; t += 1) {
      candidates[t] =
        running > 0 ? searchSorted(cumulative, random() * running) : Math.floor(random() * rows);
    }
    for (let t = 0; t < trials; t += 4) {
      // Four candidates at a time, each row read once for all four; a group short of four repeats its first.
      const lane = (offset: number) => (candidates[t + offset < trials ? t + offset : t] as number) * dim;
      potentialsOfFour(matrix, closest, lane(0), lane(1), lane(2), lane(3), potentials, t);
    }
    let best = 0;
    for (let t = 1; t < trials; t += 1)
      if ((potentials[t] as number) < (potentials[best] as number)) best = t;
    const base = (candidates[best] as number) * dim;
    centres.set(data.subarray(base, base + dim), c * dim);
    running = 0;
    for (let i = 0; i < rows; i += 1) {
      const d = squaredDistanceBelow(data, i, centres, c, dim, closest[i] as number);
      if (d < (closest[i] as number)) {
        closest[i] = d;
        nearest[i] = c;
      }
      running += closest[i] as number;
      cumulative[i] = running;
    }
  }
  return { centres, nearest: { centre: nearest, squared: closest } };
}

/**
 * The k-means++ potential of four candidate rows (offsets into `data`): each
 * row's squared distance to the candidate, capped at its distance to the
 * nearest centre so far, summed; written to `out[at..at+3]`.
 */
function potentialsOfFour(
  matrix: Matrix,
  closest: Float64Array,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
  out: Float64Array,
  at: number,
): void {
  const { data, rows, cols: dim } = matrix;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  for (let i = 0; i < rows; i += 1) {
    const a = i * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < dim; j += 1) {
      const x = data[a + j] as number;
      const d0 = x - (data[b0 + j] as number);
      const d1 = x - (data[b1 + j] as number);
      const d2 = x - (data[b2 + j] as number);
      const d3 = x - (data[b3 + j] as number);
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    const limit = closest[i] as number;
    p0 += Math.min(s0, limit);
    p1 += Math.min(s1, limit);
    p2 += Math.min(s2, limit);
    p3 += Math.min(s3, limit);
  }
  out[at] = p0;
  out[at + 1] = p1;
  out[at + 2] = p2;
  out[at + 3] = p3;
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
export function seedRandomRows(matrix: Matrix, k: number, random: () => number): Seeding {
  const { data, rows, cols: dim } = matrix;
  const centres = new Float64Array(k * dim);
  const chosen = new Set<number>();
  for (let c = 0; c < k; c += 1) {
    let row = Math.floor(random() * rows);
    while (chosen.has(row) && chosen.size < rows) row = Math.floor(random() * rows);
    chosen.add(row);
    centres.set(data.subarray(row * dim, row * dim + dim), c * dim);
  }
  return { centres };
}
