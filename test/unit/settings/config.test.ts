import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/settings/config';
import { ConfigError } from '../../../lib/settings/errors';

const complete = {
  AWS_REGION: 'eu-west-1',
  BUCKET_NAME: 'bucket',
  JOB_PREFIX: 'sagedrop-dev',
  SAGEMAKER_ROLE_ARN: 'arn:aws:iam::123456789012:role/sm',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:topic',
};

describe('loadConfig', () => {
  it('reads the function environment with the stack defaults', () => {
    const config = loadConfig({ ...complete, DEFAULT_SPOT: 'true', DEFAULT_INSTANCE_COUNT: '3' });
    expect(config).toMatchObject({ region: 'eu-west-1', bucket: 'bucket', registerModels: true });
    expect(config.defaults).toMatchObject({ spot: true, instanceCount: 3, algorithm: 'linear-learner' });
  });

  it('lists every missing or invalid variable at once', () => {
    expect(() =>
      loadConfig({ DEFAULT_SPOT: 'yes', DEFAULT_TEST_FRACTION: '2', DEFAULT_ALGORITHM: 'svm' }),
    ).toThrow(ConfigError);
    try {
      loadConfig({ DEFAULT_SPOT: 'yes', DEFAULT_ALGORITHM: 'svm' });
    } catch (error) {
      const message = (error as Error).message;
      for (const name of [
        'BUCKET_NAME',
        'JOB_PREFIX',
        'SAGEMAKER_ROLE_ARN',
        'TOPIC_ARN',
        'DEFAULT_SPOT',
        'DEFAULT_ALGORITHM',
      ]) {
        expect(message).toContain(name);
      }
    }
  });

  it('refuses a job prefix that would make invalid training job names', () => {
    expect(() => loadConfig({ ...complete, JOB_PREFIX: 'sagedrop_dev' })).toThrow(
      /JOB_PREFIX "sagedrop_dev"/,
    );
  });
});
