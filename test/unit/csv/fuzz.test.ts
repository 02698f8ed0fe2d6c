import { describe, expect, it } from 'vitest';
import { fuzz as fuzzCsv } from '../../fuzz/csv-fuzz';
import { fuzz as fuzzSettings } from '../../fuzz/settings-fuzz';

describe('fuzzing', () => {
  it('the CSV merge only ever matches the reference or rejects cleanly', async () => {
    const counts = await fuzzCsv(2000, 7);
    expect(counts.examples).toEqual([]);
    expect(counts).toMatchObject({ inputs: 2000, unexpected: 0 });
    expect(counts.matched).toBeGreaterThan(200);
    expect(counts.rejectedCleanly).toBeGreaterThan(200);
  });

  it('the settings parser only ever returns valid settings or throws SettingsError', async () => {
    const counts = await fuzzSettings(2000, 7);
    expect(counts.examples).toEqual([]);
    expect(counts).toMatchObject({ inputs: 2000, unexpected: 0 });
    expect(counts.matched).toBeGreaterThan(100);
    expect(counts.rejectedCleanly).toBeGreaterThan(100);
  });
});
