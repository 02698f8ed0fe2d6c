import { describe, expect, it } from 'vitest';
import { keys } from '../../lib/layout';
import { notifyOnce, readNotificationRecord } from '../../lib/notifications/notify-once';
import { readRejectionReport } from '../../lib/stages/merge-rejection';
import { readInputClaim } from '../../lib/stages/pairing';
import { readCatalogRecord, readLatestPointer } from '../../lib/training/catalog-records';
import { readManifest } from '../../lib/training/manifest';
import { makeManifest } from '../support/manifests';
import { MemoryStore } from '../support/memory-store';

describe('stored record readers', () => {
  it('read a manifest back as written, and say absent when there is none', async () => {
    const store = new MemoryStore();
    const manifest = makeManifest();
    const key = keys.manifest(manifest.dataset, manifest.run);
    expect(await readManifest(store, key)).toEqual({ state: 'absent' });
    await store.put(key, JSON.stringify(manifest));
    expect(await readManifest(store, key)).toMatchObject({ state: 'valid', record: manifest });
  });

  it('name the key and the field when a record is not what its type says, and keep the JSON', async () => {
    const store = new MemoryStore();
    const key = keys.manifest('iris', 'r1');
    await store.put(key, JSON.stringify({ ...makeManifest({ run: 'r1' }), featureCount: 'four' }));
    const read = await readManifest(store, key);
    expect(read).toMatchObject({ state: 'invalid', json: { featureCount: 'four' } });
    expect(read.state === 'invalid' && read.problem).toMatch(
      /^train\/iris\/r1\/manifest\.json .*featureCount/,
    );
    await store.put(key, '{"schemaVersion": ');
    expect(await readManifest(store, key)).toMatchObject({
      state: 'invalid',
      problem: expect.stringContaining(`${key} is not JSON`),
    });
  });

  it('refuse claims, reports, notification records and catalog records that lack what readers use', async () => {
    const store = new MemoryStore();
    await store.put('claim.json', JSON.stringify({ run: 'r1', owner: 'a' }));
    await store.put('report.json', JSON.stringify({ schemaVersion: '1.0', message: 'm' }));
    await store.put('record.json', JSON.stringify({ state: 'sent', owner: 'a', at: 'now', event: {} }));
    await store.put('entry.json', JSON.stringify({ schemaVersion: '1.0', job: 'j', status: 'Done' }));
    await store.put(keys.catalogLatest('iris'), JSON.stringify({ job: 'j' }));
    for (const read of [
      await readInputClaim(store, 'claim.json'),
      await readRejectionReport(store, 'report.json'),
      await readNotificationRecord(store, 'record.json'),
      await readCatalogRecord(store, 'entry.json'),
      await readLatestPointer(store, 'iris'),
    ]) {
      expect(read.state).toBe('invalid');
    }
  });

  it('send a notification whose record is unreadable rather than lose it', async () => {
    const store = new MemoryStore();
    const sent: unknown[] = [];
    const event = {
      detailType: 'Training Failed To Start' as const,
      detail: { schemaVersion: '1.0' as const, dataset: 'iris', run: 'r1', job: 'j', reason: 'r', hint: 'h' },
    };
    await store.put(keys.notification('iris', 'not-started-j'), 'garbage');
    const notified = await notifyOnce(
      store,
      { notify: async (e) => void sent.push(e) },
      event,
      'not-started-j',
      'a',
    );
    expect(notified).toBe(true);
    expect(sent).toEqual([event]);
    expect(await readNotificationRecord(store, keys.notification('iris', 'not-started-j'))).toMatchObject({
      state: 'valid',
      record: { state: 'sent', event },
    });
  });
});
