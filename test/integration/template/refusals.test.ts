import { describe, expect, it } from 'vitest';
import { packageStack } from '../../../bench/support/stack-package';

describe('sls package with params or a stage the stack cannot run with', () => {
  it('fails before building anything, naming every param and the stage at fault', async () => {
    const stage = `Dev-${'x'.repeat(28)}`;
    const attempt = packageStack({
      stage,
      region: 'ap-southeast-5',
      params: {
        algorithm: 'random-forest',
        validationFraction: '0.5',
        testFraction: '0.5',
        logLevel: 'loud',
      },
    });
    const error = await attempt.then(
      () => undefined,
      (failure: Error) => failure,
    );
    expect(error?.message).toContain('sagedrop refuses these params or this stage');
    expect(error?.message).toContain(
      'algorithm=random-forest must be one of kmeans, linear-learner, xgboost',
    );
    expect(error?.message).toContain('validationFraction + testFraction is 1: leave at least 5% of rows');
    expect(error?.message).toContain('logLevel=loud must be one of debug, info, warn, error');
    expect(error?.message).toContain(`stage "${stage}" must be lower-case letters and digits`);
    expect(error?.message).toContain(`stage "${stage}" has 32 characters; in ap-southeast-5 at most 26 fit`);
    expect(error?.message).not.toContain('Service packaged');
  });
});
