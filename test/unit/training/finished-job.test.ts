import { describe, expect, it } from 'vitest';
import { spotSavings, summariseTrainingJob } from '../../../lib/training/finished-job';
import { describeJob } from '../../support/sagemaker';

describe('summariseTrainingJob', () => {
  it('is undefined while the job runs', () => {
    expect(summariseTrainingJob(describeJob({ status: 'InProgress' }))).toBeUndefined();
  });

  it('keeps what the catalog needs from a Completed job', () => {
    const job = summariseTrainingJob(describeJob());
    expect(job).toMatchObject({
      status: 'Completed',
      instanceType: 'ml.m5.large',
      metrics: { 'validation:multiclass_accuracy': 0.96, 'validation:objective_loss': 0.123456789 },
      trainingSeconds: 300,
      trainingEndedAt: '2026-01-01T01:00:00.000Z',
      trainChannelUri: 's3://sagedrop-data-123456789012/train/iris/r1/train/',
    });
    expect(job?.failedStep).toBeUndefined();
    expect(Object.keys(job?.hyperparameters ?? {})).toEqual(['feature_dim', 'num_classes', 'predictor_type']);
    expect(job?.steps.map((s) => s.status)).toEqual(['Starting', 'Downloading', 'Training', 'Completed']);
  });

  it('names the step that was under way when the job failed', () => {
    const job = summariseTrainingJob(
      describeJob({ status: 'Failed', failureReason: 'AlgorithmError: boom' }),
    );
    expect(job?.failedStep).toMatchObject({ status: 'Training', message: 'Training in progress' });
    expect(job?.failureReason).toBe('AlgorithmError: boom');
  });

  it('ignores metrics without a finite value', () => {
    const description = describeJob();
    description.FinalMetricDataList = [
      { MetricName: 'a', Value: Number.NaN },
      { MetricName: 'b', Value: 1 },
    ];
    expect(summariseTrainingJob(description)?.metrics).toEqual({ b: 1 });
  });
});

describe('spotSavings', () => {
  it('is 1 - billable / training for spot jobs only', () => {
    expect(spotSavings(true, 300, 90)).toBe(0.7);
    expect(spotSavings(true, 3, 1)).toBe(0.6667);
    expect(spotSavings(false, 300, 90)).toBeUndefined();
    expect(spotSavings(true, 0, 0)).toBeUndefined();
    expect(spotSavings(true, 100, 120)).toBe(0);
  });
});
