import type { Matrix } from './numeric-csv';
import { createRandom } from './random';

export type PredictorType = 'regressor' | 'binary_classifier' | 'multiclass_classifier';

export interface LinearOptions {
  predictorType: PredictorType;
  /** Required for `multiclass_classifier`: labels are 0 .. numClasses-1. */
  numClasses?: number;
  /** Passes over the training rows (classifiers). */
  epochs?: number;
  miniBatchSize?: number;
  /** Adam step size on standardised features (classifiers). */
  learningRate?: number;
  /** L2 weight decay (SageMaker's `wd`). */
  weightDecay?: number;
  seed?: number;
  /** Called after each epoch of a classifier with the epochs done and planned. */
  onProgress?: TrainingProgress;
}

/** Reports how far a fit has come: `done` of `total` `unit` (epochs, restarts). */
export type TrainingProgress = (done: number, total: number, unit: string) => void;

/** A fitted linear model; weights apply to standardised features. */
export interface LinearModel {
  predictorType: PredictorType;
  featureDim: number;
  /** 1 for regressor and binary classifier, `numClasses` for multiclass. */
  outputs: number;
  featureMean: Float64Array;
  featureScale: Float64Array;
  /** Row-major `outputs x featureDim`. */
  weights: Float64Array;
  bias: Float64Array;
}

/** The labels do not fit the predictor type; the message says which label and what is expected. */
export class LabelError extends Error {
  override readonly name = 'LabelError';
}

/** Minimum optimiser steps for classifiers, so tiny data sets still converge. */
const MIN_STEPS = 300;

function standardisation(matrix: Matrix): { mean: Float64Array; scale: Float64Array } {
  const { data, rows, cols } = matrix;
  const mean = new Float64Array(cols);
  const scale = new Float64Array(cols);
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < cols; j += 1) mean[j] = (mean[j] as number) + (data[i * cols + j] as number);
  }
  for (let j = 0; j < cols; j += 1) mean[j] = (mean[j] as number) / rows;
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < cols; j += 1) {
      const diff = (data[i * cols + j] as number) - (mean[j] as number);
      scale[j] = (scale[j] as number) + diff * diff;
    }
  }
  for (let j = 0; j < cols; j += 1) {
    const std = Math.sqrt((scale[j] as number) / rows);
    scale[j] = std > 1e-12 ? std : 1;
  }
  return { mean, scale };
}

function standardise(matrix: Matrix, mean: Float64Array, scale: Float64Array): Float64Array {
  const { data, rows, cols } = matrix;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i += 1) {
    for (let j = 0; j < cols; j += 1) {
      out[i * cols + j] = ((data[i * cols + j] as number) - (mean[j] as number)) / (scale[j] as number);
    }
  }
  return out;
}

function checkLabels(labels: Float64Array, options: LinearOptions): number {
  if (options.predictorType === 'regressor') {
    const bad = labels.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new LabelError(`label of row ${bad + 1} is ${labels[bad]}: regression needs finite labels`);
    return 1;
  }
  const classes = options.predictorType === 'binary_classifier' ? 2 : (options.numClasses ?? 0);
  if (!Number.isInteger(classes) || classes < 2) {
    throw new LabelError('num_classes must be an integer of at least 2 for multiclass_classifier');
  }
  const bad = labels.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= classes);
  if (bad >= 0) {
    throw new LabelError(
      `label of row ${bad + 1} is ${labels[bad]}: ${options.predictorType} needs labels 0 to ${classes - 1}`,
    );
  }
  return options.predictorType === 'binary_classifier' ? 1 : classes;
}

/** Solves the symmetric positive definite system `a x = b` in place (Cholesky). */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j += 1) {
    let diagonal = a[j * n + j] as number;
    for (let p = 0; p < j; p += 1) diagonal -= (a[j * n + p] as number) ** 2;
    const root = Math.sqrt(Math.max(diagonal, 1e-300));
    a[j * n + j] = root;
    for (let i = j + 1; i < n; i += 1) {
      let value = a[i * n + j] as number;
      for (let p = 0; p < j; p += 1) value -= (a[i * n + p] as number) * (a[j * n + p] as number);
      a[i * n + j] = value / root;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i += 1) {
    let value = b[i] as number;
    for (let p = 0; p < i; p += 1) value -= (a[i * n + p] as number) * (y[p] as number);
    y[i] = value / (a[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i -= 1) {
    let value = y[i] as number;
    for (let p = i + 1; p < n; p += 1) value -= (a[p * n + i] as number) * (x[p] as number);
    x[i] = value / (a[i * n + i] as number);
  }
  return x;
}

/** Ridge least squares on standardised features: exact, one pass to build the normal equations. */
function fitRegressor(x: Float64Array, rows: number, cols: number, labels: Float64Array, decay: number) {
  let labelMean = 0;
  for (let i = 0; i < rows; i += 1) labelMean += labels[i] as number;
  labelMean /= rows;
  const gram = new Float64Array(cols * cols);
  const moment = new Float64Array(cols);
  for (let i = 0; i < rows; i += 1) {
    const base = i * cols;
    const centred = (labels[i] as number) - labelMean;
    for (let p = 0; p < cols; p += 1) {
      const xp = x[base + p] as number;
      moment[p] = (moment[p] as number) + xp * centred;
      for (let q = 0; q <= p; q += 1)
        gram[p * cols + q] = (gram[p * cols + q] as number) + xp * (x[base + q] as number);
    }
  }
  for (let p = 0; p < cols; p += 1) {
    for (let q = 0; q < p; q += 1) gram[q * cols + p] = gram[p * cols + q] as number;
    // A tiny ridge keeps constant or duplicate columns solvable.
    gram[p * cols + p] = (gram[p * cols + p] as number) + rows * Math.max(decay, 1e-10);
  }
  return { weights: solveSpd(gram, moment, cols), bias: Float64Array.of(labelMean) };
}

/** Logistic (one output) or softmax (several) regression by mini-batch Adam. */
function fitClassifier(
  x: Float64Array,
  rows: number,
  cols: number,
  labels: Float64Array,
  outputs: number,
  options: LinearOptions,
) {
  const random = createRandom(options.seed ?? 0);
  const batch = Math.max(1, Math.min(options.miniBatchSize ?? 1000, rows));
  const batchesPerEpoch = Math.ceil(rows / batch);
  const steps = Math.max((options.epochs ?? 15) * batchesPerEpoch, MIN_STEPS);
  const epochs = Math.ceil(steps / batchesPerEpoch);
  const rate = options.learningRate ?? 0.05;
  const decay = options.weightDecay ?? 1e-4;
  const size = outputs * (cols + 1);
  const params = new Float64Array(size);
  const gradient = new Float64Array(size);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  const scores = new Float64Array(outputs);
  let cursor = rows;
  for (let step = 1; step <= steps; step += 1) {
    gradient.fill(0);
    let count = 0;
    while (count < batch) {
      if (cursor >= rows) {
        for (let i = rows - 1; i > 0; i -= 1) {
          const j = Math.floor(random() * (i + 1));
          [order[i], order[j]] = [order[j] as number, order[i] as number];
        }
        cursor = 0;
      }
      const row = order[cursor] as number;
      cursor += 1;
      count += 1;
      const base = row * cols;
      const label = labels[row] as number;
      for (let o = 0; o < outputs; o += 1) {
        let score = params[o * (cols + 1) + cols] as number;
        for (let j = 0; j < cols; j += 1)
          score += (params[o * (cols + 1) + j] as number) * (x[base + j] as number);
        scores[o] = score;
      }
      probabilities(scores, outputs);
      for (let o = 0; o < outputs; o += 1) {
        const target = outputs === 1 ? label : o === label ? 1 : 0;
        const error = (scores[o] as number) - target;
        const offset = o * (cols + 1);
        for (let j = 0; j < cols; j += 1) {
          gradient[offset + j] = (gradient[offset + j] as number) + error * (x[base + j] as number);
        }
        gradient[offset + cols] = (gradient[offset + cols] as number) + error;
      }
    }
    for (let p = 0; p < size; p += 1) {
      const isBias = p % (cols + 1) === cols;
      const g = (gradient[p] as number) / count + (isBias ? 0 : decay * (params[p] as number));
      m[p] = 0.9 * (m[p] as number) + 0.1 * g;
      v[p] = 0.999 * (v[p] as number) + 0.001 * g * g;
      const mHat = (m[p] as number) / (1 - 0.9 ** step);
      const vHat = (v[p] as number) / (1 - 0.999 ** step);
      params[p] = (params[p] as number) - (rate * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
    if (step % batchesPerEpoch === 0 || step === steps) {
      options.onProgress?.(Math.ceil(step / batchesPerEpoch), epochs, 'epochs');
    }
  }
  const weights = new Float64Array(outputs * cols);
  const bias = new Float64Array(outputs);
  for (let o = 0; o < outputs; o += 1) {
    weights.set(params.subarray(o * (cols + 1), o * (cols + 1) + cols), o * cols);
    bias[o] = params[o * (cols + 1) + cols] as number;
  }
  return { weights, bias };
}

/** Turns raw scores into probabilities in place: sigmoid for one output, softmax for several. */
export function probabilities(scores: Float64Array, outputs: number): void {
  if (outputs === 1) {
    scores[0] = 1 / (1 + Math.exp(-(scores[0] as number)));
    return;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let o = 0; o < outputs; o += 1) max = Math.max(max, scores[o] as number);
  let sum = 0;
  for (let o = 0; o < outputs; o += 1) {
    scores[o] = Math.exp((scores[o] as number) - max);
    sum += scores[o] as number;
  }
  for (let o = 0; o < outputs; o += 1) scores[o] = (scores[o] as number) / sum;
}

/**
 * Fits SageMaker linear learner's three predictor types on standardised
 * features: ridge least squares for `regressor`, logistic regression for
 * `binary_classifier` (labels 0/1), softmax regression for
 * `multiclass_classifier` (labels 0 .. numClasses-1). Throws `LabelError`
 * when a label does not fit the predictor type.
 */
export function fitLinearLearner(
  features: Matrix,
  labels: Float64Array,
  options: LinearOptions,
): LinearModel {
  if (features.rows === 0) throw new LabelError('the train channel has no rows');
  const outputs = checkLabels(labels, options);
  const { mean, scale } = standardisation(features);
  const x = standardise(features, mean, scale);
  const fitted =
    options.predictorType === 'regressor'
      ? fitRegressor(x, features.rows, features.cols, labels, options.weightDecay ?? 0)
      : fitClassifier(x, features.rows, features.cols, labels, outputs, options);
  return {
    predictorType: options.predictorType,
    featureDim: features.cols,
    outputs,
    featureMean: mean,
    featureScale: scale,
    ...fitted,
  };
}

/** Per row: the predicted value (regressor), probability of class 1 (binary), or class probabilities (multiclass, `outputs` per row). */
export function predictLinear(model: LinearModel, features: Matrix): Float64Array {
  const { featureDim: cols, outputs } = model;
  const out = new Float64Array(features.rows * outputs);
  const scores = new Float64Array(outputs);
  for (let i = 0; i < features.rows; i += 1) {
    for (let o = 0; o < outputs; o += 1) {
      let score = model.bias[o] as number;
      for (let j = 0; j < cols; j += 1) {
        const z =
          ((features.data[i * cols + j] as number) - (model.featureMean[j] as number)) /
          (model.featureScale[j] as number);
        score += (model.weights[o * cols + j] as number) * z;
      }
      scores[o] = score;
    }
    if (model.predictorType !== 'regressor') probabilities(scores, outputs);
    out.set(scores, i * outputs);
  }
  return out;
}
