import { describe, expect, it } from 'vitest';
import { buildTrainingRequest } from '../../lib/training/request';
import { createTrainingJobProblems } from './botocore-validator';
import { testConfig } from './config';
import { makeManifest } from './manifests';

function validRequest() {
  return buildTrainingRequest(makeManifest(), testConfig).request;
}

describe('botocore validator', () => {
  it('accepts a request the stage builds', () => {
    expect(createTrainingJobProblems(validRequest())).toEqual([]);
  });

  it('reports a missing required member', () => {
    const { RoleArn: _, ...request } = validRequest();
    expect(createTrainingJobProblems(request)).toContain('CreateTrainingJobRequest.RoleArn: required');
  });

  it('reports a job name that is too long or breaks the pattern', () => {
    const long = createTrainingJobProblems({ ...validRequest(), TrainingJobName: 'a'.repeat(64) });
    expect(long.join('\n')).toMatch(/TrainingJobName: 64 characters, max 63/);
    const bad = createTrainingJobProblems({ ...validRequest(), TrainingJobName: 'my_job' });
    expect(bad.join('\n')).toMatch(/TrainingJobName: "my_job" does not match/);
    const trailing = createTrainingJobProblems({ ...validRequest(), TrainingJobName: 'job-' });
    expect(trailing.join('\n')).toMatch(/does not match/);
  });

  it('reports values outside an enum', () => {
    const request = validRequest();
    request.ResourceConfig = { ...request.ResourceConfig, InstanceType: 'ml.m5.larg' as 'ml.m5.large' };
    expect(createTrainingJobProblems(request).join('\n')).toMatch(/InstanceType: "ml.m5.larg" is not one of/);
  });

  it('reports tag values with characters SageMaker refuses and too many tags', () => {
    const request = validRequest();
    request.Tags = [{ Key: 'sagedrop:dataset', Value: 'sales (2024)' }];
    expect(createTrainingJobProblems(request).join('\n')).toMatch(
      /Tags\[0\]\.Value: "sales \(2024\)" does not match/,
    );
    request.Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(createTrainingJobProblems(request).join('\n')).toMatch(/Tags: 51 items, max 50/);
  });

  it('accepts Unicode letters and spaces in tag values, as the Java pattern does', () => {
    const request = validRequest();
    request.Tags = [{ Key: 'sagedrop:dataset', Value: 'données clients 2024' }];
    expect(createTrainingJobProblems(request)).toEqual([]);
  });

  it('reports too many hyperparameters and non-string values', () => {
    const request = validRequest();
    request.HyperParameters = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`h${i}`, '1']));
    expect(createTrainingJobProblems(request).join('\n')).toMatch(/HyperParameters: 101 entries, max 100/);
    request.HyperParameters = { k: 3 as unknown as string };
    expect(createTrainingJobProblems(request).join('\n')).toMatch(
      /HyperParameters\["k"\]: expected a string/,
    );
  });

  it('reports wrong types, integer bounds, empty lists and unknown members', () => {
    const request = validRequest() as unknown as Record<string, unknown>;
    request.StoppingCondition = { MaxRuntimeInSeconds: 0 };
    request.InputDataConfig = [];
    request.EnableManagedSpotTraining = 'yes';
    request.Bucket = 'mine';
    const problems = createTrainingJobProblems(request).join('\n');
    expect(problems).toMatch(/MaxRuntimeInSeconds: 0 \(value\), min 1/);
    expect(problems).toMatch(/InputDataConfig: 0 items, min 1/);
    expect(problems).toMatch(/EnableManagedSpotTraining: expected a boolean/);
    expect(problems).toMatch(/Bucket: not a member/);
  });

  it('reports a channel name and an S3 URI that break their patterns', () => {
    const request = validRequest();
    const channel = request.InputDataConfig?.[0];
    if (!channel?.DataSource?.S3DataSource) throw new Error('no channel');
    channel.ChannelName = 'train data';
    channel.DataSource.S3DataSource.S3Uri = 'bucket/key';
    const problems = createTrainingJobProblems(request).join('\n');
    expect(problems).toMatch(/ChannelName: "train data" does not match/);
    expect(problems).toMatch(/S3Uri: "bucket\/key" does not match/);
  });
});
