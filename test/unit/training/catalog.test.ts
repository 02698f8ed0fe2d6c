import { describe, expect, it } from 'vitest';
import { keys } from '../../../lib/layout';
import type { ObjectStore } from '../../../lib/ports';
import {
  advanceLatest,
  buildCatalogEntry,
  type CatalogEntry,
  isNewer,
  LatestPointerContentionError,
  latestPointerFor,
  writeCatalogEntry,
} from '../../../lib/training/catalog';
import { summariseTrainingJob } from '../../../lib/training/finished-job';
import { MemoryStore } from '../../support/memory-store';
import { describeJob, jobName } from '../../support/sagemaker';

function entry(run: string, end: string, status: 'Completed' | 'Failed' = 'Completed'): CatalogEntry {
  const job = summariseTrainingJob(describeJob({ run, end, status }));
  if (!job) throw new Error('fixture is not finished');
  return buildCatalogEntry({ dataset: 'iris', run, job, algorithm: 'linear-learner', manifest: null });
}

const latestJob = (store: MemoryStore) => JSON.parse(store.text(keys.catalogLatest('iris')) ?? '{}').job;

describe('writeCatalogEntry', () => {
  it('writes once and hands later writers the stored entry', async () => {
    const store = new MemoryStore();
    const first = entry('r1', '2026-01-01T00:00:00Z');
    expect(await writeCatalogEntry(store, first)).toEqual({ entry: first, created: true });
    const second = { ...first, algorithm: 'changed' };
    const again = await writeCatalogEntry(store, second);
    expect(again.created).toBe(false);
    expect(again.entry.algorithm).toBe('linear-learner');
    expect(store.versions.get(keys.catalogEntry('iris', first.job))).toHaveLength(1);
  });

  it('serialises the same job to the same bytes', () => {
    const a = JSON.stringify(entry('r1', '2026-01-01T00:00:00Z'));
    const b = JSON.stringify(entry('r1', '2026-01-01T00:00:00Z'));
    expect(a).toBe(b);
  });
});

describe('latest.json', () => {
  it('has no pointer for jobs that did not complete', () => {
    expect(latestPointerFor(entry('r1', '2026-01-01T00:00:00Z', 'Failed'))).toBeUndefined();
  });

  it('orders by training end time, then by job name', () => {
    const [a, b, c] = [
      latestPointerFor(entry('r1', '2026-01-01T00:00:00Z')),
      latestPointerFor(entry('r2', '2026-01-01T00:00:00Z')),
      latestPointerFor(entry('r0', '2026-01-02T00:00:00Z')),
    ];
    if (!a || !b || !c) throw new Error('fixture has no pointer');
    expect(isNewer(b, a)).toBe(true);
    expect(isNewer(a, b)).toBe(false);
    expect(isNewer(c, b)).toBe(true);
    expect(isNewer(a, a)).toBe(false);
  });

  it('creates the pointer, moves it forward and never back', async () => {
    const store = new MemoryStore();
    expect(await advanceLatest(store, entry('r2', '2026-01-02T00:00:00Z'))).toBe(true);
    expect(await advanceLatest(store, entry('r1', '2026-01-01T00:00:00Z'))).toBe(false);
    expect(await advanceLatest(store, entry('r2', '2026-01-02T00:00:00Z'))).toBe(false);
    expect(latestJob(store)).toBe(jobName('iris', 'r2'));
    expect(await advanceLatest(store, entry('r3', '2026-01-03T00:00:00Z'))).toBe(true);
    expect(latestJob(store)).toBe(jobName('iris', 'r3'));
  });

  it('does not overwrite a newer pointer written between its read and its write', async () => {
    const store = new MemoryStore();
    await advanceLatest(store, entry('r1', '2026-01-01T00:00:00Z'));
    let interfered = false;
    // Another invocation moves the pointer to r3 right after this one has read r1.
    const racing: ObjectStore = Object.create(store);
    racing.put = async (key, body, options) => {
      if (!interfered && key === keys.catalogLatest('iris') && options?.ifMatch) {
        interfered = true;
        await advanceLatest(store, entry('r3', '2026-01-03T00:00:00Z'));
      }
      return store.put(key, body, options);
    };
    expect(await advanceLatest(racing, entry('r2', '2026-01-02T00:00:00Z'))).toBe(false);
    expect(interfered).toBe(true);
    expect(latestJob(store)).toBe(jobName('iris', 'r3'));
  });

  it('treats an unreadable pointer as absent and replaces it', async () => {
    const store = new MemoryStore();
    await store.put(keys.catalogLatest('iris'), 'not json');
    expect(await advanceLatest(store, entry('r1', '2026-01-01T00:00:00Z'))).toBe(true);
    expect(latestJob(store)).toBe(jobName('iris', 'r1'));
  });

  it('gives up with a retryable error when the pointer never stops changing', async () => {
    const store = new MemoryStore();
    await advanceLatest(store, entry('r1', '2026-01-01T00:00:00Z'));
    const busy: ObjectStore = Object.create(store);
    busy.put = async (key, body, options) =>
      options?.ifMatch ? { created: false } : store.put(key, body, options);
    await expect(advanceLatest(busy, entry('r2', '2026-01-02T00:00:00Z'))).rejects.toBeInstanceOf(
      LatestPointerContentionError,
    );
  });
});
