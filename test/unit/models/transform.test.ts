import { describe, expect, it } from 'vitest';
import {
  buildModelRequest,
  buildTransformRequest,
  evaluationTransformName,
  evaluationTransformPrefix,
  SCORED_ALGORITHMS,
} from '../../../lib/models/transform';
import { MAX_JOB_NAME_LENGTH, trainingJobName } from '../../../lib/training/job-name';
import { scoringRequestProblems } from '../../support/botocore-validator';
import { testConfig } from '../../support/config';

/** A job name at SageMaker's limit: a long dataset name, hashed and shortened by the train stage. */
const LONGEST_JOB = trainingJobName(testConfig.jobPrefix, 'd'.repeat(60), '20260101T000000Z-3f2a9c01de');

describe('the scoring requests', () => {
  it('uses a job name at the length limit', () => {
    expect(LONGEST_JOB).toHaveLength(MAX_JOB_NAME_LENGTH);
  });

  it.each(
    SCORED_ALGORITHMS.flatMap((algorithm) => [
      { algorithm, labelFirst: true },
      { algorithm, labelFirst: false },
    ]),
  )(
    'are valid CreateModel and CreateTransformJob requests for $algorithm (label first: $labelFirst)',
    ({ algorithm, labelFirst }) => {
      const tags = {
        'sagedrop:dataset': 'iris',
        'sagedrop:job': LONGEST_JOB,
        'sagedrop:stack': 'sagedrop-dev',
      };
      const model = buildModelRequest({
        modelName: LONGEST_JOB,
        image: '685385470294.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1',
        modelDataUrl: `s3://${testConfig.bucket}/models/iris/${LONGEST_JOB}/output/model.tar.gz`,
        roleArn: testConfig.sagemakerRoleArn,
        tags,
      });
      expect(scoringRequestProblems('CreateModelInput', model)).toEqual([]);
      for (const role of ['challenger', 'champion'] as const) {
        const transform = buildTransformRequest({
          name: evaluationTransformName(testConfig.jobPrefix, LONGEST_JOB, role),
          modelName: LONGEST_JOB,
          algorithm,
          inputUri: `s3://${testConfig.bucket}/train/iris/r1/test/`,
          outputUri: `s3://${testConfig.bucket}/evaluation/iris/${LONGEST_JOB}/${role}/`,
          labelFirst,
          tags,
        });
        expect(scoringRequestProblems('CreateTransformJobRequest', transform)).toEqual([]);
        expect(transform.TransformJobName?.startsWith(evaluationTransformPrefix(testConfig.jobPrefix))).toBe(
          true,
        );
        expect(transform.DataProcessing?.InputFilter).toBe(labelFirst ? '$[1:]' : undefined);
        expect(transform.TransformOutput?.Accept).toBe(
          algorithm === 'linear-learner' ? 'application/jsonlines' : 'text/csv',
        );
      }
    },
  );

  it('names the two transforms of an evaluation apart, the same every time', () => {
    const challenger = evaluationTransformName('sagedrop-dev', 'job-a', 'challenger');
    expect(challenger).toBe(evaluationTransformName('sagedrop-dev', 'job-a', 'challenger'));
    expect(challenger).not.toBe(evaluationTransformName('sagedrop-dev', 'job-a', 'champion'));
    expect(challenger).not.toBe(evaluationTransformName('sagedrop-dev', 'job-b', 'challenger'));
  });
});
