import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSageMakerRegistry, ModelRegistrationError, tagSafe } from '../../../lib/aws/registry';
import { modelPackageFor } from '../../../lib/training/model-package';

const sagemaker = mockClient(SageMakerClient);
const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/sagedrop-dev--iris/1';

const input = modelPackageFor({
  jobPrefix: 'sagedrop-dev',
  dataset: 'iris',
  run: 'r1',
  job: 'sagedrop-dev--iris--r1',
  algorithm: 'linear-learner',
  image: '685385470294.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1',
  modelDataUrl: 's3://b/models/iris/sagedrop-dev--iris--r1/output/model.tar.gz',
});

const registry = () => createSageMakerRegistry(new SageMakerClient({ region: 'eu-west-1' }));

describe('createSageMakerRegistry', () => {
  beforeEach(() => {
    sagemaker.reset();
    sagemaker.on(CreateModelPackageGroupCommand).resolves({ ModelPackageGroupArn: 'group-arn' });
    sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: ARN });
  });

  it('creates the group, then a package pending approval with the image, model data and text/csv', async () => {
    expect(await registry().register(input)).toBe(ARN);
    const group = sagemaker.commandCalls(CreateModelPackageGroupCommand)[0]?.args[0].input;
    expect(group).toMatchObject({
      ModelPackageGroupName: 'sagedrop-dev--iris',
      Tags: [
        { Key: 'sagedrop:dataset', Value: 'iris' },
        { Key: 'sagedrop:run', Value: 'r1' },
      ],
    });
    const call = sagemaker.commandCalls(CreateModelPackageCommand)[0]?.args[0].input;
    expect(call).toEqual({
      ModelPackageGroupName: 'sagedrop-dev--iris',
      ModelPackageDescription: input.description,
      ModelApprovalStatus: 'PendingManualApproval',
      ClientToken: input.clientToken,
      InferenceSpecification: {
        Containers: [{ Image: input.image, ModelDataUrl: input.modelDataUrl }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      CustomerMetadataProperties: input.tags,
    });
  });

  it('sends the same client token when the same job is registered again', async () => {
    const r = registry();
    await r.register(input);
    await r.register(input);
    const tokens = sagemaker.commandCalls(CreateModelPackageCommand).map((c) => c.args[0].input.ClientToken);
    expect(tokens).toEqual([input.clientToken, input.clientToken]);
    // The group is created once per container.
    expect(sagemaker.commandCalls(CreateModelPackageGroupCommand)).toHaveLength(1);
  });

  it.each([
    ['ResourceInUse', 'Model Package Group already exists'],
    ['ValidationException', 'Model Package Group already exists: arn:aws:sagemaker:...'],
    ['ConflictException', 'conflict'],
  ])('uses an existing group (%s)', async (name, message) => {
    sagemaker.on(CreateModelPackageGroupCommand).rejects(Object.assign(new Error(message), { name }));
    expect(await registry().register(input)).toBe(ARN);
  });

  it('fails on other group errors, naming the group', async () => {
    sagemaker
      .on(CreateModelPackageGroupCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(registry().register(input)).rejects.toThrow(/sagedrop-dev--iris: not authorized/);
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(0);
  });

  it('rethrows a failed registration and creates the group again on the retry', async () => {
    sagemaker
      .on(CreateModelPackageCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ ModelPackageArn: ARN });
    const r = registry();
    await expect(r.register(input)).rejects.toBeInstanceOf(ModelRegistrationError);
    expect(await r.register(input)).toBe(ARN);
    expect(sagemaker.commandCalls(CreateModelPackageGroupCommand)).toHaveLength(2);
  });

  it('makes dataset names acceptable as tag and metadata values', async () => {
    expect(tagSafe('my data (2026)')).toBe('my data _2026_');
    expect(tagSafe('x'.repeat(300))).toHaveLength(256);
    await registry().register({ ...input, tags: { 'sagedrop:dataset': 'a,b' } });
    const call = sagemaker.commandCalls(CreateModelPackageCommand)[0]?.args[0].input;
    expect(call?.CustomerMetadataProperties).toEqual({ 'sagedrop:dataset': 'a_b' });
  });
});
