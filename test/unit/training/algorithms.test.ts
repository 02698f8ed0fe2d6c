import { describe, expect, it } from 'vitest';
import {
  acceptedChannels,
  classifyLabels,
  DEFAULT_XGBOOST_ROUNDS,
  deriveHyperparameters,
  MAX_DERIVED_CLASSES,
} from '../../../lib/training/algorithms';
import { TrainingConfigError } from '../../../lib/training/errors';
import type { RunManifest } from '../../../lib/training/manifest';
import { LABELS, makeManifest } from '../../support/manifests';

type Labels = RunManifest['labels'];

function labels(distinct: string[], extra: Partial<Labels> = {}): Labels {
  const numbers = distinct.map(Number);
  return {
    distinct,
    moreDistinct: false,
    numeric: numbers.every(Number.isFinite),
    integer: numbers.every(Number.isInteger),
    min: Math.min(...numbers),
    max: Math.max(...numbers),
    ...extra,
  };
}

function run(summary: Labels, dataset = 'iris') {
  return makeManifest({ dataset, labels: summary, featureCount: 7 });
}

describe('classifyLabels', () => {
  it('reads two distinct values as binary', () => {
    expect(classifyLabels(LABELS.binary)).toEqual({ kind: 'binary', values: [0, 1] });
    expect(classifyLabels(labels(['0.0', '1.0']))).toEqual({ kind: 'binary', values: [0, 1] });
  });

  it('reads integers from 0 as classes, counting up to the largest', () => {
    expect(classifyLabels(LABELS.multiclass)).toEqual({ kind: 'multiclass', classes: 3 });
    expect(classifyLabels(labels(['0', '2', '5']))).toEqual({ kind: 'multiclass', classes: 6 });
    expect(classifyLabels(labels(['0', '1', '2.0', '1.0']))).toEqual({ kind: 'multiclass', classes: 3 });
  });

  it('reads many values, fractions, negatives, classes not from 0 or too many classes as regression', () => {
    expect(classifyLabels(LABELS.regression)).toEqual({ kind: 'regression' });
    expect(classifyLabels(labels(['0', '0.5', '1']))).toEqual({ kind: 'regression' });
    expect(classifyLabels(labels(['-1', '0', '1']))).toEqual({ kind: 'regression' });
    expect(classifyLabels(labels(['1', '2', '3']))).toEqual({ kind: 'regression' });
    expect(classifyLabels(labels(['0', '1', String(MAX_DERIVED_CLASSES)]))).toEqual({ kind: 'regression' });
    expect(classifyLabels(labels(['0', '1', String(MAX_DERIVED_CLASSES - 1)]))).toEqual({
      kind: 'multiclass',
      classes: MAX_DERIVED_CLASSES,
    });
  });

  it('reports a single value and non-numeric labels', () => {
    expect(classifyLabels(labels(['7']))).toEqual({ kind: 'constant', value: '7' });
    expect(classifyLabels({ ...labels(['a', 'b']), numeric: false })).toEqual({ kind: 'not-numeric' });
  });
});

describe('deriveHyperparameters', () => {
  it('gives linear-learner a binary classifier for 0/1 labels', () => {
    expect(deriveHyperparameters('linear-learner', run(LABELS.binary), {})).toEqual({
      feature_dim: '7',
      predictor_type: 'binary_classifier',
    });
  });

  it('gives linear-learner a multiclass classifier with num_classes', () => {
    expect(deriveHyperparameters('linear-learner', run(LABELS.multiclass), {})).toEqual({
      feature_dim: '7',
      predictor_type: 'multiclass_classifier',
      num_classes: '3',
    });
  });

  it('gives linear-learner a regressor for continuous labels', () => {
    expect(deriveHyperparameters('linear-learner', run(LABELS.regression), {})).toEqual({
      feature_dim: '7',
      predictor_type: 'regressor',
    });
  });

  it('gives XGBoost an objective per label kind and a default num_round', () => {
    expect(deriveHyperparameters('xgboost', run(LABELS.binary), {})).toEqual({
      num_round: String(DEFAULT_XGBOOST_ROUNDS),
      objective: 'binary:logistic',
    });
    expect(deriveHyperparameters('xgboost', run(LABELS.multiclass), {})).toEqual({
      num_round: '100',
      objective: 'multi:softprob',
      num_class: '3',
    });
    expect(deriveHyperparameters('xgboost', run(LABELS.regression), {})).toEqual({
      num_round: '100',
      objective: 'reg:squarederror',
    });
  });

  it('lets every user value win over a derived one', () => {
    expect(
      deriveHyperparameters('linear-learner', run(LABELS.multiclass), {
        predictor_type: 'regressor',
        feature_dim: 'auto',
        epochs: '30',
      }),
    ).toEqual({ feature_dim: 'auto', predictor_type: 'regressor', epochs: '30' });
    expect(
      deriveHyperparameters('xgboost', run(LABELS.binary), {
        num_round: '7',
        objective: 'reg:absoluteerror',
      }),
    ).toEqual({ num_round: '7', objective: 'reg:absoluteerror' });
    expect(deriveHyperparameters('kmeans', run(LABELS.binary), { k: '3', feature_dim: '2' })).toEqual({
      k: '3',
      feature_dim: '2',
    });
  });

  it('derives the class count when the user picks a multiclass objective without it', () => {
    expect(deriveHyperparameters('xgboost', run(LABELS.multiclass), { objective: 'multi:softmax' })).toEqual({
      num_round: '100',
      objective: 'multi:softmax',
      num_class: '3',
    });
    expect(
      deriveHyperparameters('linear-learner', run(LABELS.multiclass), {
        predictor_type: 'multiclass_classifier',
      }),
    ).toMatchObject({ num_classes: '3' });
    expect(() =>
      deriveHyperparameters('xgboost', run(LABELS.regression), { objective: 'multi:softprob' }),
    ).toThrow(/"hyperparameters": \{"num_class": N\} in raw\/iris\/sagedrop.json/);
  });

  it('refuses a linear-learner multiclass objective for 0/1 labels, which SageMaker needs 3 classes for', () => {
    expect(() =>
      deriveHyperparameters('linear-learner', run(LABELS.binary), {
        predictor_type: 'multiclass_classifier',
      }),
    ).toThrow(/needs at least 3 classes but y.csv has only 0 and 1/);
    expect(
      deriveHyperparameters('xgboost', run(LABELS.binary), { objective: 'multi:softprob' }),
    ).toMatchObject({
      num_class: '2',
    });
  });

  it('does not check labels the user has already chosen an objective for', () => {
    expect(
      deriveHyperparameters('linear-learner', run(labels(['1', '2'])), { predictor_type: 'regressor' }),
    ).toMatchObject({ predictor_type: 'regressor' });
  });

  it('gives k-means feature_dim from the manifest and keeps k', () => {
    expect(deriveHyperparameters('kmeans', run(LABELS.regression), { k: '3' })).toEqual({
      feature_dim: '7',
      k: '3',
    });
  });

  it('asks for k in the dataset settings file when k-means has none', () => {
    const attempt = () => deriveHyperparameters('kmeans', run(LABELS.binary, 'shops'), {});
    expect(attempt).toThrow(TrainingConfigError);
    expect(attempt).toThrow('put "hyperparameters": {"k": N} in raw/shops/sagedrop.json');
    expect(() => deriveHyperparameters('kmeans', run(LABELS.binary, 'default'), {})).toThrow(
      'in raw/sagedrop.json',
    );
  });

  it('refuses a k that is not a positive whole number or exceeds the training rows', () => {
    expect(() => deriveHyperparameters('kmeans', run(LABELS.binary), { k: 'three' })).toThrow(/whole number/);
    expect(() => deriveHyperparameters('kmeans', run(LABELS.binary), { k: '0' })).toThrow(/whole number/);
    expect(() => deriveHyperparameters('kmeans', run(LABELS.binary), { k: '500' })).toThrow(
      /500 clusters but the training channel has only 105 rows/,
    );
  });

  it('says clearly that two labels other than 0 and 1 must be recoded', () => {
    for (const algorithm of ['linear-learner', 'xgboost'] as const) {
      const attempt = () => deriveHyperparameters(algorithm, run(labels(['1', '2'])), {});
      expect(attempt).toThrow(TrainingConfigError);
      expect(attempt).toThrow(/two label values, 1 and 2.*needs the labels to be 0 and 1/);
    }
    expect(() => deriveHyperparameters('linear-learner', run(labels(['-1', '1'])), {})).toThrow(/-1 and 1/);
  });

  it('refuses a label column with one value', () => {
    expect(() => deriveHyperparameters('xgboost', run(labels(['4'])), {})).toThrow(
      /Every label in y.csv is 4/,
    );
  });

  it('passes a custom image the user values only', () => {
    expect(deriveHyperparameters('custom', run(LABELS.binary), { epochs: '3' })).toEqual({ epochs: '3' });
  });

  it('refuses more than 100 hyperparameters', () => {
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`h${i}`, '1']));
    expect(() => deriveHyperparameters('custom', run(LABELS.binary), many)).not.toThrow();
    expect(() => deriveHyperparameters('xgboost', run(LABELS.binary), many)).toThrow(/102 hyperparameters/);
  });
});

describe('acceptedChannels', () => {
  it('gives the held-out test channel to every algorithm that takes one: all but XGBoost', () => {
    expect(acceptedChannels('kmeans')).toEqual(['train', 'test']);
    expect(acceptedChannels('linear-learner')).toEqual(['train', 'validation', 'test']);
    expect(acceptedChannels('xgboost')).toEqual(['train', 'validation']);
    expect(acceptedChannels('custom')).toEqual(['train', 'validation', 'test']);
  });
});
