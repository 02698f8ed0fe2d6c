import { describe, expect, it } from 'vitest';
import { decide, promotionSettings } from '../../../lib/models/decision';
import { ClassificationAccumulator, RegressionAccumulator } from '../../../lib/models/metrics';
import { buildEvaluationReport } from '../../../lib/models/report';

function classify(pairs: [number, number][]) {
  const acc = new ClassificationAccumulator();
  for (const [label, predicted] of pairs) acc.add(label, predicted);
  return acc.result();
}

describe('evaluation.json', () => {
  it('holds multiclass metrics in the Model Monitor format, with the constant classifier beside them', () => {
    const metrics = classify([
      [0, 0],
      [1, 1],
      [2, 1],
      [2, 2],
    ]);
    const baseline = classify([
      [0, 2],
      [1, 2],
      [2, 2],
      [2, 2],
    ]);
    const decision = decide({ challenger: metrics, baseline, settings: promotionSettings({}) });
    const report = buildEvaluationReport({
      schemaVersion: '1.0',
      dataset: 'iris',
      job: 'j',
      testRows: 4,
      metrics,
      baseline: { description: 'always 2', metrics: baseline },
      decision,
    });
    const section = report.multiclass_classification_metrics as Record<string, unknown>;
    expect(section.confusion_matrix).toEqual({
      '0': { '0': 1, '1': 0, '2': 0 },
      '1': { '0': 0, '1': 1, '2': 0 },
      '2': { '0': 0, '1': 1, '2': 1 },
    });
    expect(section.accuracy).toEqual({ value: 0.75, standard_deviation: Math.sqrt((0.75 * 0.25) / 4) });
    expect(section.accuracy_best_constant_classifier).toMatchObject({ value: 0.5 });
    expect(section.weighted_recall).toEqual({ value: 0.75, standard_deviation: 'NaN' });
    expect(report.binary_classification_metrics).toBeUndefined();
    expect(report.sagedrop.decision.decision).toBe('not-better-than-baseline');
  });

  it('holds regression metrics and those of the mean as the best constant regressor', () => {
    const metrics = new RegressionAccumulator();
    const baseline = new RegressionAccumulator();
    for (const [label, predicted] of [
      [1, 1.5],
      [2, 2],
      [3, 2.5],
    ] as const) {
      metrics.add(label, predicted);
      baseline.add(label, 2);
    }
    const m = metrics.result();
    const b = baseline.result();
    const report = buildEvaluationReport({
      schemaVersion: '1.0',
      dataset: 'd',
      job: 'j',
      testRows: 3,
      metrics: m,
      baseline: { description: 'mean', metrics: b },
      decision: decide({ challenger: m, baseline: b, settings: promotionSettings({}) }),
    });
    expect(report.regression_metrics?.rmse?.value).toBeCloseTo(Math.sqrt(0.5 / 3));
    expect(report.regression_metrics?.r2_best_constant_regressor?.value).toBe(0);
    expect(report.sagedrop.decision.decision).toBe('promoted');
  });
});
