import { describe, expect, it } from 'vitest';
import type { ObjectRef, ObjectStore } from '../../../lib/ports';
import { handleRawUpload, type MergeEngine } from '../../../lib/stages/merge';
import {
  LAMBDA_MB_PER_VCPU,
  MERGE_BUDGET_SECONDS,
  MERGE_BYTES_PER_CPU_SECOND,
  maxMergeInputBytes,
  S3_READ_BYTES_PER_SECOND,
} from '../../../lib/stages/merge-limits';
import { MemoryStore } from '../../support/memory-store';
import { numericDataset } from '../../support/merge-fixtures';
import { mergeDeps } from '../../support/stage-worlds';

describe('maxMergeInputBytes', () => {
  it('scales with the CPU share Lambda gives the memory, up to one vCPU', () => {
    expect(maxMergeInputBytes(1024)).toBe(
      Math.floor(MERGE_BYTES_PER_CPU_SECOND * (1024 / LAMBDA_MB_PER_VCPU) * MERGE_BUDGET_SECONDS),
    );
    expect(maxMergeInputBytes(LAMBDA_MB_PER_VCPU)).toBe(MERGE_BYTES_PER_CPU_SECOND * MERGE_BUDGET_SECONDS);
    // The engine runs on one thread: more memory adds vCPUs it does not use.
    expect(maxMergeInputBytes(10240)).toBe(maxMergeInputBytes(LAMBDA_MB_PER_VCPU));
  });

  it('never exceeds what the parallel S3 reads deliver in the time budget', () => {
    for (const memory of [128, 1024, 3008, 10240]) {
      expect(maxMergeInputBytes(memory)).toBeLessThanOrEqual(S3_READ_BYTES_PER_SECOND * MERGE_BUDGET_SECONDS);
    }
  });
});

/** The store as it is, except that x.csv reports `size` bytes and no input may be read. */
function hugeX(store: MemoryStore, size: number): { store: ObjectStore; reads: string[] } {
  const reads: string[] = [];
  const wrapped: ObjectStore = Object.create(store);
  wrapped.head = async (key: string) => {
    const ref = await store.head(key);
    return ref && key.endsWith('x.csv') ? { ...ref, size } : ref;
  };
  wrapped.read = (ref: ObjectRef) => {
    reads.push(ref.key);
    return store.read(ref);
  };
  return { store: wrapped, reads };
}

describe('merge stage: size limit', () => {
  const data = numericDataset(20, 3);
  const engineCalls: string[] = [];
  const engine: MergeEngine = async () => {
    engineCalls.push('called');
    throw new Error('the engine must not run');
  };

  it('rejects a pair larger than one invocation can merge in 15 minutes, before reading a byte', async () => {
    const memory = new MemoryStore();
    await memory.upload('raw/big/x.csv', data.x);
    await memory.upload('raw/big/y.csv', data.y);
    const tooBig = maxMergeInputBytes(1024) + 1;
    const { store, reads } = hugeX(memory, tooBig);
    const { deps, notifier } = mergeDeps(store);
    const outcome = await handleRawUpload(
      { ...deps, config: { ...deps.config, mergeMemoryMb: 1024 }, engine },
      { key: 'raw/big/y.csv' },
      { requestId: 'request-1' },
    );
    expect(outcome.outcome).toBe('rejected');
    if (outcome.outcome !== 'rejected') return;
    expect(outcome.message).toBe(
      `raw/big/x.csv and raw/big/y.csv are ${((tooBig + data.y.length) / 1e9).toFixed(1)} GB together; one merge handles at most ${(maxMergeInputBytes(1024) / 1e9).toFixed(1)} GB within Lambda's 15 minutes at 1024 MB (param mergeMemoryMb)`,
    );
    const report = JSON.parse(memory.text(outcome.reportKey) ?? '');
    expect(report.hint).toContain('mergeMemoryMb');
    expect(report.hint).toContain('docs/SCALE.md');
    expect(reads).toEqual([]);
    expect(engineCalls).toEqual([]);
    expect(notifier.sent.map((event) => event.detailType)).toEqual(['Dataset Rejected']);
  });

  it('merges a pair below the limit of even the smallest memory', async () => {
    const memory = new MemoryStore();
    await memory.upload('raw/big/x.csv', data.x);
    await memory.upload('raw/big/y.csv', data.y);
    const { deps } = mergeDeps(memory);
    const outcome = await handleRawUpload(
      { ...deps, config: { ...deps.config, mergeMemoryMb: 128 } },
      { key: 'raw/big/y.csv' },
      { requestId: 'request-1' },
    );
    expect(outcome.outcome).toBe('committed');
  });
});
