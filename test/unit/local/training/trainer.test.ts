import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { describe, expect, it } from 'vitest';
import { readTarGz } from '../../../../lib/local/training/tar';
import { createLocalTrainer } from '../../../../lib/local/training/trainer';
import type { TrainingStateChangeEvent } from '../../../../lib/local/training/training-event';
import { TrainingRequestRejectedError } from '../../../../lib/ports';
import { MemoryStore } from '../../../support/memory-store';

const BUCKET = 'local-bucket';
/** Top-level keys of AWS's documented sample event (test/fixtures/aws/events). */
const SAMPLE_EVENT_KEYS = [
  'account',
  'detail',
  'detail-type',
  'id',
  'region',
  'resources',
  'source',
  'time',
  'version',
];

function request(
  name: string,
  repo: string,
  hyperparameters: Record<string, string>,
): CreateTrainingJobRequest {
  // As SageMaker reads CSV: label first unless the channel declares label_size=0 (features-only k-means).
  const contentType = repo === 'kmeans' ? 'text/csv;label_size=0' : 'text/csv';
  return {
    TrainingJobName: name,
    AlgorithmSpecification: {
      TrainingImage: `382416733822.dkr.ecr.us-east-1.amazonaws.com/${repo}:1`,
      TrainingInputMode: 'File',
    },
    RoleArn: 'arn:aws:iam::000000000000:role/sagedrop-local',
    HyperParameters: hyperparameters,
    InputDataConfig: [
      {
        ChannelName: 'train',
        ContentType: contentType,
        DataSource: {
          S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/train/ds/run1/train/` },
        },
      },
      {
        ChannelName: 'validation',
        ContentType: contentType,
        DataSource: {
          S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${BUCKET}/train/ds/run1/validation/` },
        },
      },
    ],
    OutputDataConfig: { S3OutputPath: `s3://${BUCKET}/models/ds/` },
    ResourceConfig: { InstanceType: 'ml.m5.large', InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    Tags: [{ Key: 'sagedrop:dataset', Value: 'ds' }],
  };
}

async function setup(trainRows: string, validationRows = trainRows) {
  const store = new MemoryStore();
  await store.put('train/ds/run1/train/train.csv', trainRows);
  await store.put('train/ds/run1/validation/validation.csv', validationRows);
  const events: TrainingStateChangeEvent[] = [];
  const trainer = createLocalTrainer({ store, bucket: BUCKET, onStateChange: (e) => void events.push(e) });
  return { store, trainer, events };
}

const LABELLED = Array.from(
  { length: 40 },
  (_, i) => `${i % 2},${(i % 2) * 10 + (i % 5) * 0.1},${i % 3}`,
).join('\n');
const FEATURES = Array.from({ length: 40 }, (_, i) => `${(i % 2) * 10 + (i % 5) * 0.1},${i % 3}`).join('\n');

describe('createLocalTrainer', () => {
  it('trains k-means after createTrainingJob returns and writes model.tar.gz with a JSON model', async () => {
    const { store, trainer, events } = await setup(FEATURES);
    const started = await trainer.createTrainingJob(request('job-1', 'kmeans', { k: '2', feature_dim: '2' }));
    expect(started).toBe('started');
    expect((await trainer.describeTrainingJob('job-1')).TrainingJobStatus).toBe('InProgress');
    await trainer.idle();
    const job = await trainer.describeTrainingJob('job-1');
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.SecondaryStatus).toBe('Completed');
    expect(job.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed',
    ]);
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe(`s3://${BUCKET}/models/ds/job-1/output/model.tar.gz`);
    expect(job.BillableTimeInSeconds).toBeGreaterThanOrEqual(1);
    const metrics = Object.fromEntries((job.FinalMetricDataList ?? []).map((m) => [m.MetricName, m.Value]));
    expect(Object.keys(metrics).sort()).toEqual(['train:msd', 'train:ssd']);
    const archive = store.versions.get('models/ds/job-1/output/model.tar.gz')?.at(-1)?.data;
    const [entry] = readTarGz(archive ?? new Uint8Array());
    const model = JSON.parse(Buffer.from(entry?.data ?? []).toString());
    expect(model).toMatchObject({ algorithm: 'kmeans', k: 2, featureDim: 2 });
    expect(model.centroids).toHaveLength(2);
    expect(events.map((e) => e.detail.TrainingJobStatus)).toEqual(['InProgress', 'Completed']);
  });

  it('emits state-change events shaped like SageMaker', async () => {
    const { trainer, events } = await setup(FEATURES);
    await trainer.createTrainingJob(request('job-2', 'kmeans', { k: '2', feature_dim: '2' }));
    await trainer.idle();
    const event = events.at(-1);
    expect(Object.keys(event ?? {}).sort()).toEqual(SAMPLE_EVENT_KEYS);
    expect(event).toMatchObject({
      source: 'aws.sagemaker',
      'detail-type': 'SageMaker Training Job State Change',
      region: 'us-east-1',
      resources: ['arn:aws:sagemaker:us-east-1:000000000000:training-job/job-2'],
      detail: {
        TrainingJobName: 'job-2',
        TrainingJobStatus: 'Completed',
        Tags: [{ Key: 'sagedrop:dataset', Value: 'ds' }],
        ModelArtifacts: { S3ModelArtifacts: `s3://${BUCKET}/models/ds/job-2/output/model.tar.gz` },
      },
    });
    expect(typeof event?.detail.CreationTime).toBe('number');
  });

  it('trains a linear learner classifier and reports validation metrics', async () => {
    const { trainer } = await setup(LABELLED);
    await trainer.createTrainingJob(
      request('ll-1', 'linear-learner', { predictor_type: 'binary_classifier', feature_dim: '2' }),
    );
    await trainer.idle();
    const job = await trainer.describeTrainingJob('ll-1');
    expect(job.TrainingJobStatus).toBe('Completed');
    const metrics = Object.fromEntries((job.FinalMetricDataList ?? []).map((m) => [m.MetricName, m.Value]));
    expect(metrics['validation:binary_classification_accuracy']).toBe(1);
    expect(metrics).toHaveProperty('validation:objective_loss');
    expect(metrics).toHaveProperty('train:objective_loss');
  });

  it('answers already-exists for a second job with the same name, as SageMaker does', async () => {
    const { trainer } = await setup(FEATURES);
    const first = request('dup', 'kmeans', { k: '2', feature_dim: '2' });
    expect(await trainer.createTrainingJob(first)).toBe('started');
    expect(await trainer.createTrainingJob({ ...first, HyperParameters: { k: '1', feature_dim: '2' } })).toBe(
      'already-exists',
    );
    await trainer.idle();
    expect(trainer.jobNames()).toEqual(['dup']);
    expect((await trainer.describeTrainingJob('dup')).HyperParameters?.k).toBe('2');
  });

  it('fails a job of another algorithm with "runs on SageMaker only" instead of crashing', async () => {
    const { trainer, events } = await setup(LABELLED);
    await trainer.createTrainingJob(request('xgb', 'sagemaker-xgboost', { num_round: '10' }));
    await trainer.idle();
    const job = await trainer.describeTrainingJob('xgb');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toMatch(/sagemaker-xgboost:1 runs on SageMaker only/);
    expect(events.at(-1)?.detail.FailureReason).toBe(job.FailureReason);
  });

  it('fails with a ClientError naming the problem when feature_dim does not match the data', async () => {
    const { trainer } = await setup(FEATURES);
    await trainer.createTrainingJob(request('dim', 'kmeans', { k: '2', feature_dim: '5' }));
    await trainer.idle();
    const job = await trainer.describeTrainingJob('dim');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toBe(
      'ClientError: The train channel has 2 feature columns (2 values per row, 0 label) but feature_dim is 5',
    );
  });

  it('reads a k-means channel declared plain text/csv as label first, as SageMaker does: its first column is lost', async () => {
    const { trainer } = await setup(FEATURES);
    const plain = request('plain', 'kmeans', { k: '2', feature_dim: '2' });
    for (const channel of plain.InputDataConfig ?? []) channel.ContentType = 'text/csv';
    await trainer.createTrainingJob(plain);
    await trainer.idle();
    const job = await trainer.describeTrainingJob('plain');
    expect(job.TrainingJobStatus).toBe('Failed');
    expect(job.FailureReason).toBe(
      'ClientError: The train channel has 1 feature columns (2 values per row, 1 label) but feature_dim is 2',
    );
  });

  it('fails with a ClientError when a required hyperparameter is missing', async () => {
    const { trainer } = await setup(LABELLED);
    await trainer.createTrainingJob(request('nopt', 'linear-learner', {}));
    await trainer.idle();
    expect((await trainer.describeTrainingJob('nopt')).FailureReason).toBe(
      'ClientError: Missing required hyperparameter: predictor_type',
    );
  });

  it('ends a job that ran past MaxRuntimeInSeconds as Stopped, as SageMaker does', async () => {
    const store = new MemoryStore();
    await store.put('train/ds/run1/train/train.csv', FEATURES);
    await store.put('train/ds/run1/validation/validation.csv', FEATURES);
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const trainer = createLocalTrainer({
      store,
      bucket: BUCKET,
      now: () => {
        clock += 30_000;
        return new Date(clock);
      },
    });
    await trainer.createTrainingJob({
      ...request('slow', 'kmeans', { k: '2', feature_dim: '2' }),
      StoppingCondition: { MaxRuntimeInSeconds: 60 },
    });
    await trainer.idle();
    const job = await trainer.describeTrainingJob('slow');
    expect(job.TrainingJobStatus).toBe('Stopped');
    expect(job.SecondaryStatus).toBe('MaxRuntimeExceeded');
    expect(job.ModelArtifacts?.S3ModelArtifacts).toMatch(/slow\/output\/model\.tar\.gz$/);
  });

  it('rejects a job name SageMaker would reject', async () => {
    const { trainer } = await setup(FEATURES);
    const attempt = trainer.createTrainingJob(request('bad_name', 'kmeans', {}));
    await expect(attempt).rejects.toBeInstanceOf(TrainingRequestRejectedError);
    await expect(attempt).rejects.toThrow(/trainingJobName/);
  });

  it('says a job it never started does not exist', async () => {
    const { trainer } = await setup(FEATURES);
    await expect(trainer.describeTrainingJob('nope')).rejects.toThrow(/not found/);
  });
});
