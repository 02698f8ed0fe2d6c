import { describe, expect, it } from 'vitest';
import { loadConfig, readDefaults, STACK_PARAMS, stackParamProblems } from '../../../lib/settings/config';
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
    expect(config.mergeMemoryMb).toBe(1024);
    expect(loadConfig({ ...complete, MERGE_MEMORY_MB: '3008' }).mergeMemoryMb).toBe(3008);
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

describe('loadConfig, log level', () => {
  it('refuses a log level it does not know instead of logging at info', () => {
    expect(() => loadConfig({ ...complete, LOG_LEVEL: 'loud' })).toThrow(
      /LOG_LEVEL=loud must be one of debug, info, warn, error/,
    );
    expect(loadConfig({ ...complete, LOG_LEVEL: 'warn' }).logLevel).toBe('warn');
  });
});

describe('readDefaults', () => {
  it('refuses stack fractions that leave under 5% of rows to train on, as a dataset file would be', () => {
    const problems: string[] = [];
    readDefaults({ DEFAULT_VALIDATION_FRACTION: '0.5', DEFAULT_TEST_FRACTION: '0.5' }, problems);
    expect(problems).toEqual([
      expect.stringMatching(/^DEFAULT_VALIDATION_FRACTION \+ DEFAULT_TEST_FRACTION is 1: leave at least 5%/),
    ]);
  });

  it('refuses an instance type SageMaker would not know', () => {
    const problems: string[] = [];
    readDefaults({ DEFAULT_INSTANCE_TYPE: 'm5.large' }, problems);
    expect(problems).toEqual(['DEFAULT_INSTANCE_TYPE=m5.large must look like ml.m5.large']);
  });
});

describe('stackParamProblems', () => {
  const env = (params: Partial<Record<keyof typeof STACK_PARAMS, string>>) =>
    Object.fromEntries(
      Object.entries(params).map(([param, value]) => [
        STACK_PARAMS[param as keyof typeof STACK_PARAMS],
        value,
      ]),
    );

  it('accepts the stack defaults', () => {
    expect(stackParamProblems(env({}))).toEqual([]);
    expect(
      stackParamProblems(
        env({
          algorithm: 'xgboost',
          spot: 'true',
          validationFraction: '0.3',
          testFraction: '0.2',
          logLevel: 'debug',
        }),
      ),
    ).toEqual([]);
  });

  it('refuses an endpoint default Serverless Inference cannot run, naming the param', () => {
    expect(
      stackParamProblems(
        env({ endpoint: 'always', endpointMemoryMb: '1500', endpointMaxConcurrency: '500' }),
      ),
    ).toEqual([
      'endpoint=always must be one of off, serverless',
      'endpointMemoryMb=1500 must be one of 1024, 2048, 3072, 4096, 5120, 6144 (Serverless Inference memory sizes)',
      'endpointMaxConcurrency=500 must be an integer from 1 to 200',
    ]);
    expect(stackParamProblems(env({ endpoint: 'serverless', endpointMemoryMb: '6144' }))).toEqual([]);
  });

  it('names the param of every problem, as --param spells it', () => {
    expect(
      stackParamProblems(
        env({
          algorithm: 'random-forest',
          instanceCount: '0',
          spot: 'yes',
          registerModels: 'maybe',
          logLevel: 'loud',
          validationFraction: '0.5',
          testFraction: '0.5',
          mergeMemoryMb: '64',
        }),
      ),
    ).toEqual([
      'algorithm=random-forest must be one of kmeans, linear-learner, xgboost',
      'instanceCount=0 must be an integer from 1 to 100',
      'spot=yes must be true or false',
      expect.stringMatching(
        /^validationFraction \+ testFraction is 1: leave at least 5% of rows for training/,
      ),
      'registerModels=maybe must be true or false',
      'logLevel=loud must be one of debug, info, warn, error',
      'mergeMemoryMb=64 must be an integer from 128 to 10240',
    ]);
  });
});
