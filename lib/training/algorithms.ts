import { type Channel, keys } from '../layout';
import type { Algorithm, BuiltInAlgorithm } from '../settings/dataset';
import { TrainingConfigError } from './errors';
import { IMAGE_URIS, XGBOOST_VERSION } from './image-uris.generated';
import type { RunManifest } from './manifest';

export { XGBOOST_VERSION };

/** Integer labels 0..N-1 with N up to this are read as classes; more is a regression target. */
export const MAX_DERIVED_CLASSES = 100;
/** `num_round` for XGBoost when the dataset does not set it. */
export const DEFAULT_XGBOOST_ROUNDS = 100;
/** SageMaker accepts at most this many hyperparameters. */
export const MAX_HYPERPARAMETERS = 100;

/**
 * The built-in algorithm's training image in `region`, from the table generated
 * from the SageMaker Python SDK's registries. XGBoost is pinned to
 * `XGBOOST_VERSION`, never the legacy `:1`/`:latest`. Throws
 * `TrainingConfigError` for a region the table does not know, rather than
 * guessing an account.
 */
export function trainingImageFor(algorithm: BuiltInAlgorithm, region: string): string {
  const images = IMAGE_URIS[region];
  if (!images) {
    throw new TrainingConfigError(
      `sagedrop has no ${algorithm} image for region ${region}: the SageMaker image tables it was built from ` +
        `do not list that region. Set "trainingImage" to the ECR URI of the ${algorithm} image for ${region} ` +
        "in the dataset's sagedrop.json (possible when the stack allows custom images, param allowCustomImages).",
    );
  }
  return images[algorithm];
}

/** Every region that has built-in images. */
export function regionsWithImages(): string[] {
  return Object.keys(IMAGE_URIS);
}

/**
 * The channels of a run an algorithm is given. Linear learner and k-means take
 * the held-out `test` channel and report `test:*` metrics on it; XGBoost has
 * no test channel (its held-out rows are scored by the evaluation's batch
 * transform). k-means has no `validation` channel. A custom image gets every
 * channel written.
 */
export function acceptedChannels(algorithm: Algorithm): readonly Channel[] {
  switch (algorithm) {
    case 'kmeans':
      return ['train', 'test'];
    case 'linear-learner':
    case 'custom':
      return ['train', 'validation', 'test'];
    case 'xgboost':
      return ['train', 'validation'];
  }
}

/**
 * Whether the algorithm trains one model across several instances, each
 * reading its own share of the training files (`ShardedByS3Key`).
 *
 * - linear learner: yes ("Parallelizable: Yes" in AWS's "Parameters for
 *   Built-in Algorithms" table).
 * - XGBoost: yes; with more than one instance the data is divided among them
 *   (AWS's XGBoost page and "Amazon SageMaker XGBoost now offers fully
 *   distributed GPU training"; CPU training distributes the same way).
 * - k-means: no ("Parallelizable: No" in the same table), although the
 *   SageMaker Python SDK shards every first-party algorithm's input: given
 *   several instances, each reads the whole channel, so a model never comes
 *   from part of the rows.
 * - a custom image: unknown, so each instance reads everything.
 */
export function trainsDistributed(algorithm: Algorithm): boolean {
  return algorithm === 'linear-learner' || algorithm === 'xgboost';
}

/** What the label column of a run is, as far as choosing an objective goes. */
export type LabelKind =
  | { kind: 'binary'; values: [number, number] }
  | { kind: 'multiclass'; classes: number }
  | { kind: 'regression' }
  | { kind: 'constant'; value: string }
  | { kind: 'not-numeric' };

/**
 * Reads the merge's label summary: two distinct values are a binary target;
 * more, all non-negative integers starting at 0 with at most
 * `MAX_DERIVED_CLASSES` classes, a multiclass target (classes = largest + 1);
 * anything else a regression target.
 */
export function classifyLabels(labels: RunManifest['labels']): LabelKind {
  if (!labels.numeric) return { kind: 'not-numeric' };
  if (labels.moreDistinct) return { kind: 'regression' };
  const values = [...new Set(labels.distinct.map(Number))].sort((a, b) => a - b);
  const [first, second] = values;
  if (first === undefined) return { kind: 'not-numeric' };
  if (second === undefined) return { kind: 'constant', value: labels.distinct[0] ?? String(first) };
  if (values.length === 2) return { kind: 'binary', values: [first, second] };
  const largest = values.at(-1) ?? first;
  if (values.every(Number.isInteger) && first === 0 && largest + 1 <= MAX_DERIVED_CLASSES) {
    return { kind: 'multiclass', classes: largest + 1 };
  }
  return { kind: 'regression' };
}

/** What `deriveHyperparameters` needs of a run. */
export type RunFacts = Pick<RunManifest, 'dataset' | 'featureCount' | 'labels' | 'rows' | 'task'>;

/**
 * The label kind of a run: from the task the merge decided (classes are
 * encoded 0..N-1, so N classes are a binary target for 2 and multiclass
 * beyond), or, for runs merged before the task was recorded, from the label
 * summary (`classifyLabels`).
 */
export function runLabelKind(run: RunFacts): LabelKind {
  const task = run.task;
  if (task === undefined) return classifyLabels(run.labels);
  if (task.type === 'regression')
    return run.labels.numeric ? { kind: 'regression' } : { kind: 'not-numeric' };
  const classes = task.classes ?? [];
  if (classes.length < 2) return { kind: 'constant', value: classes[0] ?? '' };
  if (classes.length === 2) return { kind: 'binary', values: [0, 1] };
  return { kind: 'multiclass', classes: classes.length };
}

function settingsFile(run: RunFacts): string {
  return keys.raw(run.dataset, 'settings');
}

/** Classes of a supervised run that must be a classification, or a clear error. */
function classificationOf(run: RunFacts, setting: string): LabelKind {
  const kind = runLabelKind(run);
  const file = settingsFile(run);
  if (kind.kind === 'not-numeric') {
    throw new TrainingConfigError(
      run.task?.type === 'regression'
        ? `The labels in y.csv are not all numbers, so they cannot be a regression target: remove "task": ` +
            `"regression" from ${file} to train a classifier on them (text labels are classes), or upload numeric labels.`
        : `The labels in y.csv are not all numbers, which built-in algorithms need. Recode them as numbers ` +
            '(0 and 1 for two classes, 0..N-1 for N classes) and upload y.csv and x.csv again.',
    );
  }
  if (kind.kind === 'constant') {
    throw new TrainingConfigError(
      `Every label in y.csv is ${kind.value}: there is nothing to learn. Upload labels with at least two ` +
        `different values (or set ${setting} in ${file} if you really mean it).`,
    );
  }
  if (kind.kind === 'binary' && (kind.values[0] !== 0 || kind.values[1] !== 1)) {
    throw new TrainingConfigError(
      `y.csv has two label values, ${kind.values[0]} and ${kind.values[1]}, so this is a binary ` +
        'classification, which needs the labels to be 0 and 1. Recode them as 0 and 1 and upload y.csv and ' +
        `x.csv again, or set ${setting} in ${file} to train something else (e.g. a regressor).`,
    );
  }
  return kind;
}

function classesFor(run: RunFacts, setting: string, key: string, minClasses: number): string {
  const kind = runLabelKind(run);
  const classes =
    kind.kind === 'multiclass'
      ? kind.classes
      : kind.kind === 'binary' && kind.values[0] === 0 && kind.values[1] === 1
        ? 2
        : undefined;
  if (classes === undefined) {
    throw new TrainingConfigError(
      `${setting} is a multiclass objective but the labels in y.csv are not classes 0..N-1, so the number of ` +
        `classes cannot be derived: put "hyperparameters": {"${key}": N} in ${settingsFile(run)}, ` +
        'with labels numbered 0..N-1.',
    );
  }
  if (classes < minClasses) {
    throw new TrainingConfigError(
      `${setting} needs at least ${minClasses} classes but y.csv has only 0 and 1: use the binary ` +
        `objective instead (or remove it from ${settingsFile(run)} to let sagedrop choose).`,
    );
  }
  return String(classes);
}

function kmeansHyperparameters(run: RunFacts, user: Record<string, string>): Record<string, string> {
  const k = user.k;
  if (k === undefined) {
    throw new TrainingConfigError(
      `k-means needs the number of clusters: put "hyperparameters": {"k": N} in ${settingsFile(run)} ` +
        '(N a whole number of clusters, e.g. 3) and upload x.csv and y.csv again.',
    );
  }
  const clusters = Number(k);
  if (!Number.isInteger(clusters) || clusters < 1) {
    throw new TrainingConfigError(
      `"k" in ${settingsFile(run)} is "${k}": it must be a whole number of clusters, 1 or more.`,
    );
  }
  if (clusters > run.rows.train) {
    throw new TrainingConfigError(
      `"k" in ${settingsFile(run)} asks for ${clusters} clusters but the training channel has only ` +
        `${run.rows.train} rows: lower k or upload more rows.`,
    );
  }
  return { feature_dim: String(run.featureCount), ...user };
}

function linearLearnerHyperparameters(run: RunFacts, user: Record<string, string>): Record<string, string> {
  const derived: Record<string, string> = { feature_dim: String(run.featureCount) };
  const predictorType = user.predictor_type;
  if (predictorType === undefined) {
    const kind = classificationOf(run, '"predictor_type"');
    if (kind.kind === 'binary') derived.predictor_type = 'binary_classifier';
    else if (kind.kind === 'multiclass') {
      derived.predictor_type = 'multiclass_classifier';
      derived.num_classes = String(kind.classes);
    } else derived.predictor_type = 'regressor';
  } else if (predictorType === 'multiclass_classifier' && user.num_classes === undefined) {
    derived.num_classes = classesFor(run, '"predictor_type": "multiclass_classifier"', 'num_classes', 3);
  }
  return { ...derived, ...user };
}

function xgboostHyperparameters(run: RunFacts, user: Record<string, string>): Record<string, string> {
  const derived: Record<string, string> = { num_round: String(DEFAULT_XGBOOST_ROUNDS) };
  const objective = user.objective;
  if (objective === undefined) {
    const kind = classificationOf(run, '"objective"');
    if (kind.kind === 'binary') derived.objective = 'binary:logistic';
    else if (kind.kind === 'multiclass') {
      derived.objective = 'multi:softprob';
      derived.num_class = String(kind.classes);
    } else derived.objective = 'reg:squarederror';
  } else if (objective.startsWith('multi:') && user.num_class === undefined) {
    derived.num_class = classesFor(run, `"objective": "${objective}"`, 'num_class', 2);
  }
  return { ...derived, ...user };
}

/**
 * The hyperparameters of a training job: what the algorithm needs and the run
 * tells (k-means and linear-learner `feature_dim`; linear-learner
 * `predictor_type`/`num_classes` and XGBoost `objective`/`num_class` from the
 * labels; XGBoost `num_round`), overridden by whatever the dataset's
 * `sagedrop.json` sets: user values always win. A custom image gets the user's
 * values only. Throws `TrainingConfigError` naming the file to change when a
 * required value is missing or the labels do not fit the derived objective.
 */
export function deriveHyperparameters(
  algorithm: Algorithm,
  run: RunFacts,
  user: Record<string, string>,
): Record<string, string> {
  const hyperparameters = (() => {
    switch (algorithm) {
      case 'kmeans':
        return kmeansHyperparameters(run, user);
      case 'linear-learner':
        return linearLearnerHyperparameters(run, user);
      case 'xgboost':
        return xgboostHyperparameters(run, user);
      case 'custom':
        return { ...user };
    }
  })();
  const count = Object.keys(hyperparameters).length;
  if (count > MAX_HYPERPARAMETERS) {
    throw new TrainingConfigError(
      `${settingsFile(run)} gives ${count} hyperparameters (with the derived ones); SageMaker accepts at ` +
        `most ${MAX_HYPERPARAMETERS}. Remove some.`,
    );
  }
  return hyperparameters;
}
