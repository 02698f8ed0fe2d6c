import { describe, expect, it } from 'vitest';
import type { Channel } from '../../../lib/layout';
import type { Algorithm, Settings } from '../../../lib/settings/dataset';
import { TrainingConfigError } from '../../../lib/training/errors';
import { JOB_TAGS, tagValue } from '../../../lib/training/job-tags';
import { buildTrainingRequest } from '../../../lib/training/request';
import { createTrainingJobProblems } from '../../support/botocore-validator';
import { testConfig } from '../../support/config';
import { LABELS, makeManifest } from '../../support/manifests';

const CUSTOM_IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-trainer:2.1';

const HOSTILE_DATASETS = [
  'iris',
  'Données clients 2024',
  'sales (2024) #1, "final" & more!',
  'my.data_set v2',
  `${'ü'.repeat(60)}${'x'.repeat(40)}`,
  '🚀 rockets',
  'a'.repeat(100),
  "o'brien%20+data",
];

function settingsFor(algorithm: Algorithm): Partial<Settings> {
  if (algorithm === 'custom')
    return { algorithm, trainingImage: CUSTOM_IMAGE, hyperparameters: { epochs: '3' } };
  if (algorithm === 'kmeans') return { algorithm, hyperparameters: { k: '3' } };
  return { algorithm };
}

const CHANNEL_SETS: Channel[][] = [
  ['train'],
  ['train', 'validation'],
  ['train', 'test'],
  ['train', 'validation', 'test'],
];

describe('buildTrainingRequest', () => {
  it('builds only requests the SageMaker service model accepts, for every combination', () => {
    let checked = 0;
    for (const algorithm of ['kmeans', 'linear-learner', 'xgboost', 'custom'] as const) {
      for (const labels of Object.values(LABELS)) {
        for (const spot of [false, true]) {
          for (const instanceCount of [1, 3]) {
            for (const channels of CHANNEL_SETS) {
              for (const dataset of HOSTILE_DATASETS) {
                const manifest = makeManifest({
                  dataset,
                  labels,
                  channels,
                  files: instanceCount,
                  settings: {
                    ...settingsFor(algorithm),
                    spot,
                    instanceCount,
                    ...(spot ? { maxWaitSeconds: 7200 } : {}),
                  },
                });
                const { request, job } = buildTrainingRequest(manifest, testConfig);
                expect(createTrainingJobProblems(request), `${algorithm} ${dataset} ${channels}`).toEqual([]);
                expect(request.TrainingJobName).toBe(job);
                checked += 1;
              }
            }
          }
        }
      }
    }
    expect(checked).toBe(4 * 3 * 2 * 2 * 4 * HOSTILE_DATASETS.length);
  });

  it('uses the stack role, region image, output path, resources and tags', () => {
    const manifest = makeManifest({ dataset: 'iris', labels: LABELS.multiclass });
    const { request, job, algorithm } = buildTrainingRequest(manifest, testConfig);
    expect(algorithm).toBe('linear-learner');
    expect(request).toMatchObject({
      RoleArn: testConfig.sagemakerRoleArn,
      AlgorithmSpecification: {
        TrainingImage: '438346466558.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1',
        TrainingInputMode: 'File',
      },
      OutputDataConfig: { S3OutputPath: `s3://${testConfig.bucket}/models/iris/` },
      ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      HyperParameters: { feature_dim: '4', predictor_type: 'multiclass_classifier', num_classes: '3' },
      Tags: [
        { Key: JOB_TAGS.dataset, Value: 'iris' },
        { Key: JOB_TAGS.run, Value: manifest.run },
        { Key: JOB_TAGS.stack, Value: testConfig.stackName },
      ],
    });
    expect(request.EnableManagedSpotTraining).toBeUndefined();
    expect(request.CheckpointConfig).toBeUndefined();
    expect(job).toBe(`${testConfig.jobPrefix}--iris--${manifest.run}`);
  });

  it('gives linear-learner train, validation and the labelled test channel, XGBoost train and validation', () => {
    for (const algorithm of ['linear-learner', 'xgboost'] as const) {
      const { request } = buildTrainingRequest(makeManifest({ settings: { algorithm } }), testConfig);
      expect(request.InputDataConfig?.map((c) => c.ChannelName)).toEqual(
        algorithm === 'linear-learner' ? ['train', 'validation', 'test'] : ['train', 'validation'],
      );
      for (const channel of request.InputDataConfig ?? []) {
        expect(channel.ContentType).toBe('text/csv');
        expect(channel.DataSource?.S3DataSource).toEqual({
          S3DataType: 'S3Prefix',
          S3Uri: `s3://${testConfig.bucket}/train/iris/${makeManifest().run}/${channel.ChannelName}/`,
          S3DataDistributionType: 'FullyReplicated',
        });
      }
    }
  });

  it('gives k-means train and test, feature-only', () => {
    const manifest = makeManifest({ settings: { algorithm: 'kmeans', hyperparameters: { k: '3' } } });
    const { request } = buildTrainingRequest(manifest, testConfig);
    expect(request.InputDataConfig?.map((c) => [c.ChannelName, c.ContentType])).toEqual([
      ['train', 'text/csv;label_size=0'],
      ['test', 'text/csv;label_size=0'],
    ]);
    expect(request.HyperParameters).toEqual({ feature_dim: '4', k: '3' });
    expect(request.AlgorithmSpecification?.TrainingImage).toBe(
      '438346466558.dkr.ecr.eu-west-1.amazonaws.com/kmeans:1',
    );
  });

  it('shards the train parts by key for the algorithms that train distributed, and replicates the rest', () => {
    const distribution = (algorithm: Algorithm, instanceCount: number, files: number) => {
      const manifest = makeManifest({ settings: { ...settingsFor(algorithm), instanceCount }, files });
      const { request, instances } = buildTrainingRequest(manifest, testConfig);
      const types = Object.fromEntries(
        (request.InputDataConfig ?? []).map((c) => [
          c.ChannelName,
          c.DataSource?.S3DataSource?.S3DataDistributionType,
        ]),
      );
      return { types, count: request.ResourceConfig?.InstanceCount, note: instances.note };
    };
    for (const algorithm of ['linear-learner', 'xgboost'] as const) {
      const sharded = distribution(algorithm, 4, 6);
      expect(sharded.types.train).toBe('ShardedByS3Key');
      // Validation and test rows are scored whole by every instance.
      for (const [name, type] of Object.entries(sharded.types))
        if (name !== 'train') expect(type).toBe('FullyReplicated');
      expect(sharded).toMatchObject({ count: 4, note: undefined });
      expect(distribution(algorithm, 1, 6)).toMatchObject({ types: { train: 'FullyReplicated' }, count: 1 });
    }
    for (const algorithm of ['kmeans', 'custom'] as const) {
      const replicated = distribution(algorithm, 4, 6);
      expect(Object.values(replicated.types).every((t) => t === 'FullyReplicated')).toBe(true);
      expect(replicated.count).toBe(4);
      expect(replicated.note).toMatch(/each of the 4 instances reads all of it.*"instanceCount": 1/);
    }
  });

  it('never gives a distributed job more instances than the train channel has parts, and says so', () => {
    const manifest = makeManifest({ settings: { algorithm: 'linear-learner', instanceCount: 8 }, files: 3 });
    const { request, instances } = buildTrainingRequest(manifest, testConfig);
    expect(request.ResourceConfig?.InstanceCount).toBe(3);
    expect(request.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3DataDistributionType).toBe(
      'ShardedByS3Key',
    );
    expect(instances.note).toMatch(
      /"instanceCount" 8 lowered to 3: the train channel has 3 parts.*"shardSizeMb"/,
    );
    const single = buildTrainingRequest(
      makeManifest({ settings: { algorithm: 'xgboost', instanceCount: 2 }, files: 1 }),
      testConfig,
    );
    expect(single.request.ResourceConfig?.InstanceCount).toBe(1);
    expect(single.request.InputDataConfig?.[0]?.DataSource?.S3DataSource?.S3DataDistributionType).toBe(
      'FullyReplicated',
    );
    expect(single.instances.note).toMatch(/lowered to 1: the train channel has 1 part and/);
  });

  it('refuses to give k-means a channel that leads with the label', () => {
    const manifest = makeManifest({ settings: { algorithm: 'kmeans', hyperparameters: { k: '3' } } });
    manifest.channels.train.labelFirst = true;
    expect(() => buildTrainingRequest(manifest, testConfig)).toThrow(TrainingConfigError);
    expect(() => buildTrainingRequest(manifest, testConfig)).toThrow(/k-means is unsupervised/);
  });

  it('refuses supervised training data without a label column', () => {
    const manifest = makeManifest({ settings: { algorithm: 'xgboost' } });
    if (manifest.channels.validation) manifest.channels.validation.labelFirst = false;
    expect(() => buildTrainingRequest(manifest, testConfig)).toThrow(/validation channel .* no label column/);
  });

  it('gives a custom image every channel and only the user hyperparameters', () => {
    const manifest = makeManifest({ settings: settingsFor('custom') });
    const { request, algorithm } = buildTrainingRequest(manifest, testConfig);
    expect(algorithm).toBe(CUSTOM_IMAGE);
    expect(request.AlgorithmSpecification?.TrainingImage).toBe(CUSTOM_IMAGE);
    expect(request.HyperParameters).toEqual({ epochs: '3' });
    expect(request.InputDataConfig?.map((c) => c.ChannelName)).toEqual(['train', 'validation', 'test']);
  });

  it('refuses a custom image when the stack does not allow them', () => {
    const config = { ...testConfig, defaults: { ...testConfig.defaults, allowCustomImages: false } };
    const manifest = makeManifest({ settings: settingsFor('custom') });
    expect(() => buildTrainingRequest(manifest, config)).toThrow(
      /only trains built-in algorithms \(param allowCustomImages/,
    );
  });

  it('refuses a training image next to a built-in algorithm', () => {
    const manifest = makeManifest({ settings: { algorithm: 'xgboost', trainingImage: CUSTOM_IMAGE } });
    expect(() => buildTrainingRequest(manifest, testConfig)).toThrow(/either "algorithm" or "trainingImage"/);
  });

  it('asks for trainingImage in a region without built-in images', () => {
    const config = { ...testConfig, region: 'xx-nowhere-1' };
    expect(() => buildTrainingRequest(makeManifest(), config)).toThrow(
      /no linear-learner image for region xx-nowhere-1/,
    );
    const custom = buildTrainingRequest(makeManifest({ settings: settingsFor('custom') }), config);
    expect(custom.request.AlgorithmSpecification?.TrainingImage).toBe(CUSTOM_IMAGE);
  });

  it('turns on managed spot training with a wait limit and a checkpoint location under the job', () => {
    const manifest = makeManifest({ dataset: 'my data', settings: { spot: true, maxWaitSeconds: 9000 } });
    const { request, job } = buildTrainingRequest(manifest, testConfig);
    expect(request.EnableManagedSpotTraining).toBe(true);
    expect(request.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 9000 });
    expect(request.CheckpointConfig).toEqual({
      S3Uri: `s3://${testConfig.bucket}/models/my data/${job}/checkpoints/`,
    });
  });

  it('keeps raw dataset names in the output path and a hashed form in tags when they do not fit', () => {
    const dataset = 'sales (2024) #1';
    const { request } = buildTrainingRequest(makeManifest({ dataset }), testConfig);
    expect(request.OutputDataConfig?.S3OutputPath).toBe(`s3://${testConfig.bucket}/models/${dataset}/`);
    expect(request.Tags?.[0]?.Value).toMatch(/^sales _2024_ _1@[0-9a-f]{12}$/);
  });
});

describe('tagValue', () => {
  it('keeps values SageMaker accepts, Unicode letters and spaces included', () => {
    expect(tagValue('Données clients 2024')).toBe('Données clients 2024');
    expect(tagValue('a-b_c.d:e/f=g+h@i')).toBe('a-b_c.d:e/f=g+h@i');
  });

  it('replaces refused characters and keeps distinct names distinct', () => {
    const a = tagValue('sales (2024)');
    const b = tagValue('sales [2024]');
    expect(a).not.toBe(b);
    expect(a.startsWith('sales _2024_@')).toBe(true);
  });

  it('cuts long values to 256 characters', () => {
    const value = tagValue(`${'x'.repeat(300)}`);
    expect(value).toHaveLength(256);
    expect(tagValue('🚀'.repeat(200)).length).toBeLessThanOrEqual(256);
  });
});
