import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createTrainHandler } from '../../../handlers/train';
import type { RunManifest } from '../../../lib/training/manifest';
import { testConfig } from '../../support/config';
import { encodeS3Key, s3Notification, s3TestEvent } from '../../support/events';
import { makeManifest } from '../../support/manifests';
import { commitManifest, trainWorld } from '../../support/stage-worlds';

const context = { awsRequestId: 'c0ffee-1' } as Context;

/** The documented S3 notification with our bucket and the given (already URL-encoded) keys. */
const s3Event = (encodedKeys: string[], bucket = testConfig.bucket) => s3Notification(bucket, encodedKeys);

const commit = (world: ReturnType<typeof trainWorld>, manifest: RunManifest) =>
  commitManifest(world.store, manifest);

describe('train handler', () => {
  it('starts training for a manifest from a real S3 notification, decoding the key', async () => {
    const world = trainWorld();
    const manifest = makeManifest({ dataset: 'my data é' });
    const key = await commit(world, manifest);
    const handler = createTrainHandler(() => world.deps);
    await handler(s3Event([encodeS3Key(key)]), context);
    expect(world.trainer.jobs.size).toBe(1);
    expect(world.notifier.sent.map((e) => e.detailType)).toEqual(['Training Started']);
    expect(world.notifier.sent[0]?.detail.dataset).toBe('my data é');
  });

  it("puts the function, the request id and the manifest key on its log lines and the stage's", async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest());
    await createTrainHandler(() => world.deps)(s3Event([key]), context);
    const handled = world.logs.find((l) => l.message === 'object handled');
    expect(handled).toMatchObject({ function: 'train', requestId: 'c0ffee-1', key, outcome: 'started' });
    const stageLines = world.logs.filter((l) => l.dataset === 'iris');
    expect(stageLines.length).toBeGreaterThan(0);
    for (const line of stageLines)
      expect(line).toMatchObject({ function: 'train', requestId: 'c0ffee-1', key });
  });

  it('ignores keys that are not run manifests and the S3 test event', async () => {
    const world = trainWorld();
    const handler = createTrainHandler(() => world.deps);
    await handler(
      s3Event(['train/iris/r1/train/train.csv', 'raw/iris/x.csv', 'train/iris/_inputs/x/manifest.json']),
      context,
    );
    await handler(s3TestEvent(), context);
    expect(world.trainer.calls).toBe(0);
  });

  it('skips manifests from another bucket', async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest());
    await createTrainHandler(() => world.deps)(s3Event([key], 'someone-else'), context);
    expect(world.trainer.calls).toBe(0);
  });

  it('starts one job for a duplicated record', async () => {
    const world = trainWorld();
    const key = await commit(world, makeManifest());
    await createTrainHandler(() => world.deps)(s3Event([key, key]), context);
    expect(world.trainer.jobs.size).toBe(1);
    expect(world.notifier.sent).toHaveLength(1);
  });

  it('fails the invocation when a manifest could not be handled, after trying the others', async () => {
    const world = trainWorld();
    const failing = await commit(world, makeManifest({ run: 'r1' }));
    const fine = await commit(world, makeManifest({ run: 'r2' }));
    world.trainer.failures.push(new Error('InternalFailure'));
    const handler = createTrainHandler(() => world.deps);
    await expect(handler(s3Event([failing, fine]), context)).rejects.toThrow('InternalFailure');
    expect(world.trainer.jobs.size).toBe(1);
    world.trainer.failures.push(new Error('InternalFailure'), new Error('InternalFailure'));
    await expect(handler(s3Event([failing, fine]), context)).rejects.toThrow('2 of 2 S3 objects failed');
  });

  it('rejects a payload that is not an S3 notification', async () => {
    const world = trainWorld();
    await expect(createTrainHandler(() => world.deps)({ hello: 'world' }, context)).rejects.toThrow();
  });
});
