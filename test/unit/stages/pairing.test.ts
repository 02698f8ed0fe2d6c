import { describe, expect, it } from 'vitest';
import { keys } from '../../../lib/layout';
import {
  CLAIM_LEASE_MS,
  type ClaimContext,
  claimInput,
  claimPair,
  releaseInput,
} from '../../../lib/stages/pairing';
import { MemoryStore } from '../../support/memory-store';

const start = Date.parse('2026-02-01T00:00:00Z');

function context(store: MemoryStore, run: string, owner: string, at = start): ClaimContext {
  return { store, dataset: 'd', run, owner, now: () => new Date(at) };
}

describe('input claims', () => {
  it('gives an input to exactly one of many concurrent claimants', async () => {
    const store = new MemoryStore();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => claimInput(context(store, 'r1', `owner-${i}`), 'x', 't')),
    );
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'busy')).toHaveLength(7);
  });

  it('lets exactly one of several claimants take over a stale claim', async () => {
    const store = new MemoryStore();
    await claimInput(context(store, 'r0', 'dead'), 'x', 't');
    const later = start + CLAIM_LEASE_MS + 1;
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        claimInput(context(store, `r${i + 1}`, `owner-${i}`, later), 'x', 't'),
      ),
    );
    expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
  });

  it('counts an input as consumed once its run has a manifest, and free again when its run was rejected', async () => {
    const store = new MemoryStore();
    await claimInput(context(store, 'r1', 'a'), 'x', 'used');
    await store.put(keys.manifest('d', 'r1'), '{}');
    expect(await claimInput(context(store, 'r2', 'b'), 'x', 'used')).toEqual({ kind: 'consumed', by: 'r1' });
    await claimInput(context(store, 'r3', 'a'), 'y', 'bad');
    await store.put(keys.errorReport('d', 'r3'), '{}');
    expect(await claimInput(context(store, 'r4', 'b'), 'y', 'bad')).toEqual({ kind: 'claimed' });
  });

  it('releases x when y is held by another run, and only its own claim', async () => {
    const store = new MemoryStore();
    await claimInput(context(store, 'other', 'c'), 'y', 'y1');
    expect(await claimPair(context(store, 'mine', 'a'), { x: 'x1', y: 'y1' })).toEqual({
      kind: 'busy',
      by: 'other',
      file: 'y',
    });
    expect(await store.head(keys.inputClaim('d', 'x', 'x1'))).toBeUndefined();
    await releaseInput(context(store, 'mine', 'a'), 'y', 'y1');
    expect(await store.head(keys.inputClaim('d', 'y', 'y1'))).toBeDefined();
  });
});
