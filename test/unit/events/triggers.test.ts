import { describe, expect, it } from 'vitest';
import {
  functionsTriggeredBy,
  matchesEventPattern,
  S3_TRIGGERS,
  trainingJobPattern,
} from '../../../lib/events/triggers';

const event = (name: string, status: string) => ({
  source: 'aws.sagemaker',
  'detail-type': 'SageMaker Training Job State Change',
  detail: { TrainingJobName: name, TrainingJobStatus: status },
});

describe('S3_TRIGGERS', () => {
  it('never overlap and never fire on what a triggered function writes', () => {
    const [merge, train] = S3_TRIGGERS;
    expect(
      merge?.prefix.startsWith(train?.prefix ?? '') || train?.prefix.startsWith(merge?.prefix ?? ''),
    ).toBe(false);
    expect(functionsTriggeredBy('train/iris/run1/validation/validation.csv')).toEqual([]);
  });

  it('route raw uploads to merge and only manifests under train/ to train', () => {
    expect(functionsTriggeredBy('raw/iris/x.csv')).toEqual(['merge']);
    expect(functionsTriggeredBy('raw/x.csv')).toEqual(['merge']);
    expect(functionsTriggeredBy('train/iris/run1/manifest.json')).toEqual(['train']);
    expect(functionsTriggeredBy('train/iris/run1/train/train.csv')).toEqual([]);
    expect(functionsTriggeredBy('catalog/iris/job.json')).toEqual([]);
    expect(functionsTriggeredBy('models/iris/job/output/model.tar.gz')).toEqual([]);
  });
});

describe('matchesEventPattern', () => {
  const pattern = trainingJobPattern('sagedrop-local');

  it("matches terminal states of this stack's jobs", () => {
    for (const status of ['Completed', 'Failed', 'Stopped']) {
      expect(matchesEventPattern(pattern, event('sagedrop-local--iris--run', status))).toBe(true);
    }
  });

  it('ignores jobs in progress, jobs of other stacks and other event types', () => {
    expect(matchesEventPattern(pattern, event('sagedrop-local--iris--run', 'InProgress'))).toBe(false);
    expect(matchesEventPattern(pattern, event('sagedrop-local-eu--iris--run', 'Completed'))).toBe(false);
    expect(matchesEventPattern(pattern, event('someone-elses-job', 'Completed'))).toBe(false);
    expect(
      matchesEventPattern(pattern, { ...event('sagedrop-local-x', 'Completed'), source: 'aws.s3' }),
    ).toBe(false);
    expect(matchesEventPattern(pattern, { source: 'aws.sagemaker' })).toBe(false);
  });
});
