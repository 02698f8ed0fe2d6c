import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../../reliability/fault-menu';
import { runReliability } from '../../reliability/harness';
import { problemsOf } from '../../reliability/report';

describe('the reliability harness at a small size', () => {
  it('ends with exactly one run, job, catalog entry and notification per pair under every kind of fault', async () => {
    const report = await runReliability({
      seed: 7,
      datasets: 20,
      dosesPerDataset: 2,
      big: 0,
      bigRows: 0,
      persistent: 3,
      identical: 1,
      maxDuplicates: 2,
      lateReplays: 20,
      keysAtLimit: 1,
    });
    expect(problemsOf(report, [])).toEqual([]);
    const kinds: FaultKind[] = [
      'http-500',
      'slowdown-503',
      'reset-get-body',
      'lambda-timeout',
      'sns-failure',
      'throttling',
      'eventbridge-duplicate',
      'eventbridge-out-of-order',
    ];
    for (const kind of kinds) expect(report.faults[kind], kind).toBeGreaterThan(0);
    expect(report.replayed.s3).toBeGreaterThan(0);
    expect(report.replayed.late).toBe(20);
    expect(report.races.xy).toBeGreaterThan(0);
    // Identical bytes again: x alone (no run), x then y, both at once, three times each.
    expect(Object.values(report.identical).map((f) => f.uploads)).toEqual([3, 3, 3]);
    // One persistent fault per stage outlasts Lambda's retries: each must be in the on-failure queue.
    expect(report.onFailure.expected).toBeGreaterThanOrEqual(3);
    expect(report.onFailure.missing).toEqual([]);
    // Hundreds of faulted invocations against a real S3 server: minutes on a shared two-core machine.
  }, 300_000);
});
