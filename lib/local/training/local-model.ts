import type { LinearModel, PredictorType } from './linear-learner';
import { predictLinear } from './linear-learner';
import { readTarGz } from './tar';

/** A model the local trainer wrote (`model.json` in `model.tar.gz`), ready to predict. */
export type LocalModel =
  | { algorithm: 'kmeans'; featureDim: number; centroids: number[][] }
  | { algorithm: 'linear-learner'; linear: LinearModel };

/** Reads the local trainer's `model.tar.gz`. Throws when it is not one. */
export function readLocalModel(archive: Uint8Array): LocalModel {
  const entry = readTarGz(archive).find((e) => e.name === 'model.json');
  if (!entry)
    throw new Error('ClientError: model.tar.gz has no model.json: not a model of the local trainer');
  const model = JSON.parse(Buffer.from(entry.data).toString('utf8')) as Record<string, unknown>;
  if (model.algorithm === 'kmeans') {
    return {
      algorithm: 'kmeans',
      featureDim: model.featureDim as number,
      centroids: model.centroids as number[][],
    };
  }
  if (model.algorithm === 'linear-learner') {
    const weights = model.weights as number[][];
    return {
      algorithm: 'linear-learner',
      linear: {
        predictorType: model.predictorType as PredictorType,
        featureDim: model.featureDim as number,
        outputs: weights.length,
        featureMean: Float64Array.from(model.featureMean as number[]),
        featureScale: Float64Array.from(model.featureScale as number[]),
        weights: Float64Array.from(weights.flat()),
        bias: Float64Array.from(model.bias as number[]),
      },
    };
  }
  throw new Error(`ClientError: model.json of algorithm ${String(model.algorithm)} cannot score locally`);
}

function checkWidth(features: number[], width: number, where: string): void {
  if (features.length !== width || features.some((v) => !Number.isFinite(v))) {
    throw new Error(`ClientError: ${where} has ${features.length} values, the model takes ${width} numbers`);
  }
}

/**
 * One prediction line as the built-in container writes it: linear learner's
 * JSON line (`score`, and `predicted_label` for classifiers), k-means' CSV
 * `closest_cluster,distance_to_cluster` (Euclidean distance).
 */
export function predictLine(model: LocalModel, features: number[], accept: string, where: string): string {
  if (model.algorithm === 'kmeans') {
    checkWidth(features, model.featureDim, where);
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    model.centroids.forEach((centroid, c) => {
      let sum = 0;
      for (let j = 0; j < centroid.length; j += 1)
        sum += ((features[j] as number) - (centroid[j] as number)) ** 2;
      if (sum < bestDistance) {
        bestDistance = sum;
        best = c;
      }
    });
    const distance = Math.sqrt(bestDistance);
    return accept === 'text/csv'
      ? `${best.toFixed(1)},${distance}`
      : JSON.stringify({ closest_cluster: best, distance_to_cluster: distance });
  }
  const { linear } = model;
  checkWidth(features, linear.featureDim, where);
  const scores = predictLinear(linear, { data: Float64Array.from(features), rows: 1, cols: features.length });
  if (linear.predictorType === 'regressor') return JSON.stringify({ score: scores[0] });
  if (linear.predictorType === 'binary_classifier') {
    const p = scores[0] as number;
    return JSON.stringify({ score: p, predicted_label: p >= 0.5 ? 1 : 0 });
  }
  const probabilities = Array.from(scores);
  let label = 0;
  for (let o = 1; o < probabilities.length; o += 1)
    if ((probabilities[o] as number) > (probabilities[label] as number)) label = o;
  return JSON.stringify({ score: probabilities, predicted_label: label });
}
