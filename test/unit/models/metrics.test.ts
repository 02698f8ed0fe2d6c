import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainingSummary } from '../../../lib/models/baseline';
import {
  ClassificationAccumulator,
  ClusteringAccumulator,
  RegressionAccumulator,
  squaredDistance,
} from '../../../lib/models/metrics';

/** Inputs and scikit-learn's answers, written by generate-sklearn-metrics.py beside the JSON. */
interface Fixtures {
  sklearnVersion: string;
  classification: {
    name: string;
    labels: number[];
    predicted: number[];
    scores?: number[];
    train?: number[];
    expected: Record<string, unknown> & {
      perClass: unknown[];
      confusionMatrix: { labels: number[]; counts: number[][] };
      baselineClass?: number;
      baselineAccuracy?: number;
      baselineMacroF1?: number;
    };
  }[];
  regression: {
    name: string;
    labels: number[];
    predicted: number[];
    train?: number[];
    expected: Record<string, number>;
  }[];
  clustering: {
    name: string;
    rows: number[][];
    centroids: number[][];
    train: number[][];
    expected: { msd: number; closest: number[]; baselineCentroid: number[]; baselineMsd: number };
  }[];
}

const fixtures = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/evaluation/sklearn-metrics.json'), 'utf8'),
) as Fixtures;

const close =
  (digits = 12) =>
  (actual: number, expected: number) =>
    expect(actual).toBeCloseTo(expected, digits);

describe('classification metrics against scikit-learn', () => {
  for (const c of fixtures.classification) {
    it(`match accuracy, balanced accuracy, macro F1, per-class figures and the confusion matrix: ${c.name}`, () => {
      const acc = new ClassificationAccumulator();
      c.labels.forEach((label, i) => {
        acc.add(label, c.predicted[i] as number, c.scores?.[i]);
      });
      const m = acc.result();
      close()(m.accuracy, c.expected.accuracy as number);
      close()(m.balanced_accuracy, c.expected.balanced_accuracy as number);
      close()(m.macro_f1, c.expected.macro_f1 as number);
      expect(m.confusionMatrix).toEqual(c.expected.confusionMatrix);
      expect(m.perClass.length).toBe(c.expected.perClass.length);
      m.perClass.forEach((pc, i) => {
        const want = c.expected.perClass[i] as {
          label: number;
          precision: number;
          recall: number;
          f1: number;
          support: number;
        };
        expect(pc.label).toBe(want.label);
        expect(pc.support).toBe(want.support);
        close()(pc.precision, want.precision);
        close()(pc.recall, want.recall);
        close()(pc.f1, want.f1);
      });
      if (c.expected.roc_auc !== undefined) close()(m.roc_auc as number, c.expected.roc_auc as number);
      else expect(m.roc_auc).toBeUndefined();
    });
  }

  it('covers tied scores, a class never predicted and a class never true', () => {
    const names = fixtures.classification.map((c) => c.name).join(' / ');
    expect(names).toContain('tied scores');
    expect(names).toContain('never predicted');
  });

  for (const c of fixtures.classification.filter((f) => f.train)) {
    it(`predicts the most frequent training class as the baseline, as DummyClassifier does: ${c.name}`, () => {
      const summary = new TrainingSummary('classification');
      for (const label of c.train ?? []) summary.add(label, []);
      const baseline = summary.baseline();
      expect(baseline).toMatchObject({ task: 'classification', predictedClass: c.expected.baselineClass });
      const acc = new ClassificationAccumulator();
      for (const label of c.labels) acc.add(label, c.expected.baselineClass as number);
      close()(acc.result().accuracy, c.expected.baselineAccuracy as number);
      close()(acc.result().macro_f1, c.expected.baselineMacroF1 as number);
    });
  }
});

describe('regression metrics against scikit-learn', () => {
  for (const c of fixtures.regression) {
    it(`match RMSE, MSE, MAE and R2: ${c.name}`, () => {
      const acc = new RegressionAccumulator();
      c.labels.forEach((label, i) => {
        acc.add(label, c.predicted[i] as number);
      });
      const m = acc.result();
      close(10)(m.rmse, c.expected.rmse as number);
      close(10)(m.mse, c.expected.mse as number);
      close(10)(m.mae, c.expected.mae as number);
      close(10)(m.r2, c.expected.r2 as number);
      if (c.train) {
        const summary = new TrainingSummary('regression');
        for (const label of c.train) summary.add(label, []);
        const baseline = summary.baseline();
        if (baseline.task !== 'regression') throw new Error('expected a regression baseline');
        close(10)(baseline.predictedValue, c.expected.baselineValue as number);
        const constant = new RegressionAccumulator();
        for (const label of c.labels) constant.add(label, baseline.predictedValue);
        close(10)(constant.result().rmse, c.expected.baselineRmse as number);
        close(10)(constant.result().r2, c.expected.baselineR2 as number);
      }
    });
  }
});

describe('k-means metrics', () => {
  for (const c of fixtures.clustering) {
    it(`match the mean squared distance to the nearest centroid and the one-centroid baseline: ${c.name}`, () => {
      const acc = new ClusteringAccumulator();
      for (const row of c.rows)
        acc.add(Math.min(...c.centroids.map((centroid) => squaredDistance(row, centroid))));
      close(10)(acc.result().msd, c.expected.msd);
      const summary = new TrainingSummary('clustering');
      for (const row of c.train) summary.add(undefined, row);
      const baseline = summary.baseline();
      if (baseline.task !== 'clustering') throw new Error('expected a clustering baseline');
      baseline.centroid.forEach((v, i) => {
        close(10)(v, c.expected.baselineCentroid[i] as number);
      });
      const constant = new ClusteringAccumulator();
      for (const row of c.rows) constant.add(squaredDistance(row, baseline.centroid));
      close(10)(constant.result().msd, c.expected.baselineMsd);
    });
  }
});
