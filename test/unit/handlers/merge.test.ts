import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createMergeHandler } from '../../../handlers/merge';
import { s3Notification, s3TestEvent } from '../../support/events';
import { recordingLogger } from '../../support/logs';
import { MemoryStore } from '../../support/memory-store';
import { numericDataset } from '../../support/merge-fixtures';
import { mergeDeps } from '../../support/stage-worlds';

const event = (bucket: string, ...encodedKeys: string[]) => s3Notification(bucket, encodedKeys);
const context = (awsRequestId: string) => ({ awsRequestId }) as Context;

function setup() {
  const store = new MemoryStore();
  const { logger, lines } = recordingLogger();
  const { deps, notifier } = mergeDeps(store);
  deps.logger = logger;
  return { store, notifier, lines, handler: createMergeHandler(() => deps) };
}

describe('merge handler', () => {
  it('decodes the keys of a real S3 notification and merges the dataset', async () => {
    const { store, handler, lines } = setup();
    const data = numericDataset(30, 2);
    await store.upload('raw/my data/x.csv', data.x);
    await store.upload('raw/my data/y.csv', data.y);
    const outcomes = await handler(event('test-bucket', 'raw/my+data/y.csv'), context('req-1'));
    expect(outcomes).toMatchObject([{ outcome: 'committed', dataset: 'my data', created: true }]);
    const done = lines.find((l) => l.message === 'object handled');
    expect(done).toMatchObject({
      level: 'info',
      function: 'merge',
      key: 'raw/my data/y.csv',
      requestId: 'req-1',
      outcome: 'committed',
    });
    expect(lines.find((l) => l.message === 'run committed')).toMatchObject({
      dataset: 'my data',
      requestId: 'req-1',
    });
    expect(lines.find((l) => l.message === 'run committed')?.run).toBe(
      outcomes[0]?.outcome === 'committed' ? outcomes[0].run : '',
    );
  });

  it('ignores the s3:TestEvent message', async () => {
    const { handler, store } = setup();
    expect(await handler(s3TestEvent(), context('req-t'))).toEqual([]);
    expect(store.keys()).toEqual([]);
  });

  it('skips uploads to another bucket', async () => {
    const { handler, lines } = setup();
    expect(await handler(event('other-bucket', 'raw/x.csv'), context('req-o'))).toEqual([]);
    expect(lines.find((l) => l.message === 'object in another bucket')).toMatchObject({
      bucket: 'other-bucket',
    });
  });

  it('handles every record and then fails the event when one failed, so Lambda retries it', async () => {
    const { store, handler } = setup();
    const data = numericDataset(10, 2);
    await store.upload('raw/a/x.csv', data.x);
    await store.upload('raw/a/y.csv', data.y);
    await store.upload('raw/b/x.csv', data.x);
    await store.upload('raw/b/y.csv', data.y);
    const head = store.head.bind(store);
    store.head = async (key: string) => {
      if (key.startsWith('raw/a/')) throw new Error('S3 is slow down');
      return head(key);
    };
    await expect(
      handler(event('test-bucket', 'raw/a/x.csv', 'raw/b/x.csv'), context('req-f')),
    ).rejects.toThrow('S3 is slow down');
    expect(store.keys().some((k) => k.startsWith('train/b/') && k.endsWith('manifest.json'))).toBe(true);
  });

  it('rejects a payload that is not an S3 notification', async () => {
    const { handler } = setup();
    await expect(handler({ hello: 'world' }, context('req-x'))).rejects.toThrow();
  });

  it('sends the rejection notification as the invocation, so a retry of it re-sends only if unsent', async () => {
    const { store, handler, notifier } = setup();
    await store.upload('raw/_bad/x.csv', '1\n');
    await handler(event('test-bucket', 'raw/_bad/x.csv'), context('req-r'));
    await handler(event('test-bucket', 'raw/_bad/x.csv'), context('req-r'));
    expect(notifier.sent).toHaveLength(1);
    const record = store.keys().find((k) => k.startsWith('notifications/_invalid/'));
    expect(JSON.parse(store.text(record ?? '') ?? '{}')).toMatchObject({ state: 'sent', owner: 'req-r' });
  });
});
