import { describe, expect, it } from 'vitest';
import { fitLinearLearner, LabelError, predictLinear } from '../../../../lib/local/training/linear-learner';
import { evaluateLinearLearner } from '../../../../lib/local/training/linear-metrics';
import type { Matrix } from '../../../../lib/local/training/numeric-csv';
import { createRandom } from '../../../../lib/local/training/random';

function randomFeatures(rows: number, cols: number, seed: number): Matrix {
  const random = createRandom(seed);
  return { data: Float64Array.from({ length: rows * cols }, () => random() * 10 - 5), rows, cols };
}

describe('fitLinearLearner', () => {
  it('recovers the coefficients of a noiseless linear relation (regressor)', () => {
    const x = randomFeatures(200, 3, 1);
    const labels = Float64Array.from({ length: 200 }, (_, i) => {
      const [a = 0, b = 0, c = 0] = x.data.subarray(i * 3, i * 3 + 3);
      return 2 * a - 3 * b + 0.5 * c + 7;
    });
    const model = fitLinearLearner(x, labels, { predictorType: 'regressor' });
    const probe: Matrix = { data: Float64Array.of(0, 0, 0, 1, 2, 3), rows: 2, cols: 3 };
    const predicted = predictLinear(model, probe);
    expect(predicted[0]).toBeCloseTo(7, 5);
    expect(predicted[1]).toBeCloseTo(2 - 6 + 1.5 + 7, 5);
    expect(evaluateLinearLearner(model, x, labels).mse).toBeLessThan(1e-8);
  });

  it('separates two linearly separable classes (binary classifier)', () => {
    const x = randomFeatures(300, 2, 2);
    const labels = Float64Array.from({ length: 300 }, (_, i) =>
      (x.data[i * 2] ?? 0) + 2 * (x.data[i * 2 + 1] ?? 0) > 1 ? 1 : 0,
    );
    const model = fitLinearLearner(x, labels, { predictorType: 'binary_classifier' });
    const metrics = evaluateLinearLearner(model, x, labels);
    expect(metrics.binary_classification_accuracy).toBeGreaterThanOrEqual(0.97);
    expect(metrics.precision).toBeGreaterThan(0.9);
    expect(metrics.recall).toBeGreaterThan(0.9);
  });

  it('separates three classes (multiclass classifier)', () => {
    const random = createRandom(3);
    const rows: number[] = [];
    const labels: number[] = [];
    const centres = [
      [0, 0],
      [6, 0],
      [0, 6],
    ];
    for (let i = 0; i < 300; i += 1) {
      const label = i % 3;
      const [cx = 0, cy = 0] = centres[label] ?? [];
      rows.push(cx + random() * 2 - 1, cy + random() * 2 - 1);
      labels.push(label);
    }
    const x: Matrix = { data: Float64Array.from(rows), rows: 300, cols: 2 };
    const model = fitLinearLearner(x, Float64Array.from(labels), {
      predictorType: 'multiclass_classifier',
      numClasses: 3,
    });
    expect(evaluateLinearLearner(model, x, Float64Array.from(labels)).multiclass_accuracy).toBe(1);
  });

  it('rejects labels that are not 0 or 1 for a binary classifier, naming the row', () => {
    const x = randomFeatures(3, 1, 4);
    expect(() =>
      fitLinearLearner(x, Float64Array.of(0, 1, 2), { predictorType: 'binary_classifier' }),
    ).toThrow(new LabelError('label of row 3 is 2: binary_classifier needs labels 0 to 1'));
  });

  it('standardises features so wildly different scales still train', () => {
    const random = createRandom(5);
    const data: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 200; i += 1) {
      const small = random();
      const large = random() * 1e6;
      data.push(small, large);
      labels.push(small > 0.5 ? 1 : 0);
    }
    const x: Matrix = { data: Float64Array.from(data), rows: 200, cols: 2 };
    const model = fitLinearLearner(x, Float64Array.from(labels), { predictorType: 'binary_classifier' });
    expect(
      evaluateLinearLearner(model, x, Float64Array.from(labels)).binary_classification_accuracy,
    ).toBeGreaterThanOrEqual(0.97);
  });
});
