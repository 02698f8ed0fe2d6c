import { describe, expect, it } from 'vitest';
import { readDefaults } from '../../../lib/settings/config';
import {
  numericPolicy,
  resolveSettings,
  type SettingsDefaults,
  shardSizeBytes,
  trainsOnLabel,
} from '../../../lib/settings/dataset';
import { SettingsError } from '../../../lib/settings/errors';

const defaults: SettingsDefaults = readDefaults({});
const FILE = 'raw/iris/sagedrop.json';

function problemsOf(text: string, base = defaults): string[] {
  try {
    resolveSettings(base, text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).message).toContain(FILE);
    return (error as SettingsError).problems;
  }
  throw new Error('expected a SettingsError');
}

describe('resolveSettings', () => {
  it('uses the stack defaults when the dataset has no settings file', () => {
    const settings = resolveSettings(defaults, undefined, FILE);
    expect(settings).toMatchObject({ algorithm: 'linear-learner', instanceType: 'ml.m5.large', spot: false });
    expect(settings.maxWaitSeconds).toBeUndefined();
  });

  it('takes the evaluation settings: primary metric, minimum improvement and approval', () => {
    const settings = resolveSettings(
      defaults,
      JSON.stringify({ metric: 'macro_f1', minImprovement: 0.02, approval: 'manual' }),
      FILE,
    );
    expect(settings).toMatchObject({ metric: 'macro_f1', minImprovement: 0.02, approval: 'manual' });
    expect(resolveSettings(defaults, undefined, FILE).approval).toBeUndefined();
  });

  it('rejects an unknown metric, a negative improvement and an unknown approval mode', () => {
    const problems = problemsOf(JSON.stringify({ metric: 'f2', minImprovement: -1, approval: 'sometimes' }));
    expect(problems.join('\n')).toMatch(/"metric"/);
    expect(problems.join('\n')).toMatch(/"minImprovement"/);
    expect(problems.join('\n')).toMatch(/"approval"/);
  });

  it('lets a dataset override algorithm, hyperparameters, resources and split', () => {
    const settings = resolveSettings(
      defaults,
      JSON.stringify({
        algorithm: 'kmeans',
        hyperparameters: { k: 3, mini_batch_size: '50', verbose: true },
        instanceCount: 2,
        testFraction: 0,
        spot: true,
      }),
      FILE,
    );
    expect(settings.algorithm).toBe('kmeans');
    expect(settings.hyperparameters).toEqual({ k: '3', mini_batch_size: '50', verbose: 'true' });
    expect(settings.instanceCount).toBe(2);
    expect(settings.testFraction).toBe(0);
    expect(settings.maxWaitSeconds).toBe(7200);
  });

  it('accepts a UTF-8 BOM in the file', () => {
    expect(resolveSettings(defaults, '\uFEFF{"algorithm":"xgboost"}', FILE).algorithm).toBe('xgboost');
  });

  it('names the file and the JSON error for a file that is not JSON', () => {
    expect(() => resolveSettings(defaults, '{algorithm:', FILE)).toThrow(
      /raw\/iris\/sagedrop.json is not valid JSON/,
    );
  });

  it('gives a JSON syntax error as line and column', () => {
    expect(() =>
      resolveSettings(defaults, '{\n  "algorithm": "kmeans",\n  "hyperparameters": }\n', FILE),
    ).toThrow(/^raw\/iris\/sagedrop.json is not valid JSON at line 3, column 22: /);
    expect(() => resolveSettings(defaults, '{"algorithm":', FILE)).toThrow(/at line 1, column 14/);
  });

  it('echoes the bad value and says what to do once, in the hint', () => {
    let message = '';
    try {
      resolveSettings(defaults, '{"algorithm":"kmean","testFraction":"0.2"}', FILE);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/"algorithm": .*\(got "kmean"\)/);
    expect(message).toMatch(/"testFraction": .*\(got "0\.2"\)/);
    expect(message).not.toMatch(/upload it again/i);
  });

  it('takes shardSizeMb in MB, a fraction included, and echoes a size that cannot be one', () => {
    expect(resolveSettings(defaults, '{"shardSizeMb": 0.05}', FILE).shardSizeMb).toBe(0.05);
    expect(shardSizeBytes(resolveSettings(defaults, '{"shardSizeMb": 0.05}', FILE))).toBe(50_000);
    expect(shardSizeBytes(resolveSettings(defaults, undefined, FILE))).toBe(100_000_000);
    expect(problemsOf('{"shardSizeMb": 0}')[0]).toMatch(/"shardSizeMb": must be at least 0\.01 .*\(got 0\)/);
    expect(problemsOf('{"shardSizeMb": "100"}')[0]).toMatch(/"shardSizeMb": .*\(got "100"\)/);
    expect(problemsOf('{"shardSizeMb": 1e9}')[0]).toMatch(
      /"shardSizeMb": must be at most 100000 .*\(got 1000000000\)/,
    );
  });

  it('rejects unknown keys and lists the known ones', () => {
    expect(problemsOf('{"algoritm":"kmeans"}')[0]).toMatch(/"algoritm" is not a setting \(known: algorithm,/);
  });

  it('refuses to let a dataset change the role, the bucket or the output location', () => {
    const problems = problemsOf('{"roleArn":"arn:x","bucket":"b","outputPath":"s3://elsewhere"}').join(' ');
    expect(problems).toMatch(/"roleArn" cannot be set per dataset/);
    expect(problems).toMatch(/"bucket" cannot be set per dataset/);
    expect(problems).toMatch(/"outputPath" cannot be set per dataset/);
  });

  it('refuses a training image unless the stack allows custom images', () => {
    const text = '{"trainingImage":"123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1"}';
    expect(problemsOf(text)[0]).toMatch(/"trainingImage" is not allowed/);
    const allowed = resolveSettings({ ...defaults, allowCustomImages: true }, text, FILE);
    expect(allowed.algorithm).toBe('custom');
    expect(allowed.trainingImage).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/mine:1');
  });

  it('reports wrong types and impossible values with the setting named', () => {
    expect(problemsOf('{"instanceCount":"2"}')[0]).toMatch(/"instanceCount"/);
    expect(problemsOf('{"instanceType":"m5.large"}')[0]).toMatch(
      /"instanceType": must look like ml.m5.large/,
    );
    expect(problemsOf('{"validationFraction":0.5,"testFraction":0.45}')[0]).toMatch(/at least 5% of rows/);
    expect(problemsOf('{"spot":true,"maxRuntimeSeconds":7200,"maxWaitSeconds":3600}')[0]).toMatch(
      /must be at least "maxRuntimeSeconds"/,
    );
    expect(problemsOf('{"maxWaitSeconds":3600}')[0]).toMatch(/only applies with "spot"/);
    expect(problemsOf('[]')[0]).toMatch(/\(file\)/);
  });
});

describe('algorithm policies', () => {
  it('requires numbers for built-ins, allows missing values only for xgboost, and keeps labels out of k-means', () => {
    expect(numericPolicy('linear-learner')).toBe('numeric');
    expect(numericPolicy('kmeans')).toBe('numeric');
    expect(numericPolicy('xgboost')).toBe('numeric-or-empty');
    expect(numericPolicy('custom')).toBe('any');
    expect(trainsOnLabel('kmeans')).toBe(false);
    expect(trainsOnLabel('xgboost')).toBe(true);
  });
});

describe('the endpoint setting', () => {
  const defaults = readDefaults({});
  it('gives a serverless endpoint with SageMaker defaults for what is left out', () => {
    const settings = resolveSettings(
      defaults,
      '{"endpoint":{"type":"serverless"}}',
      'raw/iris/sagedrop.json',
    );
    expect(settings.endpoint).toEqual({ type: 'serverless', memoryMb: 2048, maxConcurrency: 5 });
  });
  it('is off unless asked for, and false turns it off', () => {
    expect(resolveSettings(defaults, undefined, 'raw/iris/sagedrop.json').endpoint).toBeUndefined();
    expect(
      resolveSettings(defaults, '{"endpoint":false}', 'raw/iris/sagedrop.json').endpoint,
    ).toBeUndefined();
  });
  it('follows the stack default (param endpoint) unless sagedrop.json says false', () => {
    const serverless = readDefaults({ DEFAULT_ENDPOINT: 'serverless', DEFAULT_ENDPOINT_MEMORY_MB: '3072' });
    const file = 'raw/iris/sagedrop.json';
    expect(resolveSettings(serverless, undefined, file).endpoint).toEqual({
      type: 'serverless',
      memoryMb: 3072,
      maxConcurrency: 5,
    });
    expect(resolveSettings(serverless, '{"endpoint":false}', file).endpoint).toBeUndefined();
    expect(
      resolveSettings(serverless, '{"endpoint":{"type":"serverless","maxConcurrency":20}}', file).endpoint,
    ).toEqual({ type: 'serverless', memoryMb: 2048, maxConcurrency: 20 });
  });
  it('refuses a memory size Serverless Inference does not offer', () => {
    expect(() =>
      resolveSettings(
        defaults,
        '{"endpoint":{"type":"serverless","memoryMb":1500}}',
        'raw/iris/sagedrop.json',
      ),
    ).toThrow(/endpoint\.memoryMb/);
  });
});
