import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createCompleteHandler } from '../../../handlers/complete';
import { TrainingJobEventError } from '../../../lib/events/sagemaker';
import { keys } from '../../../lib/layout';
import { readAwsEvent } from '../../support/aws-fixtures';
import { recordingLogger } from '../../support/logs';
import { describeJob, jobName } from '../../support/sagemaker';
import { completeWorld } from '../../support/stage-worlds';

const JOB = jobName('iris', 'r1');
const context = (id: string) => ({ awsRequestId: id }) as Context;

/** The documented sample event, renamed to a job of this stack. */
function sampleFor(job: string) {
  const sample = readAwsEvent('sagemaker-training-job-state-change.sample.json');
  return { ...sample, detail: { ...(sample.detail as Record<string, unknown>), TrainingJobName: job } };
}

describe('complete handler', () => {
  it('catalogs and notifies for the documented sample event of one of its jobs', async () => {
    const { store, notifier, deps } = await completeWorld([describeJob()]);
    const handler = createCompleteHandler(() => deps);
    const result = await handler(sampleFor(JOB), context('req-1'));
    expect(result).toMatchObject({ outcome: 'cataloged', dataset: 'iris', run: 'r1', entryCreated: true });
    expect(store.text(keys.catalogEntry('iris', JOB))).toBeDefined();
    expect(store.text(keys.catalogLatest('iris'))).toContain(JOB);
    expect(notifier.sent.map((e) => e.detailType)).toEqual(['Training Completed']);
  });

  it('uses the request id as the notification owner, so a redelivery notifies nobody twice', async () => {
    const { notifier, deps } = await completeWorld([describeJob()]);
    const handler = createCompleteHandler(() => deps);
    await handler(sampleFor(JOB), context('req-1'));
    await handler(sampleFor(JOB), context('req-2'));
    expect(notifier.sent).toHaveLength(1);
    const record = JSON.parse(
      (await deps.store.getText(keys.notification('iris', `finished-${JOB}`))) ?? '{}',
    );
    expect(record).toMatchObject({ state: 'sent', owner: 'req-1' });
  });

  it('returns without side effects for the sample as published (a job of no stack)', async () => {
    const { store, notifier, deps } = await completeWorld([describeJob()]);
    const handler = createCompleteHandler(() => deps);
    const result = await handler(
      readAwsEvent('sagemaker-training-job-state-change.sample.json'),
      context('r'),
    );
    expect(result.outcome).toBe('ignored');
    expect(store.keys().some((k) => k.startsWith('catalog/'))).toBe(false);
    expect(notifier.sent).toEqual([]);
  });

  it('fails on an event that is not a training job state change, so it is not lost', async () => {
    const { deps } = await completeWorld([]);
    const handler = createCompleteHandler(() => deps);
    await expect(handler(readAwsEvent('s3-test-event.sample.json'), context('r'))).rejects.toBeInstanceOf(
      TrainingJobEventError,
    );
  });

  it('puts the function, the request id, the job and its status on its log lines', async () => {
    const { deps } = await completeWorld([describeJob()]);
    const { logger, lines } = recordingLogger();
    await createCompleteHandler(() => ({ ...deps, logger }))(sampleFor(JOB), context('req-1'));
    expect(lines.find((l) => l.message === 'training job event handled')).toMatchObject({
      function: 'complete',
      requestId: 'req-1',
      job: JOB,
      status: 'Completed',
      outcome: 'cataloged',
    });
  });

  it('rethrows what should be retried, logging the job it failed on', async () => {
    const { deps } = await completeWorld([describeJob()]);
    const { logger, lines } = recordingLogger();
    const handler = createCompleteHandler(() => ({
      ...deps,
      logger,
      trainer: {
        ...deps.trainer,
        async describeTrainingJob() {
          throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        },
      },
    }));
    await expect(handler(sampleFor(JOB), context('r'))).rejects.toThrow(/Rate exceeded/);
    expect(lines.find((l) => l.message === 'invocation failed')).toMatchObject({
      level: 'error',
      job: JOB,
      requestId: 'r',
      error: { name: 'ThrottlingException' },
    });
  });
});
