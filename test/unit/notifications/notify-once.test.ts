import { describe, expect, it } from 'vitest';
import { keys } from '../../../lib/layout';
import type { PipelineEvent } from '../../../lib/notifications/events';
import { NOTIFY_LEASE_MS, notifyOnce } from '../../../lib/notifications/notify-once';
import { MemoryStore } from '../../support/memory-store';
import { RecordingNotifier } from '../../support/notifier';

const event: PipelineEvent = {
  detailType: 'Training Started',
  detail: {
    schemaVersion: '1.0',
    dataset: 'iris',
    run: 'r1',
    job: 'sagedrop-dev-iris-r1',
    algorithm: 'kmeans',
    instanceType: 'ml.m5.large',
    instanceCount: 1,
    manifestUri: 's3://b/train/iris/r1/manifest.json',
  },
};

/** A recording notifier whose first `failTimes` sends fail as SNS would when unavailable. */
function recordingNotifier(failTimes = 0) {
  const notifier = new RecordingNotifier();
  for (let i = 0; i < failTimes; i++) notifier.failures.push(new Error('SNS unavailable'));
  return { sent: notifier.sent, notifier };
}

describe('notifyOnce', () => {
  it('sends once however often the same notification is requested', async () => {
    const store = new MemoryStore();
    const { sent, notifier } = recordingNotifier();
    expect(await notifyOnce(store, notifier, event, 'started-job', 'req-1')).toBe(true);
    expect(await notifyOnce(store, notifier, event, 'started-job', 'req-2')).toBe(false);
    expect(await notifyOnce(store, notifier, event, 'started-job', 'req-1')).toBe(false);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(store.text(keys.notification('iris', 'started-job')) ?? '{}').state).toBe('sent');
  });

  it('sends once when duplicates race', async () => {
    const store = new MemoryStore();
    const { sent, notifier } = recordingNotifier();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => notifyOnce(store, notifier, event, 'started-job', `req-${i}`)),
    );
    expect(sent).toHaveLength(1);
  });

  it('lets a retry of the same invocation send after a crash between claim and send', async () => {
    const store = new MemoryStore();
    const { sent, notifier } = recordingNotifier();
    const claim = { state: 'sending', owner: 'req-1', at: new Date().toISOString(), event };
    await store.put(keys.notification('iris', 'started-job'), JSON.stringify(claim));
    expect(await notifyOnce(store, notifier, event, 'started-job', 'req-other')).toBe(false);
    expect(await notifyOnce(store, notifier, event, 'started-job', 'req-1')).toBe(true);
    expect(await notifyOnce(store, notifier, event, 'started-job', 'req-1')).toBe(false);
    expect(sent).toHaveLength(1);
  });

  it('lets a later invocation send after every attempt of the first one failed', async () => {
    const store = new MemoryStore();
    const { sent, notifier } = recordingNotifier(3);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(notifyOnce(store, notifier, event, 'started-job', 'req-1')).rejects.toThrow(/SNS/);
    }
    expect(await notifyOnce(store, notifier, event, 'started-job', 'req-redrive')).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('sends once when a retry and a duplicate both find a failed send', async () => {
    const store = new MemoryStore();
    const { sent, notifier } = recordingNotifier(1);
    await expect(notifyOnce(store, notifier, event, 'started-job', 'req-1')).rejects.toThrow(/SNS/);
    const results = await Promise.all([
      notifyOnce(store, notifier, event, 'started-job', 'req-1'),
      notifyOnce(store, notifier, event, 'started-job', 'req-2'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('takes over a claim abandoned for longer than the lease', async () => {
    const store = new MemoryStore();
    const { sent, notifier } = recordingNotifier(1);
    const start = Date.parse('2026-01-01T00:00:00Z');
    await expect(notifyOnce(store, notifier, event, 'id', 'req-1', () => new Date(start))).rejects.toThrow();
    const later = () => new Date(start + NOTIFY_LEASE_MS + 1);
    expect(await notifyOnce(store, notifier, event, 'id', 'req-2', later)).toBe(true);
    expect(sent).toHaveLength(1);
  });
});
