import { describe, expect, it } from 'vitest';
import { parseEventTime, parseTrainingJobEvent, TrainingJobEventError } from '../../../lib/events/sagemaker';
import { readAwsEvent } from '../../support/aws-fixtures';

const sample = readAwsEvent('sagemaker-training-job-state-change.sample.json');
const withDetail = (detail: Record<string, unknown>) => ({
  ...sample,
  detail: { ...(sample.detail as Record<string, unknown>), ...detail },
});

describe('parseEventTime', () => {
  it.each([
    ['an ISO string', '2026-01-01T01:00:00Z'],
    ['epoch milliseconds', 1767229200000],
    ['epoch seconds', 1767229200],
    ['epoch seconds with a fraction', 1767229200.0],
    ['epoch milliseconds as a string', '1767229200000'],
  ])('reads %s', (_, value) => {
    expect(parseEventTime(value)?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it.each([['garbage'], [null], [{}], [-5], ['']])('gives undefined for %j', (value) => {
    expect(parseEventTime(value)).toBeUndefined();
  });
});

describe('parseTrainingJobEvent', () => {
  it('reads the documented sample: epoch times in strings, empty tags', () => {
    const change = parseTrainingJobEvent(sample);
    expect(change).toMatchObject({
      job: '89c96cc8-dded-4739-afcc-6f1dc936701d',
      status: 'Completed',
      terminal: true,
      tags: {},
      trainChannelUri: 'S3Uri',
    });
    expect(change.endTime?.toISOString()).toBe('2020-03-10T09:18:09.050Z');
    expect(change.eventTime?.toISOString()).toBe('2018-10-06T12:26:13.000Z');
  });

  it('reads tags given as a list of Key and Value', () => {
    const change = parseTrainingJobEvent(
      withDetail({
        Tags: [
          { Key: 'sagedrop:dataset', Value: 'iris' },
          { Key: 'sagedrop:run', Value: 'r1' },
        ],
      }),
    );
    expect(change.tags).toEqual({ 'sagedrop:dataset': 'iris', 'sagedrop:run': 'r1' });
  });

  it('reads tags given as an object and numeric times', () => {
    const change = parseTrainingJobEvent(
      withDetail({ Tags: { 'sagedrop:dataset': 'iris' }, TrainingEndTime: 1767229200 }),
    );
    expect(change.tags).toEqual({ 'sagedrop:dataset': 'iris' });
    expect(change.endTime?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('tolerates tags and inputs of an unexpected shape rather than losing the event', () => {
    const change = parseTrainingJobEvent(withDetail({ Tags: 'odd', InputDataConfig: 'odd' }));
    expect(change.tags).toEqual({});
    expect(change.trainChannelUri).toBeUndefined();
  });

  it('marks non-terminal states', () => {
    expect(parseTrainingJobEvent(withDetail({ TrainingJobStatus: 'InProgress' })).terminal).toBe(false);
    expect(parseTrainingJobEvent(withDetail({ TrainingJobStatus: 'Stopped' })).terminal).toBe(true);
  });

  it('rejects payloads that are not training job state changes, naming what is missing', () => {
    expect(() => parseTrainingJobEvent({ Records: [] })).toThrow(TrainingJobEventError);
    expect(() => parseTrainingJobEvent(withDetail({ TrainingJobName: undefined }))).toThrow(
      /detail.TrainingJobName/,
    );
  });
});
