import type { Decision } from './decision';
import { standardError } from './decision';
import type { ClassificationMetrics, Metrics } from './metrics';

/** A value as SageMaker Model Monitor reports it; `"NaN"` when no deviation is known. */
export interface MonitorValue {
  value: number;
  standard_deviation: number | 'NaN';
}

/**
 * `evaluation/<dataset>/<job>/evaluation.json`: the Model Monitor model quality
 * format (`binary_classification_metrics`, `multiclass_classification_metrics`,
 * `regression_metrics`), which SageMaker Studio charts for the versions of a
 * model package group, plus sagedrop's own record of the verdict.
 */
export interface EvaluationReport {
  version: 0;
  binary_classification_metrics?: Record<string, unknown>;
  multiclass_classification_metrics?: Record<string, unknown>;
  regression_metrics?: Record<string, MonitorValue>;
  sagedrop: {
    schemaVersion: '1.0';
    dataset: string;
    job: string;
    run?: string;
    testRows: number;
    metrics: Metrics;
    baseline: { description: string; metrics: Metrics };
    champion?: { job: string; metrics: Metrics };
    decision: Decision;
  };
}

function monitor(value: number, deviation?: number): MonitorValue {
  return { value, standard_deviation: deviation ?? 'NaN' };
}

/** Model Monitor's confusion matrix: `{ "<true>": { "<predicted>": count } }`. */
function confusionObject(metrics: ClassificationMetrics): Record<string, Record<string, number>> {
  const { labels, counts } = metrics.confusionMatrix;
  return Object.fromEntries(
    labels.map((t, i) => [
      String(t),
      Object.fromEntries(labels.map((p, j) => [String(p), counts[i]?.[j] ?? 0])),
    ]),
  );
}

function proportion(value: number, rows: number): MonitorValue {
  return monitor(value, standardError('accuracy', value, rows));
}

function classificationSection(
  metrics: ClassificationMetrics,
  baseline: ClassificationMetrics,
  binary: boolean,
) {
  const n = metrics.rows;
  const section: Record<string, unknown> = {
    confusion_matrix: confusionObject(metrics),
    accuracy: proportion(metrics.accuracy, n),
    accuracy_best_constant_classifier: proportion(baseline.accuracy, n),
  };
  if (binary) {
    const positive = metrics.perClass.find((c) => c.label === 1);
    const constant = baseline.perClass.find((c) => c.label === 1);
    section.precision = monitor(positive?.precision ?? 0);
    section.recall = monitor(positive?.recall ?? 0);
    section.f1 = monitor(positive?.f1 ?? 0);
    section.precision_best_constant_classifier = monitor(constant?.precision ?? 0);
    section.recall_best_constant_classifier = monitor(constant?.recall ?? 0);
    section.f1_best_constant_classifier = monitor(constant?.f1 ?? 0);
    if (metrics.roc_auc !== undefined) section.auc = monitor(metrics.roc_auc);
  } else {
    const weighted = (pick: (c: ClassificationMetrics['perClass'][number]) => number) =>
      n === 0 ? 0 : metrics.perClass.reduce((sum, c) => sum + pick(c) * c.support, 0) / n;
    section.weighted_precision = monitor(weighted((c) => c.precision));
    section.weighted_recall = monitor(weighted((c) => c.recall));
    section.weighted_f1 = monitor(weighted((c) => c.f1));
  }
  section.balanced_accuracy = monitor(metrics.balanced_accuracy);
  section.macro_f1 = monitor(metrics.macro_f1);
  return section;
}

/** The report of one evaluation, in the format SageMaker Studio reads. */
export function buildEvaluationReport(input: EvaluationReport['sagedrop']): EvaluationReport {
  const report: EvaluationReport = { version: 0, sagedrop: input };
  const { metrics } = input;
  const baseline = input.baseline.metrics;
  if (metrics.task === 'classification' && baseline.task === 'classification') {
    const binary = metrics.confusionMatrix.labels.every((l) => l === 0 || l === 1);
    const section = classificationSection(metrics, baseline, binary);
    if (binary) report.binary_classification_metrics = section;
    else report.multiclass_classification_metrics = section;
  } else if (metrics.task === 'regression' && baseline.task === 'regression') {
    report.regression_metrics = {
      mae: monitor(metrics.mae),
      mse: monitor(metrics.mse),
      rmse: monitor(metrics.rmse),
      r2: monitor(metrics.r2),
      mae_best_constant_regressor: monitor(baseline.mae),
      mse_best_constant_regressor: monitor(baseline.mse),
      rmse_best_constant_regressor: monitor(baseline.rmse),
      r2_best_constant_regressor: monitor(baseline.r2),
    };
  }
  return report;
}
