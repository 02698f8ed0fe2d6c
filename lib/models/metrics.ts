/**
 * Metrics over (label, prediction) pairs, fed one row at a time so an
 * evaluation never holds a test set in memory, except binary ROC AUC, which
 * needs every score (8 bytes a row) to rank them. Definitions follow
 * scikit-learn's (`accuracy_score`, `balanced_accuracy_score`,
 * `f1_score(average="macro")`, `precision_recall_fscore_support`,
 * `confusion_matrix`, `roc_auc_score`, `mean_squared_error`,
 * `mean_absolute_error`, `r2_score`), with its defaults for the edge cases
 * (`zero_division=0`), and are tested against its answers.
 */

export type Task = 'classification' | 'regression' | 'clustering';

export interface ClassMetrics {
  /** The class as the labels name it (`0`..`N-1`). */
  label: number;
  precision: number;
  recall: number;
  f1: number;
  /** Test rows whose true label is this class. */
  support: number;
}

export interface ClassificationMetrics {
  task: 'classification';
  rows: number;
  accuracy: number;
  balanced_accuracy: number;
  macro_f1: number;
  /** Binary classification with scores, when both classes occur in the labels. */
  roc_auc?: number;
  perClass: ClassMetrics[];
  /** Rows are true classes, columns predicted ones, both in `labels` order. */
  confusionMatrix: { labels: number[]; counts: number[][] };
}

export interface RegressionMetrics {
  task: 'regression';
  rows: number;
  rmse: number;
  mse: number;
  mae: number;
  r2: number;
}

export interface ClusteringMetrics {
  task: 'clustering';
  rows: number;
  /** Mean squared Euclidean distance from each row to its nearest centroid (SageMaker's `msd`). */
  msd: number;
}

export type Metrics = ClassificationMetrics | RegressionMetrics | ClusteringMetrics;

/** Accumulates classification results row by row. */
export class ClassificationAccumulator {
  private readonly counts = new Map<number, Map<number, number>>();
  private readonly labels = new Set<number>();
  private rows = 0;
  private scores: Float64Array = new Float64Array(1024);
  private positives: Uint8Array = new Uint8Array(1024);
  private scored = 0;

  /**
   * Adds one row. `score` is the model's score or probability of class 1 in a
   * binary problem; give it for every row or for none.
   */
  add(label: number, predicted: number, score?: number): void {
    const row = this.counts.get(label) ?? new Map<number, number>();
    row.set(predicted, (row.get(predicted) ?? 0) + 1);
    this.counts.set(label, row);
    this.labels.add(label);
    this.labels.add(predicted);
    this.rows += 1;
    if (score === undefined) return;
    if (this.scored === this.scores.length) {
      const scores = new Float64Array(this.scores.length * 2);
      scores.set(this.scores);
      this.scores = scores;
      const positives = new Uint8Array(this.positives.length * 2);
      positives.set(this.positives);
      this.positives = positives;
    }
    this.scores[this.scored] = score;
    this.positives[this.scored] = label === 1 ? 1 : 0;
    this.scored += 1;
  }

  result(): ClassificationMetrics {
    const labels = [...this.labels].sort((a, b) => a - b);
    const count = (t: number, p: number) => this.counts.get(t)?.get(p) ?? 0;
    const counts = labels.map((t) => labels.map((p) => count(t, p)));
    let correct = 0;
    const perClass: ClassMetrics[] = labels.map((label, i) => {
      const tp = count(label, label);
      correct += tp;
      const support = (counts[i] as number[]).reduce((a, b) => a + b, 0);
      const predicted = counts.reduce((sum, row) => sum + (row[i] as number), 0);
      const precision = predicted === 0 ? 0 : tp / predicted;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return { label, precision, recall, f1, support };
    });
    const present = perClass.filter((c) => c.support > 0);
    const metrics: ClassificationMetrics = {
      task: 'classification',
      rows: this.rows,
      accuracy: this.rows === 0 ? 0 : correct / this.rows,
      balanced_accuracy: mean(present.map((c) => c.recall)),
      macro_f1: mean(perClass.map((c) => c.f1)),
      perClass,
      confusionMatrix: { labels, counts },
    };
    const binary = labels.every((l) => l === 0 || l === 1);
    if (binary && this.scored === this.rows && this.rows > 0) {
      const auc = rocAuc(this.scores.subarray(0, this.scored), this.positives.subarray(0, this.scored));
      if (auc !== undefined) metrics.roc_auc = auc;
    }
    return metrics;
  }
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Area under the ROC curve: the probability that a random positive scores
 * above a random negative, ties counting half (the Mann-Whitney statistic,
 * equal to scikit-learn's trapezoidal area). `undefined` when one class is absent.
 */
export function rocAuc(scores: Float64Array, positives: Uint8Array): number | undefined {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positiveCount = 0;
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1] as number] === scores[order[start] as number]) end += 1;
    // Tied scores share the mean of their 1-based ranks.
    const rank = (start + end + 2) / 2;
    for (let i = start; i <= end; i += 1) {
      if (positives[order[i] as number] === 1) {
        positiveCount += 1;
        rankSum += rank;
      }
    }
    start = end + 1;
  }
  const negativeCount = n - positiveCount;
  if (positiveCount === 0 || negativeCount === 0) return undefined;
  return (rankSum - (positiveCount * (positiveCount + 1)) / 2) / (positiveCount * negativeCount);
}

/** Accumulates regression results row by row (Welford's update for the label variance). */
export class RegressionAccumulator {
  private rows = 0;
  private squaredError = 0;
  private absoluteError = 0;
  private labelMean = 0;
  private labelSquares = 0;

  add(label: number, predicted: number): void {
    const error = label - predicted;
    this.rows += 1;
    this.squaredError += error * error;
    this.absoluteError += Math.abs(error);
    const delta = label - this.labelMean;
    this.labelMean += delta / this.rows;
    this.labelSquares += delta * (label - this.labelMean);
  }

  result(): RegressionMetrics {
    const n = this.rows;
    const mse = n === 0 ? 0 : this.squaredError / n;
    // scikit-learn's r2_score for constant labels: 1 for a perfect fit, else 0.
    let r2: number;
    if (this.labelSquares === 0) r2 = this.squaredError === 0 ? 1 : 0;
    else r2 = 1 - this.squaredError / this.labelSquares;
    return {
      task: 'regression',
      rows: n,
      rmse: Math.sqrt(mse),
      mse,
      mae: n === 0 ? 0 : this.absoluteError / n,
      r2,
    };
  }
}

/** Accumulates squared distances to the nearest centroid. */
export class ClusteringAccumulator {
  private rows = 0;
  private sum = 0;

  add(squaredDistance: number): void {
    this.rows += 1;
    this.sum += squaredDistance;
  }

  result(): ClusteringMetrics {
    return { task: 'clustering', rows: this.rows, msd: this.rows === 0 ? 0 : this.sum / this.rows };
  }
}

/** Squared Euclidean distance from `row` to `point`. */
export function squaredDistance(row: ArrayLike<number>, point: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < row.length; i += 1) {
    const d = (row[i] as number) - (point[i] as number);
    sum += d * d;
  }
  return sum;
}
