import { describe, expect, it } from 'vitest';
import {
  GROUP_NAME_PATTERN,
  modelPackageFor,
  modelPackageGroupName,
  registryClientToken,
} from '../../../lib/training/model-package';

describe('modelPackageGroupName', () => {
  it('is <prefix>--<dataset> for plain dataset names', () => {
    expect(modelPackageGroupName('sagedrop-dev', 'iris')).toBe('sagedrop-dev--iris');
    expect(modelPackageGroupName('sagedrop-dev', 'house-prices-2026')).toBe(
      'sagedrop-dev--house-prices-2026',
    );
  });

  it('gives every dataset name a valid group name of its own', () => {
    const names = [
      'Iris',
      'iris ',
      'my data',
      'my_data',
      'données',
      '数据',
      'a'.repeat(100),
      `${'a'.repeat(99)}b`,
      'x--y',
    ];
    const groups = names.map((n) => modelPackageGroupName('sagedrop-dev', n));
    for (const group of groups) {
      expect(group).toMatch(GROUP_NAME_PATTERN);
      expect(group.length).toBeLessThanOrEqual(63);
      expect(group.startsWith('sagedrop-dev--')).toBe(true);
    }
    expect(new Set(groups.map((g) => g.toLowerCase())).size).toBe(names.length);
    expect(groups[2]).toMatch(/^sagedrop-dev--my-data--[0-9a-f]{10}$/);
    expect(modelPackageGroupName('sagedrop-dev', 'iris')).not.toBe(groups[0]);
  });
});

describe('registryClientToken', () => {
  it('is stable per job, distinct across jobs and within ClientToken limits', () => {
    const token = registryClientToken('sagedrop-dev--iris--r1');
    expect(token).toBe(registryClientToken('sagedrop-dev--iris--r1'));
    expect(token).not.toBe(registryClientToken('sagedrop-dev--iris--r2'));
    expect(token).toMatch(/^[a-zA-Z0-9-]{1,36}$/);
  });
});

describe('modelPackageFor', () => {
  it('describes the model and tags it with dataset, run and job', () => {
    const input = modelPackageFor({
      jobPrefix: 'sagedrop-dev',
      dataset: 'iris',
      run: 'r1',
      job: 'sagedrop-dev--iris--r1',
      algorithm: 'xgboost',
      image: 'img',
      modelDataUrl: 's3://b/models/iris/j/output/model.tar.gz',
    });
    expect(input).toEqual({
      groupName: 'sagedrop-dev--iris',
      description: 'xgboost model of dataset "iris", run r1, training job sagedrop-dev--iris--r1',
      image: 'img',
      modelDataUrl: 's3://b/models/iris/j/output/model.tar.gz',
      clientToken: registryClientToken('sagedrop-dev--iris--r1'),
      tags: { 'sagedrop:dataset': 'iris', 'sagedrop:run': 'r1', 'sagedrop:job': 'sagedrop-dev--iris--r1' },
    });
  });
});
