import { describe, expect, it } from 'vitest';
import { adviseOnFailure } from '../../../lib/training/failure-advice';

describe('adviseOnFailure', () => {
  it('has nothing to say about a Completed job', () => {
    expect(adviseOnFailure({ status: 'Completed' }, 'iris')).toBeUndefined();
  });

  it.each([
    [
      'a job out of time',
      { status: 'Stopped', secondaryStatus: 'MaxRuntimeExceeded', maxRuntimeSeconds: 600 },
      /raise "maxRuntimeSeconds" in raw\/iris\/sagedrop\.json/,
    ],
    [
      'a spot job that waited too long',
      { status: 'Stopped', secondaryStatus: 'MaxWaitTimeExceeded' },
      /"maxWaitSeconds" or set "spot": false/,
    ],
    ['a job stopped by someone', { status: 'Stopped', secondaryStatus: 'Stopped' }, /stopped the job/],
    [
      'an algorithm error',
      { status: 'Failed', failureReason: 'AlgorithmError: Unable to read data channel' },
      /check that the values are numeric/,
    ],
    [
      'missing capacity',
      {
        status: 'Failed',
        failureReason: 'CapacityError: Unable to provision requested ML compute capacity',
        instanceType: 'ml.p3.2xlarge',
      },
      /another "instanceType".*ml\.p3\.2xlarge|ml\.p3\.2xlarge.*another "instanceType"/,
    ],
    [
      'an instance out of memory',
      { status: 'Failed', failureReason: 'AlgorithmError: Out of memory. Please use a larger instance' },
      /larger "instanceType"/,
    ],
    ['an unknown failure', { status: 'Failed', failureReason: 'Something odd' }, /logs/],
  ] as const)('tells what to do about %s', (_, job, advice) => {
    expect(adviseOnFailure(job, 'iris')).toMatch(advice);
  });

  it('points the default dataset at raw/sagedrop.json', () => {
    expect(
      adviseOnFailure({ status: 'Stopped', secondaryStatus: 'MaxRuntimeExceeded' }, 'default'),
    ).toContain('raw/sagedrop.json');
  });
});
