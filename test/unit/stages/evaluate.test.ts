import { describe, expect, it } from 'vitest';
import { keys } from '../../../lib/layout';
import type { EvaluatedDetail, FinishedDetail } from '../../../lib/notifications/events';
import { renderMessage } from '../../../lib/notifications/render';
import { TransformNotFinishedError } from '../../../lib/stages/evaluate';
import { BASELINE_ACCURACY, evaluationWorld, TEST_ROWS } from '../../support/evaluation-world';

const T1 = '2026-01-01T01:00:00Z';
const T2 = '2026-01-02T01:00:00Z';
const T3 = '2026-01-03T01:00:00Z';

type World = ReturnType<typeof evaluationWorld>;

/** A notification body with its wrapped lines joined, to find a sentence in it. */
const oneLine = (body: string) => body.replace(/\s+/g, ' ');

const evaluated = (world: World) => world.sent('Model Evaluated').map((e) => e.detail as EvaluatedDetail);
const completed = (world: World) => world.sent('Training Completed').map((e) => e.detail as FinishedDetail);

/** A first model of the dataset, evaluated and promoted: the champion the next jobs meet. */
async function withChampion(world: World, accuracy: number): Promise<string> {
  const job = await world.train({ run: 'r1', end: T1, accuracy });
  await world.finish(job);
  expect((await world.champion())?.job).toBe(job);
  return job;
}

describe('evaluation of a completed model', () => {
  it('scores a first model alone, waits with "Training Completed" for the verdict, then promotes it once', async () => {
    const world = evaluationWorld();
    const job = await world.train({ run: 'r1', end: T1, accuracy: 0.9 });

    expect(world.scorer.transformNames()).toEqual([world.transform(job, 'challenger')]);
    expect(world.notifier.sent).toEqual([]);
    expect(world.store.text(keys.evaluationReport('iris', job))).toBeUndefined();

    const { outcome } = await world.finish(job);
    expect(outcome).toMatchObject({ outcome: 'evaluated', decision: 'promoted', notified: true });
    const [detail] = completed(world);
    expect(detail?.evaluation).toMatchObject({
      decision: 'promoted',
      metric: 'accuracy',
      testRows: TEST_ROWS,
    });
    expect(detail?.evaluation?.summary).toBe(
      'accuracy 0.9 on 40 held-out rows; always predicting the most common training class (0, 24 of 60 training rows) scores 0.35: promoted',
    );
    expect(world.entry(job).evaluation?.decision).toBe('promoted');
    expect(await world.champion()).toMatchObject({ job, promotedBy: 'evaluation', metric: 'accuracy' });
    expect(world.registry.approvalOf(world.entry(job).modelPackageArn ?? '')).toBe('Approved');
    expect(evaluated(world)).toEqual([
      expect.objectContaining({ job, decision: 'promoted', value: 0.9, baselineValue: BASELINE_ACCURACY }),
    ]);
  });

  it('gives one evaluation, one champion move and one notification each for duplicate and concurrent events', async () => {
    const world = evaluationWorld();
    const job = await world.train({ run: 'r1', end: T1, accuracy: 0.9 });
    const { event } = await world.finish(job);
    await Promise.all([world.evaluate(event), world.evaluate(event)]);
    await world.evaluate(event);
    await world.complete(job);

    expect(world.reportVersions(job)).toBe(1);
    expect(world.championHistory()).toEqual([job]);
    expect(completed(world)).toHaveLength(1);
    expect(evaluated(world)).toHaveLength(1);
  });

  it('waits for both transforms whatever order their events arrive in, then evaluates once', async () => {
    const world = evaluationWorld();
    const champion = await withChampion(world, 0.8);
    const job = await world.train({ run: 'r2', end: T2, accuracy: 0.95 });
    expect(world.scorer.transformNames().slice(1)).toEqual([
      world.transform(job, 'challenger'),
      world.transform(job, 'champion'),
    ]);

    // The champion's transform ends first; an InProgress event of the other arrives after it.
    const first = await world.finish(job, 'champion');
    expect(first.outcome).toMatchObject({
      outcome: 'waiting',
      pending: [world.transform(job, 'challenger')],
    });
    const late = await world.scorer.event(world.transform(job, 'challenger'), 'InProgress');
    expect(await world.evaluate(late)).toMatchObject({ outcome: 'ignored' });
    // An event that runs ahead of DescribeTransformJob is retried, not taken at its word.
    const early = await world.scorer.event(world.transform(job, 'challenger'), 'Completed');
    await expect(world.evaluate(early)).rejects.toBeInstanceOf(TransformNotFinishedError);
    expect(world.store.text(keys.evaluationReport('iris', job))).toBeUndefined();
    expect(completed(world).map((d) => d.job)).toEqual([champion]);

    await world.finish(job, 'challenger');
    await world.evaluate(first.event);
    await world.evaluate(early);

    expect(world.reportVersions(job)).toBe(1);
    expect(completed(world).map((d) => d.job)).toEqual([champion, job]);
    expect(evaluated(world).map((d) => d.job)).toEqual([champion, job]);
    expect(world.entry(job).evaluation).toMatchObject({
      decision: 'promoted',
      champion: { job: champion, metrics: { accuracy: 0.8 } },
    });
    expect(world.championHistory()).toEqual([champion, job]);
  });

  it('reports a failed transform with the reason and what to do, and keeps the champion', async () => {
    const world = evaluationWorld();
    const champion = await withChampion(world, 0.8);
    const job = await world.train({ run: 'r2', end: T2, accuracy: 0.95 });

    const failed = await world.finish(
      job,
      'champion',
      'ClientError: the instance type ml.m5.large is not available',
    );
    expect(failed.outcome).toMatchObject({ outcome: 'waiting' });
    expect(completed(world)).toHaveLength(1);
    await world.finish(job, 'challenger');
    await world.evaluate(failed.event);

    const verdict = world.entry(job).evaluation;
    expect(verdict?.decision).toBe('evaluation-failed');
    expect(verdict?.reason).toContain('ClientError: the instance type ml.m5.large is not available');
    expect(verdict?.hint).toMatch(/^The champion stays\./);
    const [event] = world.sent('Training Completed').slice(1);
    const body = event ? oneLine(renderMessage(event).body) : '';
    expect(body).toContain('the batch transform');
    expect(body).toContain('ml.m5.large is not available');
    expect(body).toContain('What to do: The champion stays.');
    expect(evaluated(world).at(-1)).toMatchObject({ job, decision: 'evaluation-failed' });
    expect(world.championHistory()).toEqual([champion]);
    expect(world.registry.approvalOf(world.entry(job).modelPackageArn ?? '')).toBe('PendingManualApproval');
    expect(world.store.text(keys.evaluationReport('iris', job))).toBeUndefined();
  });

  describe('the decision table, through the stage', () => {
    it.each([
      { case: 'better than the champion', champion: 0.8, challenger: 0.95, decision: 'promoted' },
      { case: 'worse than the champion', champion: 0.9, challenger: 0.8, decision: 'kept-champion' },
      { case: 'equal to the champion', champion: 0.9, challenger: 0.9, decision: 'kept-champion' },
      {
        case: 'below the baseline',
        champion: 0.9,
        challenger: BASELINE_ACCURACY,
        decision: 'not-better-than-baseline',
      },
    ])('$case: $decision', async ({ champion: championAccuracy, challenger, decision }) => {
      const world = evaluationWorld();
      const champion = await withChampion(world, championAccuracy);
      const job = await world.train({ run: 'r2', end: T2, accuracy: challenger });
      await world.finish(job, 'challenger');
      await world.finish(job, 'champion');

      const verdict = world.entry(job).evaluation;
      expect(verdict).toMatchObject({ decision, metric: 'accuracy' });
      expect(verdict?.champion?.metrics).toMatchObject({ accuracy: championAccuracy });
      expect(verdict?.summary).toContain(`the current champion scores ${championAccuracy} on the same rows`);
      const arn = world.entry(job).modelPackageArn ?? '';
      if (decision === 'promoted') {
        expect(world.championHistory()).toEqual([champion, job]);
        expect(world.registry.approvalOf(arn)).toBe('Approved');
      } else {
        expect(world.championHistory()).toEqual([champion]);
        expect(world.registry.approvalOf(arn)).toBe('PendingManualApproval');
      }
      expect(evaluated(world).at(-1)).toMatchObject({
        job,
        decision,
        value: challenger,
        championValue: championAccuracy,
        championJob: champion,
      });
    });

    it('never promotes a first model no better than the baseline: champion.json is not written', async () => {
      const world = evaluationWorld();
      const job = await world.train({ run: 'r1', end: T1, accuracy: BASELINE_ACCURACY });
      await world.finish(job);

      expect(world.entry(job).evaluation?.decision).toBe('not-better-than-baseline');
      expect(world.store.text(keys.catalogChampion('iris'))).toBeUndefined();
      const [detail] = evaluated(world);
      expect(detail).toMatchObject({
        decision: 'not-better-than-baseline',
        value: 0.35,
        baselineValue: 0.35,
      });
      expect(detail).not.toHaveProperty('championUri');
    });
  });

  describe('the champion pointer under races', () => {
    it('ends with the later-trained model when two evaluations finish concurrently', async () => {
      const world = evaluationWorld();
      const older = await world.train({ run: 'r1', end: T1, accuracy: 0.9 });
      const newer = await world.train({ run: 'r2', end: T2, accuracy: 0.9 });
      await Promise.all([world.finish(older), world.finish(newer)]);

      expect((await world.champion())?.job).toBe(newer);
      expect(world.championHistory().at(-1)).toBe(newer);
      expect(world.championHistory()).not.toEqual([newer, older]);
    });

    it('does not move back when an older job finishes last, and its verdict says so', async () => {
      const world = evaluationWorld();
      const older = await world.train({ run: 'r1', end: T1, accuracy: 0.9 });
      const newer = await world.train({ run: 'r2', end: T2, accuracy: 0.9 });
      await world.finish(newer);
      await world.finish(older);

      expect(world.championHistory()).toEqual([newer]);
      const verdict = world.entry(older).evaluation;
      expect(verdict?.decision).toBe('kept-champion');
      expect(verdict?.summary).toContain(`${newer}, trained later, is the champion`);
      expect(world.registry.approvalOf(world.entry(older).modelPackageArn ?? '')).toBe(
        'PendingManualApproval',
      );
      const detail = evaluated(world).find((d) => d.job === older);
      expect(detail).toMatchObject({ decision: 'kept-champion' });
      expect(detail).not.toHaveProperty('championUri');
      const last = world.sent('Training Completed').find((e) => (e.detail as FinishedDetail).job === older);
      const body = last ? oneLine(renderMessage(last).body) : '';
      expect(body).toContain('is the champion already');
      expect(body).not.toContain('champion.json names it');
    });
  });

  describe('manual approval', () => {
    it('leaves a model that would be promoted PendingManualApproval and says how to approve it', async () => {
      const world = evaluationWorld({ settings: { approval: 'manual' } });
      const job = await world.train({ run: 'r1', end: T1, accuracy: 0.9 });
      await world.finish(job);

      const arn = world.entry(job).modelPackageArn ?? '';
      expect(world.entry(job).evaluation?.decision).toBe('pending-approval');
      expect(world.registry.approvalOf(arn)).toBe('PendingManualApproval');
      expect(world.registry.approvals.get(arn)).toBeUndefined();
      expect(await world.champion()).toBeUndefined();
      for (const event of [...world.sent('Training Completed'), ...world.sent('Model Evaluated')]) {
        expect(oneLine(renderMessage(event).body)).toContain(
          `aws sagemaker update-model-package --model-package-arn ${arn} --model-approval-status Approved`,
        );
      }
    });

    it('moves the champion exactly once on a later approval, however often its event is delivered', async () => {
      const world = evaluationWorld({ settings: { approval: 'manual' } });
      const job = await world.train({ run: 'r1', end: T1, accuracy: 0.9 });
      await world.finish(job);
      const approval = world.approvalEvent(job);

      await Promise.all([world.evaluate(approval), world.evaluate(approval)]);
      await world.evaluate(approval);

      expect(world.championHistory()).toEqual([job]);
      expect(await world.champion()).toMatchObject({ job, promotedBy: 'approval' });
      const approved = world.sent('Model Approved');
      expect(approved).toHaveLength(1);
      expect(approved[0]?.detail).toMatchObject({ job, promoted: true });
    });

    it('ignores other statuses, and never moves the champion back to an older approved model', async () => {
      const world = evaluationWorld({ settings: { approval: 'manual' } });
      const older = await world.train({ run: 'r1', end: T1, accuracy: 0.9 });
      await world.finish(older);
      const newer = await world.train({ run: 'r2', end: T2, accuracy: 0.95 });
      await world.finish(newer);

      expect(await world.evaluate(world.approvalEvent(older, 'Rejected'))).toMatchObject({
        outcome: 'ignored',
      });
      await world.evaluate(world.approvalEvent(newer));
      await world.evaluate(world.approvalEvent(older));

      expect(world.championHistory()).toEqual([newer]);
      expect(world.sent('Model Approved').map((e) => e.detail)).toEqual([
        expect.objectContaining({ job: newer, promoted: true }),
        expect.objectContaining({ job: older, promoted: false }),
      ]);
    });

    it('sends nothing for the approval sagedrop made itself, even after a newer model became champion', async () => {
      const world = evaluationWorld();
      const first = await withChampion(world, 0.8);
      const second = await world.train({ run: 'r2', end: T2, accuracy: 0.95 });
      await world.finish(second, 'challenger');
      await world.finish(second, 'champion');
      const sent = world.notifier.sent.length;

      await world.evaluate(world.approvalEvent(second));
      await world.evaluate(world.approvalEvent(first));

      expect(world.notifier.sent).toHaveLength(sent);
      expect(world.championHistory()).toEqual([first, second]);
    });
  });

  it('compares a third model with the second, the champion at the time it was planned', async () => {
    const world = evaluationWorld();
    await withChampion(world, 0.7);
    const second = await world.train({ run: 'r2', end: T2, accuracy: 0.85 });
    await world.finish(second, 'challenger');
    await world.finish(second, 'champion');
    const third = await world.train({ run: 'r3', end: T3, accuracy: 0.8 });
    await world.finish(third, 'challenger');
    await world.finish(third, 'champion');

    expect(world.entry(third).evaluation).toMatchObject({
      decision: 'kept-champion',
      champion: { job: second },
    });
    expect((await world.champion())?.job).toBe(second);
  });
});
