import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  ResourceInUse,
  ResourceLimitExceeded,
  SageMakerClient,
  SageMakerServiceException,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSageMakerTrainer, isThrottling } from '../../../lib/aws/sagemaker';
import { TrainingQuotaError, TrainingRequestRejectedError } from '../../../lib/ports';
import { buildTrainingRequest } from '../../../lib/training/request';
import { testConfig } from '../../support/config';
import { makeManifest } from '../../support/manifests';

const sagemaker = mockClient(SageMakerClient);
const request = buildTrainingRequest(makeManifest(), testConfig).request;

function serviceError(name: string, message: string, throttling = false) {
  const error = new SageMakerServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
  if (throttling) error.$retryable = { throttling: true };
  return error;
}

function trainer() {
  const sleeps: number[] = [];
  const backend = createSageMakerTrainer(new SageMakerClient({ region: 'eu-west-1' }), {
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
  });
  return { backend, sleeps };
}

afterEach(() => {
  sagemaker.reset();
});

describe('createSageMakerTrainer', () => {
  it('sends the request as built and reports the job started', async () => {
    sagemaker
      .on(CreateTrainingJobCommand)
      .resolves({ TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:1:training-job/x' });
    await expect(trainer().backend.createTrainingJob(request)).resolves.toBe('started');
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)[0]?.args[0].input).toEqual(request);
  });

  it('reads ResourceInUse as a job that already exists', async () => {
    sagemaker
      .on(CreateTrainingJobCommand)
      .rejects(new ResourceInUse({ message: 'Training job names must be unique', $metadata: {} }));
    await expect(trainer().backend.createTrainingJob(request)).resolves.toBe('already-exists');
  });

  it('turns ResourceLimitExceeded into a TrainingQuotaError carrying the quota message', async () => {
    const message = "The account-level service limit 'ml.m5.large for training job usage' is 0 Instances";
    sagemaker.on(CreateTrainingJobCommand).rejects(new ResourceLimitExceeded({ message, $metadata: {} }));
    const attempt = trainer().backend.createTrainingJob(request);
    await expect(attempt).rejects.toBeInstanceOf(TrainingQuotaError);
    await expect(attempt).rejects.toMatchObject({ quotaMessage: message });
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)).toHaveLength(1);
  });

  it('turns ValidationException into a TrainingRequestRejectedError', async () => {
    sagemaker.on(CreateTrainingJobCommand).rejects(serviceError('ValidationException', 'bad instance type'));
    await expect(trainer().backend.createTrainingJob(request)).rejects.toBeInstanceOf(
      TrainingRequestRejectedError,
    );
  });

  it('retries throttling with growing delays, then succeeds', async () => {
    sagemaker
      .on(CreateTrainingJobCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded', true))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded', true))
      .resolves({ TrainingJobArn: 'arn' });
    const { backend, sleeps } = trainer();
    await expect(backend.createTrainingJob(request)).resolves.toBe('started');
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('gives up on throttling after the bounded attempts and rethrows', async () => {
    sagemaker
      .on(CreateTrainingJobCommand)
      .rejects(serviceError('ThrottlingException', 'Rate exceeded', true));
    const { backend, sleeps } = trainer();
    await expect(backend.createTrainingJob(request)).rejects.toThrow('Rate exceeded');
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });

  it('rethrows other errors at once', async () => {
    sagemaker.on(CreateTrainingJobCommand).rejects(serviceError('InternalFailure', 'boom'));
    await expect(trainer().backend.createTrainingJob(request)).rejects.toThrow('boom');
    expect(sagemaker.commandCalls(CreateTrainingJobCommand)).toHaveLength(1);
  });

  it('describes a job by name, retrying throttling', async () => {
    sagemaker
      .on(DescribeTrainingJobCommand, { TrainingJobName: 'sagedrop-iris--r1' })
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded', true))
      .resolves({ TrainingJobName: 'sagedrop-iris--r1', TrainingJobStatus: 'InProgress' });
    await expect(trainer().backend.describeTrainingJob('sagedrop-iris--r1')).resolves.toMatchObject({
      TrainingJobStatus: 'InProgress',
    });
  });

  it('recognises throttling by name or by the SDK retry marker', () => {
    expect(isThrottling(serviceError('ThrottlingException', 'x'))).toBe(true);
    expect(isThrottling(serviceError('SlowDown', 'x', true))).toBe(true);
    expect(isThrottling(serviceError('ResourceInUse', 'x'))).toBe(false);
    expect(isThrottling('ThrottlingException')).toBe(false);
  });
});
