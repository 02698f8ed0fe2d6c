import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMerge } from './harness';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/pandas', name));

describe('mergeStreams against the notebook recipe', () => {
  it('writes byte for byte what pd.concat([y, x], axis=1).to_csv(header=False, index=False) writes', async () => {
    const { outputs, summary } = await runMerge(fixture('x.csv'), fixture('y.csv'), {}, { x: 4096, y: 333 });
    expect(outputs.train).toBe(fixture('expected.csv').toString());
    expect(summary).toMatchObject({ rows: 300, featureCount: 6, headerDropped: { x: true, y: true } });
    expect(summary.labels).toMatchObject({ distinct: ['0', '1', '2'], integer: true, min: 0, max: 2 });
  });
});
