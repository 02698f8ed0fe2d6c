import { afterEach, describe, expect, it } from 'vitest';
import type { LocalStep } from '../../lib/local/runtime';
import { IRIS_X, IRIS_Y, startTestStack } from './local-stack';

let stack: Awaited<ReturnType<typeof startTestStack>> | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('local training progress', () => {
  it('the local stack reports each epoch of the training job it runs, up to the last', async () => {
    const progress: Extract<LocalStep, { kind: 'training-progress' }>[] = [];
    stack = await startTestStack({
      onStep: (step) => {
        if (step.kind === 'training-progress') progress.push(step);
      },
    });
    await stack.upload('raw/iris/x.csv', IRIS_X);
    await stack.upload('raw/iris/y.csv', IRIS_Y);
    await stack.waitForIdle();

    expect(progress.length).toBeGreaterThan(1);
    const [first] = progress;
    expect(first?.job).toMatch(/^sagedrop-/);
    expect(progress.every((step) => step.job === first?.job && step.unit === 'epochs')).toBe(true);
    expect(progress.map((step) => step.done)).toEqual(progress.map((_, index) => index + 1));
    expect(progress.at(-1)?.done).toBe(progress.at(-1)?.total);
  });
});
