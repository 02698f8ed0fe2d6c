import { type LinearModel, predictLinear } from './linear-learner';
import type { Matrix } from './numeric-csv';

/**
 * The metrics SageMaker's linear learner reports for a channel, without the
 * channel prefix: `objective_loss` always, then `mse` and `absolute_loss`
 * (regressor), `binary_classification_accuracy`, `precision`, `recall`,
 * `binary_f_beta` (binary), or `multiclass_accuracy` (multiclass).
 */
export function evaluateLinearLearner(
  model: LinearModel,
  features: Matrix,
  labels: Float64Array,
): Record<string, number> {
  const predictions = predictLinear(model, features);
  const n = features.rows;
  if (n === 0) return {};
  if (model.predictorType === 'regressor') {
    let squared = 0;
    let absolute = 0;
    for (let i = 0; i < n; i += 1) {
      const error = (predictions[i] as number) - (labels[i] as number);
      squared += error * error;
      absolute += Math.abs(error);
    }
    return { objective_loss: squared / n, mse: squared / n, absolute_loss: absolute / n };
  }
  if (model.predictorType === 'binary_classifier') {
    let logLoss = 0;
    let correct = 0;
    let truePositive = 0;
    let predictedPositive = 0;
    let actualPositive = 0;
    for (let i = 0; i < n; i += 1) {
      const p = Math.min(Math.max(predictions[i] as number, 1e-15), 1 - 1e-15);
      const label = labels[i] as number;
      logLoss -= label === 1 ? Math.log(p) : Math.log(1 - p);
      const predicted = p >= 0.5 ? 1 : 0;
      if (predicted === label) correct += 1;
      if (predicted === 1) predictedPositive += 1;
      if (label === 1) actualPositive += 1;
      if (predicted === 1 && label === 1) truePositive += 1;
    }
    const precision = predictedPositive > 0 ? truePositive / predictedPositive : 0;
    const recall = actualPositive > 0 ? truePositive / actualPositive : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return {
      objective_loss: logLoss / n,
      binary_classification_accuracy: correct / n,
      precision,
      recall,
      binary_f_beta: f1,
    };
  }
  let logLoss = 0;
  let correct = 0;
  const k = model.outputs;
  for (let i = 0; i < n; i += 1) {
    const label = labels[i] as number;
    let best = 0;
    for (let o = 1; o < k; o += 1) {
      if ((predictions[i * k + o] as number) > (predictions[i * k + best] as number)) best = o;
    }
    if (best === label) correct += 1;
    logLoss -= Math.log(Math.max(predictions[i * k + label] ?? 0, 1e-15));
  }
  return { objective_loss: logLoss / n, multiclass_accuracy: correct / n };
}
