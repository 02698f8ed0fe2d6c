import { round } from './baseline';
import type { Metrics, Task } from './metrics';

/** Metrics a dataset may choose as its primary one (`"metric"` in sagedrop.json). */
export const METRICS = {
  accuracy: { task: 'classification', higherIsBetter: true },
  balanced_accuracy: { task: 'classification', higherIsBetter: true },
  macro_f1: { task: 'classification', higherIsBetter: true },
  roc_auc: { task: 'classification', higherIsBetter: true },
  rmse: { task: 'regression', higherIsBetter: false },
  mae: { task: 'regression', higherIsBetter: false },
  r2: { task: 'regression', higherIsBetter: true },
  msd: { task: 'clustering', higherIsBetter: false },
} as const satisfies Record<string, { task: Task; higherIsBetter: boolean }>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export const DEFAULT_METRIC: Record<Task, MetricName> = {
  classification: 'accuracy',
  regression: 'rmse',
  clustering: 'msd',
};

export const DEFAULT_MIN_IMPROVEMENT = 0.01;

export type Approval = 'auto' | 'manual';

/** What a dataset's settings say about promotion. */
export interface PromotionSettings {
  metric?: MetricName;
  minImprovement: number;
  approval: Approval;
}

export type DecisionOutcome = 'promoted' | 'kept-champion' | 'pending-approval' | 'not-better-than-baseline';

export interface Decision {
  decision: DecisionOutcome;
  /** The primary metric the decision compared. */
  metric: MetricName;
  /** Why, in a sentence a person can act on. */
  reason: string;
}

/** The champion's side of the comparison: its scores on the same rows. */
export interface ChampionScores {
  job: string;
  metrics: Metrics;
}

/** The value of `name` in `metrics`, when these metrics have it. */
export function metricValue(metrics: Metrics, name: MetricName): number | undefined {
  const value = (metrics as unknown as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The primary metric for `metrics`: the dataset's choice when it applies,
 * otherwise the task's default, with the reason it was not used.
 */
export function primaryMetric(
  metrics: Metrics,
  chosen: MetricName | undefined,
): { metric: MetricName; note?: string } {
  const fallback = DEFAULT_METRIC[metrics.task];
  if (chosen === undefined || chosen === fallback) return { metric: fallback };
  if (METRICS[chosen].task !== metrics.task) {
    return {
      metric: fallback,
      note: `"metric": "${chosen}" does not apply to ${metrics.task}; used ${fallback}`,
    };
  }
  if (metricValue(metrics, chosen) === undefined) {
    return { metric: fallback, note: `${chosen} could not be computed on these rows; used ${fallback}` };
  }
  return { metric: chosen };
}

/**
 * The sampling error of a score between 0 and 1 measured on `rows` rows, as
 * for a proportion: `sqrt(p (1 - p) / n)`. A challenger must clear the
 * baseline by twice this, so a lucky draw of a few test rows does not pass
 * for skill. `undefined` for error metrics, which have no such bound.
 */
export function standardError(metric: MetricName, value: number, rows: number): number | undefined {
  if (!METRICS[metric].higherIsBetter || metric === 'r2' || rows === 0) return undefined;
  const p = Math.min(1, Math.max(0, value));
  return Math.sqrt((p * (1 - p)) / rows);
}

/**
 * How much better `a` is than `b` on `metric`: points for scores (0.01 = one
 * percentage point), a fraction of `b` for errors (0.01 = 1 % lower).
 */
export function improvement(metric: MetricName, a: number, b: number): number {
  if (METRICS[metric].higherIsBetter) return a - b;
  if (b === 0) return a === 0 ? 0 : Number.NEGATIVE_INFINITY;
  return (b - a) / Math.abs(b);
}

function describeImprovement(metric: MetricName, value: number): string {
  return METRICS[metric].higherIsBetter ? `${round(value)}` : `${round(value * 100)} %`;
}

/**
 * The decision table: a challenger that does not beat the baseline by the
 * margin is never promoted; the first model that does is; after that, only a
 * model better than the champion on the same rows by at least
 * `minImprovement` is. With manual approval, a model that would be promoted
 * waits for a person instead.
 */
export function decide(input: {
  challenger: Metrics;
  baseline: Metrics;
  champion?: ChampionScores;
  settings: PromotionSettings;
}): Decision {
  const { challenger, baseline, champion, settings } = input;
  const { metric, note } = primaryMetric(challenger, settings.metric);
  const prefix = note ? `${note}. ` : '';
  const value = metricValue(challenger, metric) ?? Number.NaN;
  const base = metricValue(baseline, metric) ?? Number.NaN;
  const error = standardError(metric, value, challenger.rows);
  const margin = Math.max(settings.minImprovement, error === undefined ? 0 : 2 * error);
  const overBaseline = improvement(metric, value, base);
  const required = `${describeImprovement(metric, margin)}${error === undefined || margin === settings.minImprovement ? '' : `, twice the sampling error on ${challenger.rows} rows`}`;
  if (!(overBaseline > 0 && overBaseline >= margin)) {
    return {
      decision: 'not-better-than-baseline',
      metric,
      reason:
        `${prefix}Its ${metric} beats the baseline's by ${describeImprovement(metric, Math.max(0, overBaseline))}, ` +
        `less than the required ${required}. More rows, other features or other hyperparameters may help.`,
    };
  }
  let why: string;
  if (champion) {
    const current = metricValue(champion.metrics, metric) ?? Number.NaN;
    const overChampion = improvement(metric, value, current);
    if (!(overChampion > 0 && overChampion >= settings.minImprovement)) {
      return {
        decision: 'kept-champion',
        metric,
        reason:
          `${prefix}It is not better than the champion's ${metric} of ${round(current)} (${champion.job}) on the same rows ` +
          `by at least ${describeImprovement(metric, settings.minImprovement)} ("minImprovement").`,
      };
    }
    why = `It beats the champion's ${metric} of ${round(current)} (${champion.job}) on the same rows by ${describeImprovement(metric, overChampion)} (at least ${describeImprovement(metric, settings.minImprovement)} needed, "minImprovement") and the baseline by more than the required ${required}`;
  } else {
    why = `It beats the baseline by more than the required ${required}, and there is no champion yet`;
  }
  if (settings.approval === 'manual') {
    return {
      decision: 'pending-approval',
      metric,
      reason: `${prefix}${why}. "approval" is "manual": it becomes the champion when a person approves its model package.`,
    };
  }
  return { decision: 'promoted', metric, reason: `${prefix}${why}.` };
}

/** The promotion settings of a run, with the defaults filled in. */
export function promotionSettings(settings: {
  metric?: string;
  minImprovement?: number;
  approval?: Approval;
}): PromotionSettings {
  const out: PromotionSettings = {
    minImprovement: settings.minImprovement ?? DEFAULT_MIN_IMPROVEMENT,
    approval: settings.approval ?? 'auto',
  };
  if (settings.metric !== undefined && settings.metric in METRICS) out.metric = settings.metric as MetricName;
  return out;
}
