import type { Task } from './metrics';

/**
 * The trivial models every challenger must beat, fitted on the training rows
 * as scikit-learn's `DummyClassifier(strategy="most_frequent")` and
 * `DummyRegressor(strategy="mean")` are, and for k-means one centroid at the
 * mean of the training rows.
 */
export type Baseline =
  | { task: 'classification'; description: string; predictedClass: number }
  | { task: 'regression'; description: string; predictedValue: number }
  | { task: 'clustering'; description: string; centroid: number[] };

/** Reads the training rows once, row by row, for what the baseline needs. */
export class TrainingSummary {
  private rows = 0;
  private readonly classCounts = new Map<number, number>();
  private labelSum = 0;
  private featureSums: number[] = [];

  constructor(private readonly task: Task) {}

  /** One training row: its label (absent for k-means) and its features. */
  add(label: number | undefined, features: ArrayLike<number>): void {
    this.rows += 1;
    if (this.task === 'clustering') {
      if (this.featureSums.length === 0) this.featureSums = new Array<number>(features.length).fill(0);
      for (let i = 0; i < features.length; i += 1) {
        this.featureSums[i] = (this.featureSums[i] as number) + (features[i] as number);
      }
      return;
    }
    if (label === undefined) return;
    if (this.task === 'classification') this.classCounts.set(label, (this.classCounts.get(label) ?? 0) + 1);
    else this.labelSum += label;
  }

  get trainingRows(): number {
    return this.rows;
  }

  /** The baseline of these rows. Throws when there were none. */
  baseline(): Baseline {
    if (this.rows === 0) throw new Error('the training channel has no rows to fit a baseline on');
    if (this.task === 'classification') {
      // The most frequent class; on a tie the smallest, as numpy's argmax picks the first.
      let best = Number.POSITIVE_INFINITY;
      let bestCount = -1;
      for (const [label, count] of this.classCounts) {
        if (count > bestCount || (count === bestCount && label < best)) {
          best = label;
          bestCount = count;
        }
      }
      return {
        task: 'classification',
        predictedClass: best,
        description: `always predicting the most common training class (${best}, ${bestCount} of ${this.rows} training rows)`,
      };
    }
    if (this.task === 'regression') {
      const mean = this.labelSum / this.rows;
      return {
        task: 'regression',
        predictedValue: mean,
        description: `always predicting the training mean (${round(mean)})`,
      };
    }
    return {
      task: 'clustering',
      centroid: this.featureSums.map((sum) => sum / this.rows),
      description: 'one cluster centred on the mean of the training rows',
    };
  }
}

/** `value` with at most 4 significant decimals, for sentences. */
export function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toPrecision(4);
  return String(Number(value.toFixed(abs >= 100 ? 2 : 4)));
}
