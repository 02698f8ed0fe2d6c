import { describe, expect, it } from 'vitest';
import { parseScoringEvent } from '../../../lib/events/scoring';
import { keys } from '../../../lib/layout';
import type { PredictionsRecord } from '../../../lib/models/prediction-plan';
import type { PredictionsFailedDetail, PredictionsReadyDetail } from '../../../lib/notifications/events';
import type { PredictDeps } from '../../../lib/stages/deps';
import { handleScoreUpload, type ScoreUpload } from '../../../lib/stages/predict';
import { finishPrediction } from '../../../lib/stages/predict-finish';
import { evaluationWorld } from '../../support/evaluation-world';

const ROWS = '5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n5.9,3.0,4.2,1.5\n';

/** The evaluation world with a promoted champion, and the predict stage over the same fakes. */
async function predictWorld(accuracy = 0.9) {
  const world = evaluationWorld();
  const first = await world.train({ run: 'r1', end: '2026-01-01T01:00:00Z', accuracy });
  await world.finish(first);
  const deps: PredictDeps = { ...world.deps, scorer: world.scorer };
  let requests = 0;
  const invocation = () => ({ requestId: `predict-${++requests}` });
  return {
    world,
    first,
    deps,
    upload: (key: string, upload: Partial<ScoreUpload> = {}) =>
      handleScoreUpload(deps, { key, ...upload }, invocation()),
    /** Ends transform `name` as SageMaker would: its output lines first, then the event. */
    async complete(name: string, lines: string[]): Promise<unknown> {
      const job = world.scorer.transforms.get(name);
      if (!job) throw new Error(`no transform ${name}`);
      const output = job.request.TransformOutput?.S3OutputPath ?? '';
      const prefix = output.slice(`s3://${world.deps.config.bucket}/`.length);
      await world.store.put(`${prefix}rows.csv.out`, `${lines.join('\n')}\n`);
      job.status = 'Completed';
      return world.scorer.event(name);
    },
    finish: (event: unknown) => {
      const parsed = parseScoringEvent(event);
      if (parsed.kind !== 'transform') throw new Error('not a transform event');
      return finishPrediction(deps, parsed, invocation());
    },
    predictionTransforms: () => world.scorer.transformNames().filter((name) => name.includes('--pred-')),
  };
}

const answers = (labels: number[]) =>
  labels.map((label) => JSON.stringify({ score: [0.2, 0.3, 0.5], predicted_label: label }));

describe('the predict stage', () => {
  it('starts one transform per uploaded version, however often and concurrently its event arrives', async () => {
    const p = await predictWorld();
    await p.world.store.upload('score/iris/rows.csv', ROWS);
    const outcomes = await Promise.all([p.upload('score/iris/rows.csv'), p.upload('score/iris/rows.csv')]);
    outcomes.push(await p.upload('score/iris/rows.csv'));

    const [name, ...others] = p.predictionTransforms();
    expect(others).toEqual([]);
    for (const outcome of outcomes) expect(outcome).toMatchObject({ outcome: 'started', transformJob: name });
    const [id] = outcomes.map((o) => ('id' in o ? o.id : ''));
    expect(p.world.store.versions.get(keys.predictionPlan('iris', id ?? ''))).toHaveLength(1);
    const inputs = p.world.store.versions.get(keys.predictionInput('iris', id ?? '')) ?? [];
    expect(new Set(inputs.map((v) => new TextDecoder().decode(v.data)))).toEqual(new Set([ROWS]));
    expect(p.world.scorer.transforms.get(name ?? '')?.request).toMatchObject({
      TransformInput: { DataSource: { S3DataSource: { S3Uri: expect.stringMatching(/\/input\/$/) } } },
      ModelName: p.first,
    });
    expect(p.world.scorer.transforms.get(name ?? '')?.request.DataProcessing).toBeUndefined();
  });

  it('scores the version the event announced, even when the file was overwritten since', async () => {
    const p = await predictWorld();
    const first = await p.world.store.upload('score/iris/rows.csv', ROWS);
    await p.world.store.upload('score/iris/rows.csv', '6.0,2.2,4.0,1.0\n');
    const outcome = await p.upload('score/iris/rows.csv', {
      versionId: first.versionId,
      etag: first.etag,
      size: first.size,
    });
    const id = 'id' in outcome ? outcome.id : '';
    expect(p.world.store.text(keys.predictionInput('iris', id))).toBe(ROWS);
    await p.upload('score/iris/rows.csv');
    expect(p.predictionTransforms()).toHaveLength(2);
  });

  it('scores an identical re-upload again: it is a new version', async () => {
    const p = await predictWorld();
    await p.world.store.upload('score/iris/rows.csv', ROWS);
    await p.upload('score/iris/rows.csv');
    await p.world.store.upload('score/iris/rows.csv', ROWS);
    await p.upload('score/iris/rows.csv');
    expect(p.predictionTransforms()).toHaveLength(2);
  });

  it('writes the predictions and sends "Predictions Ready" once for duplicate and concurrent transform events', async () => {
    const p = await predictWorld();
    await p.world.store.upload('score/iris/rows.csv', ROWS);
    await p.upload('score/iris/rows.csv');
    const [name = ''] = p.predictionTransforms();
    const event = await p.complete(name, answers([0, 2, 1]));
    const outcomes = await Promise.all([p.finish(event), p.finish(event)]);
    outcomes.push(await p.finish(event));

    expect(outcomes.filter((o) => o.outcome === 'written').length).toBeGreaterThanOrEqual(1);
    expect(p.world.store.text(keys.predictions('iris', 'rows'))).toBe(
      '5.1,3.5,1.4,0.2,0,0.2\n6.7,3.0,5.2,2.3,2,0.5\n5.9,3.0,4.2,1.5,1,0.3\n',
    );
    const ready = p.world.sent('Predictions Ready').map((e) => e.detail as PredictionsReadyDetail);
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({
      rows: 3,
      job: p.first,
      input: 'score/iris/rows.csv',
      transformJob: name,
    });
    expect(p.world.store.text('score/iris/rows.csv')).toBe(ROWS);
  });

  it('names the model that scored in the record, even when the champion changed while the job ran', async () => {
    const p = await predictWorld(0.6);
    await p.world.store.upload('score/iris/rows.csv', ROWS);
    await p.upload('score/iris/rows.csv');
    const second = await p.world.train({ run: 'r2', end: '2026-01-02T01:00:00Z', accuracy: 1 });
    await p.world.finish(second, 'champion');
    await p.world.finish(second);
    expect((await p.world.champion())?.job).toBe(second);

    const [name = ''] = p.predictionTransforms();
    await p.finish(await p.complete(name, answers([0, 2, 1])));
    const record = JSON.parse(
      p.world.store.text(keys.predictionsRecord('iris', 'rows')) ?? '{}',
    ) as PredictionsRecord;
    expect(record.model.job).toBe(p.first);
    expect(record.model.metrics.accuracy).toBe(0.6);
    expect(p.world.sent('Predictions Ready').map((e) => (e.detail as PredictionsReadyDetail).job)).toEqual([
      p.first,
    ]);
  });

  it('tells once that a transform failed, and writes nothing under predictions/', async () => {
    const p = await predictWorld();
    await p.world.store.upload('score/iris/rows.csv', ROWS);
    await p.upload('score/iris/rows.csv');
    const [name = ''] = p.predictionTransforms();
    const event = await p.world.scorer.finish(name, {
      status: 'Failed',
      failureReason: 'ClientError: no capacity',
    });
    await Promise.all([p.finish(event), p.finish(event)]);

    const failed = p.world.sent('Predictions Failed').map((e) => e.detail as PredictionsFailedDetail);
    expect(failed).toEqual([
      expect.objectContaining({ reason: 'ClientError: no capacity', status: 'Failed', job: p.first }),
    ]);
    expect(p.world.store.keys().filter((k) => k.startsWith('predictions/'))).toEqual([]);
  });

  it('rejects an output with fewer lines than the input has rows instead of writing a short file', async () => {
    const p = await predictWorld();
    await p.world.store.upload('score/iris/rows.csv', ROWS);
    await p.upload('score/iris/rows.csv');
    const [name = ''] = p.predictionTransforms();
    const event = await p.complete(name, answers([0, 2]));
    await expect(p.finish(event)).rejects.toThrow(/has 2 lines but the input has more rows/);
    expect(p.world.store.keys().filter((k) => k.startsWith('predictions/'))).toEqual([]);
  });

  it('ignores transforms that are not prediction transforms of this stack', async () => {
    const p = await predictWorld();
    const outcome = await finishPrediction(
      p.deps,
      { job: 'sagedrop-other--pred-0123', status: 'Completed', terminal: true },
      { requestId: 'r' },
    );
    expect(outcome).toMatchObject({ outcome: 'ignored' });
  });
});
