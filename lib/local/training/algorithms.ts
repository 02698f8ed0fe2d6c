import { sumOfSquaredDistances } from './kmeans';
import { fitKMeansInParallel } from './kmeans-parallel';
import { fitLinearLearner, LabelError, type PredictorType, type TrainingProgress } from './linear-learner';
import { evaluateLinearLearner } from './linear-metrics';
import { type Matrix, splitLabels } from './numeric-csv';

/** The built-in algorithms the local trainer runs; everything else runs on SageMaker only. */
export const LOCAL_ALGORITHMS = ['kmeans', 'linear-learner'] as const;
export type LocalAlgorithm = (typeof LOCAL_ALGORITHMS)[number];

/**
 * The job cannot train with what it was given (SageMaker's "ClientError"):
 * a missing hyperparameter, a channel of the wrong width, a bad label.
 */
export class TrainingInputError extends Error {
  override readonly name = 'TrainingInputError';
}

/** A channel read from the bucket: its rows, and how many leading columns are labels. */
export interface ChannelInput {
  matrix: Matrix;
  labelColumns: number;
}

export interface AlgorithmOutcome {
  /** Serialised as `model.json` inside `model.tar.gz`. */
  model: Record<string, unknown>;
  /** SageMaker metric names (`train:msd`, `validation:objective_loss`, ...) and values. */
  metrics: Record<string, number>;
}

/**
 * The ECR repository of a training image (`.../kmeans:1` -> `kmeans`), which is
 * how SageMaker itself tells the built-in algorithms apart.
 */
export function imageRepository(image: string): string {
  const path = image.slice(image.indexOf('/') + 1);
  return path.replace(/[@:].*$/, '');
}

/**
 * How many label columns lead each row, as SageMaker reads a CSV channel: the
 * `label_size=N` of `text/csv;label_size=N`, else 1 (the first column is the
 * target), for every algorithm: a k-means channel that does not declare
 * `label_size=0` loses its first column, as it would on AWS.
 */
export function labelColumns(contentType: string | undefined): number {
  const match = /;\s*label_size\s*=\s*(\d+)/i.exec(contentType ?? '');
  return match ? Number(match[1]) : 1;
}

type HyperParameters = Record<string, string>;

function integer(hp: HyperParameters, name: string, fallback?: number, min = 1): number {
  const raw = hp[name];
  if (raw === undefined || raw === '' || raw === 'auto') {
    if (fallback === undefined) throw new TrainingInputError(`Missing required hyperparameter: ${name}`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new TrainingInputError(`Hyperparameter ${name}=${raw} must be an integer of at least ${min}`);
  }
  return value;
}

function positiveNumber(hp: HyperParameters, name: string): number | undefined {
  const raw = hp[name];
  if (raw === undefined || raw === '' || raw === 'auto') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new TrainingInputError(`Hyperparameter ${name}=${raw} must be a non-negative number or "auto"`);
  }
  return value;
}

function requireChannel(channels: Map<string, ChannelInput>, name: string): ChannelInput {
  const channel = channels.get(name);
  if (!channel || channel.matrix.rows === 0) {
    throw new TrainingInputError(`The ${name} channel has no rows`);
  }
  return channel;
}

function featuresOf(channel: ChannelInput, name: string, featureDim: number | undefined) {
  const { matrix, labelColumns: labels } = channel;
  const width = matrix.cols - labels;
  if (featureDim !== undefined && width !== featureDim) {
    throw new TrainingInputError(
      `The ${name} channel has ${width} feature columns (${matrix.cols} values per row, ${labels} label) but feature_dim is ${featureDim}`,
    );
  }
  if (width < 1) throw new TrainingInputError(`The ${name} channel has no feature columns`);
  return splitLabels(matrix, labels);
}

/**
 * k-means with SageMaker's hyperparameters: `k` and `feature_dim` required;
 * `init_method` (`kmeans++` default here, or `random`), `local_lloyd_max_iter`,
 * `local_lloyd_tol` and `local_lloyd_num_trials` (restarts) honoured; `epochs`
 * and `mini_batch_size` validated, and unneeded because the local trainer runs
 * exact Lloyd iterations over all rows. Reports `train:msd`/`train:ssd` and,
 * with a test channel, `test:msd`/`test:ssd`.
 */
export async function trainKMeans(
  hp: HyperParameters,
  channels: Map<string, ChannelInput>,
  onProgress?: TrainingProgress,
): Promise<AlgorithmOutcome> {
  const k = integer(hp, 'k');
  const featureDim = integer(hp, 'feature_dim');
  integer(hp, 'epochs', 1);
  integer(hp, 'mini_batch_size', 5000);
  const init = hp.init_method ?? hp.local_lloyd_init_method ?? 'kmeans++';
  if (init !== 'kmeans++' && init !== 'random') {
    throw new TrainingInputError(`Hyperparameter init_method=${init} must be "random" or "kmeans++"`);
  }
  const train = featuresOf(requireChannel(channels, 'train'), 'train', featureDim).features;
  if (train.rows < k) {
    throw new TrainingInputError(`k=${k} is more than the ${train.rows} rows of the train channel`);
  }
  // Restarts in this thread and worker threads, one per core: the same model as one thread finds.
  const model = await fitKMeansInParallel(
    train,
    {
      k,
      init,
      restarts: integer(hp, 'local_lloyd_num_trials', 10),
      maxIterations: integer(hp, 'local_lloyd_max_iter', 300),
      tolerance: positiveNumber(hp, 'local_lloyd_tol') ?? 1e-4,
      seed: 0,
    },
    {},
    onProgress,
  );
  const metrics: Record<string, number> = {
    'train:msd': model.inertia / train.rows,
    'train:ssd': model.inertia,
  };
  const test = channels.get('test');
  if (test && test.matrix.rows > 0) {
    const features = featuresOf(test, 'test', featureDim).features;
    const ssd = sumOfSquaredDistances(model, features);
    metrics['test:msd'] = ssd / features.rows;
    metrics['test:ssd'] = ssd;
  }
  const centroids: number[][] = [];
  for (let c = 0; c < k; c += 1) {
    centroids.push(Array.from(model.centroids.subarray(c * featureDim, (c + 1) * featureDim)));
  }
  return {
    model: { algorithm: 'kmeans', k, featureDim, centroids, iterations: model.iterations },
    metrics,
  };
}

const PREDICTOR_TYPES: readonly PredictorType[] = ['regressor', 'binary_classifier', 'multiclass_classifier'];

/**
 * Linear learner with SageMaker's hyperparameters: `predictor_type` required,
 * `num_classes` for multiclass, `feature_dim` checked when set, `epochs`,
 * `mini_batch_size`, `learning_rate` and `wd` honoured. Reports
 * `train:objective_loss` and the validation/test metrics of each channel given.
 */
export function trainLinearLearner(
  hp: HyperParameters,
  channels: Map<string, ChannelInput>,
  onProgress?: TrainingProgress,
): AlgorithmOutcome {
  const predictorType = hp.predictor_type as PredictorType | undefined;
  if (!predictorType) throw new TrainingInputError('Missing required hyperparameter: predictor_type');
  if (!PREDICTOR_TYPES.includes(predictorType)) {
    throw new TrainingInputError(
      `Hyperparameter predictor_type=${predictorType} must be one of ${PREDICTOR_TYPES.join(', ')}`,
    );
  }
  const numClasses = predictorType === 'multiclass_classifier' ? integer(hp, 'num_classes', undefined, 3) : 2;
  const declaredDim = integer(hp, 'feature_dim', 0);
  const train = featuresOf(
    requireChannel(channels, 'train'),
    'train',
    declaredDim > 0 ? declaredDim : undefined,
  );
  const width = train.features.cols;
  for (const [name, channel] of channels) {
    if (channel.labelColumns !== 1) {
      throw new TrainingInputError(
        `The ${name} channel must have the label in the first column (label_size=1)`,
      );
    }
  }
  try {
    const options: Parameters<typeof fitLinearLearner>[2] = {
      predictorType,
      numClasses,
      epochs: integer(hp, 'epochs', 15),
      miniBatchSize: integer(hp, 'mini_batch_size', 1000),
      seed: 0,
      ...(onProgress ? { onProgress } : {}),
    };
    const learningRate = positiveNumber(hp, 'learning_rate');
    if (learningRate !== undefined) options.learningRate = learningRate;
    const weightDecay = positiveNumber(hp, 'wd');
    if (weightDecay !== undefined) options.weightDecay = weightDecay;
    const model = fitLinearLearner(train.features, train.labels, options);
    const metrics: Record<string, number> = {
      'train:objective_loss': evaluateLinearLearner(model, train.features, train.labels).objective_loss ?? 0,
    };
    for (const name of ['validation', 'test'] as const) {
      const channel = channels.get(name);
      if (!channel || channel.matrix.rows === 0) continue;
      const { features, labels } = featuresOf(channel, name, width);
      for (const [metric, value] of Object.entries(evaluateLinearLearner(model, features, labels))) {
        metrics[`${name}:${metric}`] = value;
      }
    }
    return {
      model: {
        algorithm: 'linear-learner',
        predictorType,
        featureDim: width,
        classes: predictorType === 'regressor' ? undefined : numClasses,
        featureMean: Array.from(model.featureMean),
        featureScale: Array.from(model.featureScale),
        weights: Array.from({ length: model.outputs }, (_, o) =>
          Array.from(model.weights.subarray(o * width, (o + 1) * width)),
        ),
        bias: Array.from(model.bias),
        note: 'weights apply to (x - featureMean) / featureScale; classifiers output sigmoid (binary) or softmax scores',
      },
      metrics,
    };
  } catch (error) {
    if (error instanceof LabelError) throw new TrainingInputError(error.message, { cause: error });
    throw error;
  }
}
