import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createPredictHandler } from '../../../handlers/predict';
import { keys } from '../../../lib/layout';
import type { ObjectRef } from '../../../lib/ports';
import type { PredictDeps } from '../../../lib/stages/deps';
import { evaluationWorld } from '../../support/evaluation-world';
import { s3Notification } from '../../support/events';

const context = (awsRequestId: string) => ({ awsRequestId }) as Context;

/** S3's notification of `encodedKeys`, announcing the version `ref` of each (as S3 does). */
function announce(bucket: string, ref: ObjectRef, ...encodedKeys: string[]) {
  const notification = s3Notification(bucket, encodedKeys);
  for (const record of notification.Records) {
    Object.assign(record.s3.object, { versionId: ref.versionId, eTag: ref.etag });
  }
  return notification;
}

/** A dataset with a champion, and the predict handler over the same fakes. */
async function setup() {
  const world = evaluationWorld();
  const job = await world.train({ run: 'r1', end: '2026-01-01T01:00:00Z', accuracy: 0.9 });
  await world.finish(job);
  const deps: PredictDeps = { ...world.deps, scorer: world.scorer };
  return { world, job, handler: createPredictHandler(() => deps) };
}

describe('predict handler', () => {
  it('starts scoring for an upload under score/ (key decoded) and skips other keys of the notification', async () => {
    const { world, handler, job } = await setup();
    const ref = await world.store.upload('score/iris/new rows.csv', '5.1,3.5,1.4,0.2\n');
    const notification = s3Notification(world.deps.config.bucket, [
      'score/iris/new+rows.csv',
      'raw/iris/x.csv',
    ]);
    for (const record of notification.Records) {
      Object.assign(record.s3.object, { versionId: ref.versionId, eTag: ref.etag });
    }
    const outcomes = await handler(notification, context('req-1'));
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'started', dataset: 'iris', job })]);
    expect(world.scorer.transformNames().filter((n) => n.includes('--pred-'))).toHaveLength(1);
  });

  it('writes the predictions on the transform event, and does nothing more on its duplicate', async () => {
    const { world, handler } = await setup();
    const ref = await world.store.upload('score/iris/new.csv', '5.1,3.5,1.4,0.2\n');
    await handler(announce(world.deps.config.bucket, ref, 'score/iris/new.csv'), context('req-1'));
    const [name = ''] = world.scorer.transformNames().filter((n) => n.includes('--pred-'));
    const output = world.scorer.transforms.get(name)?.request.TransformOutput?.S3OutputPath ?? '';
    await world.store.put(
      `${output.slice(`s3://${world.deps.config.bucket}/`.length)}rows.csv.out`,
      '{"score":[0.9,0.05,0.05],"predicted_label":0}\n',
    );
    const job = world.scorer.transforms.get(name);
    if (job) job.status = 'Completed';
    const event = await world.scorer.event(name);

    expect(await handler(event, context('req-2'))).toMatchObject({ outcome: 'written', rows: 1 });
    expect(await handler(event, context('req-3'))).toMatchObject({ outcome: 'already-written' });
    expect(world.store.text(keys.predictions('iris', 'new'))).toBe('5.1,3.5,1.4,0.2,0,0.9\n');
    expect(world.sent('Predictions Ready')).toHaveLength(1);
  });
});
