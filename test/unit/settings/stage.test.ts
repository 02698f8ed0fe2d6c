import { describe, expect, it } from 'vitest';
import { maxStageLength, type StageNames, stageNameProblems } from '../../../lib/settings/stage';

const names = (stage: string, region = 'eu-west-1'): StageNames => ({
  service: 'sagedrop',
  stage,
  region,
  functions: ['merge', 'train', 'complete'].map((fn) => `sagedrop-${stage}-${fn}`),
  rules: [`sagedrop-${stage}-training-job-state`],
});

describe('stageNameProblems', () => {
  it('accepts lower-case stages with single hyphens that fit every name', () => {
    for (const stage of [
      'dev',
      'prod',
      'dev-eu',
      'pr-1234',
      'a'.repeat(maxStageLength('sagedrop', 'eu-west-1')),
    ]) {
      expect(stageNameProblems(names(stage))).toEqual([]);
    }
  });

  it('refuses upper case, "_", dots and double hyphens, saying which names they would break', () => {
    for (const stage of ['Dev', 'dev_eu', 'dev.eu', 'dev--eu', '-dev', 'dev-', '']) {
      expect(stageNameProblems(names(stage))).toEqual([
        expect.stringContaining(`stage "${stage}" must be lower-case letters and digits with single hyphens`),
      ]);
    }
  });

  it('says how long a stage may be in the region, from the 63-character bucket name', () => {
    expect(maxStageLength('sagedrop', 'us-east-1')).toBe(31);
    expect(maxStageLength('sagedrop', 'ap-southeast-5')).toBe(26);
    const stage = 'a'.repeat(27);
    expect(stageNameProblems(names(stage, 'us-east-1'))).toEqual([]);
    expect(stageNameProblems(names(stage, 'ap-southeast-5'))).toEqual([
      'stage "aaaaaaaaaaaaaaaaaaaaaaaaaaa" has 27 characters; in ap-southeast-5 at most 26 fit ' +
        '(bucket sagedrop-<stage>-<account>-ap-southeast-5: 63 characters; SageMaker names: 63 characters)',
    ]);
  });

  it('refuses a stage that makes a function or rule name longer than 64 characters', () => {
    const problems = stageNameProblems({
      ...names('dev'),
      functions: [`sagedrop-dev-${'f'.repeat(60)}`],
      rules: [`sagedrop-dev-${'r'.repeat(60)}`],
    });
    expect(problems).toEqual([
      expect.stringMatching(/function name sagedrop-dev-f+ longer than 64 characters/),
      expect.stringMatching(/EventBridge rule name sagedrop-dev-r+ longer than 64 characters/),
    ]);
  });
});
