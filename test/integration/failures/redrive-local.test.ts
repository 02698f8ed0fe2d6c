import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../lib/local/runtime';
import type { EventFailedDetail } from '../../../lib/notifications/events';
import { IRIS_X, IRIS_Y } from '../../e2e/local-stack';

let dir: string;
let stacks: LocalStack[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sagedrop-redrive-'));
  stacks = [];
});
afterEach(async () => {
  for (const stack of stacks) await stack.stop();
  await rm(dir, { recursive: true, force: true });
});

const s3Dir = () => join(dir, 's3');
const failureDir = () => join(dir, 'failures');

async function start(): Promise<LocalStack> {
  const stack = await startLocalStack({
    dir: s3Dir(),
    failureDir: failureDir(),
    retryDelayMs: 10,
    redriveCommand: `npx sagedrop redrive --local --dir ${dir}`,
  });
  stacks.push(stack);
  return stack;
}

/** s3rver keeps train/ as a folder: a file in its place makes every write under train/ fail. */
async function breakTrainFolder(stack: LocalStack): Promise<() => Promise<void>> {
  const path = join(s3Dir(), stack.bucket, 'train');
  await writeFile(path, 'not a folder');
  return () => rm(path, { force: true });
}

async function uploadIris(stack: LocalStack): Promise<void> {
  for (const [key, body] of [
    ['raw/iris/x.csv', IRIS_X],
    ['raw/iris/y.csv', IRIS_Y],
  ]) {
    await stack.client.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
  }
  await stack.waitForIdle();
}

const kept = async () => (await readdir(failureDir())).filter((name) => name.endsWith('.json'));
/** The notifications of the run's training: one of each, however often its events were replayed. */
const detailTypes = (stack: LocalStack) =>
  stack.notifications
    .map((n) => n.event.detailType)
    .filter(
      (type) =>
        type === 'Training Started' || type === 'Training Completed' || type === 'Pipeline Event Failed',
    );

describe('the local failure queue and its redrive', () => {
  it('keeps a merge that failed every attempt, reports it once, and a redrive finishes the run', async () => {
    const stack = await start();
    const repair = await breakTrainFolder(stack);
    await uploadIris(stack);

    expect(stack.failures.length).toBeGreaterThan(0);
    expect(new Set(stack.failures.map((f) => f.fn))).toEqual(new Set(['merge']));
    expect(await kept()).toHaveLength(stack.failures.length);
    const alerts = stack.notifications.filter((n) => n.event.detailType === 'Pipeline Event Failed');
    expect(alerts).toHaveLength(stack.failures.length);
    expect(alerts[0]?.event.detail).toMatchObject({
      dataset: 'iris',
      function: 'merge',
      functionName: 'sagedrop-local-merge',
      attempts: 3,
      redrive: `npx sagedrop redrive --local --dir ${dir}`,
    } satisfies Partial<EventFailedDetail>);
    expect(alerts[0]?.subject).toBe('sagedrop: merge failed: iris');

    await repair();
    const results = await stack.redrive();
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.outcome === 'replayed')).toBe(true);
    expect(stack.failures).toEqual([]);
    expect(await kept()).toEqual([]);
    expect(detailTypes(stack).filter((t) => t !== 'Pipeline Event Failed')).toEqual([
      'Training Started',
      'Training Completed',
    ]);

    // Nothing left: a second redrive replays nothing and changes nothing.
    expect(await stack.redrive()).toEqual([]);
    expect(detailTypes(stack).filter((t) => t === 'Training Completed')).toHaveLength(1);
  });

  it('replays the failures an earlier run left in the folder, and keeps one that fails again', async () => {
    const first = await start();
    const repair = await breakTrainFolder(first);
    await uploadIris(first);
    const failed = first.failures.length;
    expect(failed).toBeGreaterThan(0);
    await first.stop();
    stacks = [];

    const second = await start();
    expect(second.failures.map((f) => f.fn)).toEqual(Array(failed).fill('merge'));
    const dry = await second.redrive({ dryRun: true });
    expect(dry.map((r) => r.outcome)).toEqual(Array(failed).fill('would-replay'));
    expect(await kept()).toHaveLength(failed);

    const again = await second.redrive();
    expect(again.map((r) => r.outcome)).toEqual(Array(failed).fill('failed'));
    expect(again[0]?.reason).toMatch(/\S/);
    expect(await kept()).toHaveLength(failed);
    expect(second.failures).toHaveLength(failed);
    // A replay is a synchronous invoke: its failure is the answer, not a new failed event.
    expect(detailTypes(second)).toEqual([]);

    await repair();
    const replayed = await second.redrive();
    expect(replayed.map((r) => r.outcome)).toEqual(Array(failed).fill('replayed'));
    expect(await kept()).toEqual([]);
    expect(detailTypes(second)).toEqual(['Training Started', 'Training Completed']);
  });
});
