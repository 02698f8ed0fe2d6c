import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { keys } from '../../../lib/layout';
import { createRandom } from '../../../lib/local/training/random';
import { makeRound } from '../../reliability/datasets';
import { type FaultyStack, startFaultyStack } from '../../reliability/faulty-stack';

let stack: FaultyStack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function uploadPair(target: FaultyStack, dataset: string): Promise<void> {
  const round = makeRound(createRandom(3), 30, 3);
  for (const [file, body] of [
    ['x', round.x],
    ['y', round.y],
  ] as const) {
    await target.directClient.send(
      new PutObjectCommand({ Bucket: target.bucket, Key: keys.raw(dataset, file), Body: body }),
    );
  }
}

describe('an event redriven from the on-failure queue', () => {
  it('sends the "Training Started" notification that failed on every Lambda attempt', async () => {
    stack = await startFaultyStack({ seed: 1 });
    // SNS refuses the notification on all three attempts: the event lands in the on-failure queue.
    stack.invocations.failNotification({
      times: 3,
      match: (event) => event.detailType === 'Training Started',
    });
    await uploadPair(stack, 'redrive');
    await stack.waitForIdle();
    expect(stack.failures.map((f) => f.fn)).toEqual(['train']);

    stack.redrive();
    await stack.waitForIdle();
    expect(stack.failures).toEqual([]);
    const started = stack.notifier.sent.filter((n) => n.event.detailType === 'Training Started');
    expect(started).toHaveLength(1);
  });

  it('merges a pair whose merge failed on every Lambda attempt', async () => {
    stack = await startFaultyStack({ seed: 2 });
    const target = keys.raw('redrive-merge', 'x');
    stack.proxy.inject({
      kind: 'slowdown-503',
      times: 1_000_000,
      match: (request) => request.operation === 'GetObject' && request.key === target,
    });
    await uploadPair(stack, 'redrive-merge');
    await stack.waitForIdle();
    expect(stack.failures.length).toBeGreaterThan(0);

    stack.proxy.clear();
    stack.redrive();
    await stack.waitForIdle();
    expect(stack.failures).toEqual([]);
    const manifests = [];
    for await (const ref of stack.direct.list('train/redrive-merge/')) {
      if (ref.key.endsWith('/manifest.json')) manifests.push(ref.key);
    }
    expect(manifests).toHaveLength(1);
  });
});
