import { describe, expect, it } from 'vitest';
import { decide, improvement, primaryMetric, promotionSettings } from '../../../lib/models/decision';
import type { ClassificationMetrics, Metrics, RegressionMetrics } from '../../../lib/models/metrics';

function classification(accuracy: number, rows = 200): ClassificationMetrics {
  return {
    task: 'classification',
    rows,
    accuracy,
    balanced_accuracy: accuracy,
    macro_f1: accuracy,
    perClass: [],
    confusionMatrix: { labels: [], counts: [] },
  };
}

function regression(rmse: number): RegressionMetrics {
  return { task: 'regression', rows: 100, rmse, mse: rmse * rmse, mae: rmse, r2: 0.5 };
}

const auto = promotionSettings({});

describe('the promotion decision', () => {
  it('promotes the first model that beats the baseline by the margin', () => {
    const decision = decide({
      challenger: classification(0.9),
      baseline: classification(0.4),
      settings: auto,
    });
    expect(decision.decision).toBe('promoted');
    expect(decision.metric).toBe('accuracy');
    expect(decision.reason).toContain('no champion yet');
  });

  it('promotes a model better than the champion on the same rows', () => {
    const decision = decide({
      challenger: classification(0.95),
      baseline: classification(0.4),
      champion: { job: 'old', metrics: classification(0.9) },
      settings: auto,
    });
    expect(decision.decision).toBe('promoted');
    expect(decision.reason).toContain("champion's accuracy of 0.9 (old)");
  });

  it('keeps the champion when the new model is worse', () => {
    const decision = decide({
      challenger: classification(0.85),
      baseline: classification(0.4),
      champion: { job: 'old', metrics: classification(0.9) },
      settings: auto,
    });
    expect(decision.decision).toBe('kept-champion');
    expect(decision.reason).toContain("not better than the champion's accuracy of 0.9 (old)");
  });

  it('keeps the champion when the new model is equal', () => {
    const decision = decide({
      challenger: classification(0.9),
      baseline: classification(0.4),
      champion: { job: 'old', metrics: classification(0.9) },
      settings: auto,
    });
    expect(decision.decision).toBe('kept-champion');
  });

  it('keeps the champion when the gain is below minImprovement', () => {
    const settings = promotionSettings({ minImprovement: 0.05 });
    const decision = decide({
      challenger: classification(0.93),
      baseline: classification(0.4),
      champion: { job: 'old', metrics: classification(0.9) },
      settings,
    });
    expect(decision.decision).toBe('kept-champion');
    expect(decision.reason).toContain('"minImprovement"');
  });

  it('never promotes a model that does not beat the baseline, champion or not', () => {
    for (const champion of [undefined, { job: 'old', metrics: classification(0.3) }]) {
      const decision = decide({
        challenger: classification(0.405),
        baseline: classification(0.4),
        ...(champion ? { champion } : {}),
        settings: auto,
      });
      expect(decision.decision).toBe('not-better-than-baseline');
    }
  });

  it('asks for a margin of twice the sampling error on few rows', () => {
    // 0.6 on 15 rows has a standard error of 0.126: 0.2 above the baseline is within chance.
    const few = decide({
      challenger: classification(0.6, 15),
      baseline: classification(0.4, 15),
      settings: auto,
    });
    expect(few.decision).toBe('not-better-than-baseline');
    expect(few.reason).toContain('sampling error on 15 rows');
    const many = decide({
      challenger: classification(0.6, 1000),
      baseline: classification(0.4, 1000),
      settings: auto,
    });
    expect(many.decision).toBe('promoted');
  });

  it('leaves a model that would be promoted pending when approval is manual', () => {
    const decision = decide({
      challenger: classification(0.9),
      baseline: classification(0.4),
      settings: promotionSettings({ approval: 'manual' }),
    });
    expect(decision.decision).toBe('pending-approval');
    expect(decision.reason).toContain('approves its model package');
  });

  it('compares errors as a fraction: lower is better', () => {
    expect(improvement('rmse', 9, 10)).toBeCloseTo(0.1);
    const better = decide({
      challenger: regression(2),
      baseline: regression(5),
      champion: { job: 'old', metrics: regression(2.5) },
      settings: auto,
    });
    expect(better.decision).toBe('promoted');
    const worse = decide({ challenger: regression(5.01), baseline: regression(5), settings: auto });
    expect(worse.decision).toBe('not-better-than-baseline');
  });

  it('uses the dataset metric when it applies, and says so when it does not', () => {
    const metrics: Metrics = classification(0.9);
    expect(primaryMetric(metrics, 'macro_f1')).toEqual({ metric: 'macro_f1' });
    expect(primaryMetric(metrics, 'rmse')).toEqual({
      metric: 'accuracy',
      note: '"metric": "rmse" does not apply to classification; used accuracy',
    });
    expect(primaryMetric(metrics, 'roc_auc').note).toContain('could not be computed');
  });
});
