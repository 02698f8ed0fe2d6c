import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  endpointConfigNameOf,
  endpointNameOf,
  endpointSettingProblem,
  planEndpoint,
} from '../../../lib/models/endpoint';
import { JOB_NAME_PATTERN } from '../../../lib/training/job-name';

const SETTING = { type: 'serverless', memoryMb: 2048, maxConcurrency: 5 } as const;

describe('endpoint names', () => {
  it('are valid SageMaker names inside the stack namespace for any dataset', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 100 }),
        fc.string({ minLength: 1, maxLength: 63 }),
        (dataset, model) => {
          const endpoint = endpointNameOf('sagedrop-dev', dataset);
          const config = endpointConfigNameOf(endpoint, model, SETTING);
          expect(endpoint).toMatch(JOB_NAME_PATTERN);
          expect(config).toMatch(JOB_NAME_PATTERN);
          expect(endpoint.startsWith('sagedrop-dev--')).toBe(true);
          expect(config.startsWith('sagedrop-dev--')).toBe(true);
        },
      ),
    );
  });

  it('give one config per champion and setting', () => {
    const endpoint = endpointNameOf('sagedrop-dev', 'iris');
    const a = endpointConfigNameOf(endpoint, 'model-a', SETTING);
    expect(endpointConfigNameOf(endpoint, 'model-a', SETTING)).toBe(a);
    expect(endpointConfigNameOf(endpoint, 'model-b', SETTING)).not.toBe(a);
    expect(endpointConfigNameOf(endpoint, 'model-a', { ...SETTING, maxConcurrency: 6 })).not.toBe(a);
  });
});

describe('planEndpoint', () => {
  const endpoint = 'sagedrop-dev--iris';
  it('does nothing without a setting and without an endpoint', () => {
    expect(
      planEndpoint({ setting: undefined, championModel: 'm', endpoint, current: undefined }).action,
    ).toBe('none');
  });
  it('removes a failed endpoint, since SageMaker accepts only DeleteEndpoint on one', () => {
    const configName = endpointConfigNameOf(endpoint, 'm', SETTING);
    const plan = planEndpoint({
      setting: SETTING,
      championModel: 'm',
      endpoint,
      current: { status: 'Failed', configName },
    });
    expect(plan.action).toBe('remove-failed');
  });
});

describe('the endpoint setting', () => {
  it('takes SageMaker Serverless memory sizes and concurrency only, echoing the bad value', () => {
    expect(endpointSettingProblem(SETTING)).toBeUndefined();
    expect(endpointSettingProblem({ ...SETTING, memoryMb: 1500 })).toContain('memoryMb is 1500');
    expect(endpointSettingProblem({ ...SETTING, maxConcurrency: 0 })).toContain('maxConcurrency is 0');
    expect(endpointSettingProblem({ ...SETTING, maxConcurrency: 201 })).toContain('1 to 200');
  });
});
