import { describe, expect, it } from 'vitest';
import { DISTINCT_LABEL_CAP } from '../../../lib/csv/merge';
import { referenceMerge } from '../../support/reference-merge';
import { bytes, OPTIONS, runMerge } from './harness';

describe('mergeStreams: output format', () => {
  it('joins row i of y to row i of x, label first, no header, LF line ends', async () => {
    const { outputs, summary } = await runMerge('1.5,2\n3,4.25\n', '0\n1\n');
    expect(outputs).toEqual({ train: '0,1.5,2\n1,3,4.25\n' });
    expect(summary).toMatchObject({ rows: 2, featureCount: 2, headerDropped: { x: false, y: false } });
    expect(summary.rowsPerFile).toEqual({ train: 2 });
    expect(summary.bytesPerFile).toEqual({ train: 17 });
  });

  it('copies values byte for byte, without reformatting numbers', async () => {
    const x = '1.50000,-0.0,1e-5,+3,.5,5.,007,-1.2E+10\n';
    const { outputs } = await runMerge(x, '1.0\n');
    expect(outputs.train).toBe(`1.0,${x}`);
  });

  it('writes features only in train and validation when the algorithm does not train on the label', async () => {
    const { outputs } = await runMerge('1,2\n3,4\n', '0\n1\n', { labelInTraining: false });
    expect(outputs).toEqual({ train: '1,2\n3,4\n' });
  });

  it('accepts CRLF, lone CR and mixed line ends and writes LF', async () => {
    const { outputs } = await runMerge('1,2\r\n3,4\r5,6\n7,8', '0\r\n1\n2\r3\r\n');
    expect(outputs.train).toBe('0,1,2\n1,3,4\n2,5,6\n3,7,8\n');
  });

  it('skips a UTF-8 byte order mark at the start of either file', async () => {
    const { outputs } = await runMerge('\ufeff1,2\n', '\ufeff7\n');
    expect(outputs.train).toBe('7,1,2\n');
  });

  it('accepts a missing final newline and ignores trailing blank lines', async () => {
    const { outputs, summary } = await runMerge('1,2\n3,4\n\n\r\n\n', '0\n1');
    expect(outputs.train).toBe('0,1,2\n1,3,4\n');
    expect(summary.rows).toBe(2);
  });

  it('unquotes quoted numbers and keeps them numeric', async () => {
    const { outputs } = await runMerge('"1.5","2"\n', '"3"\n');
    expect(outputs.train).toBe('3,1.5,2\n');
  });

  it('re-quotes fields that need it, minimally, like pandas', async () => {
    const x = '"a,b","say ""hi""",plain,"multi\r\nline","unneeded"\nab"c,x,y,z,w\n';
    const { outputs } = await runMerge(x, 'cat\ndog\n', { numeric: 'any' });
    expect(outputs.train).toBe(
      'cat,"a,b","say ""hi""",plain,"multi\r\nline",unneeded\ndog,"ab""c",x,y,z,w\n',
    );
  });

  it('keeps empty fields as missing values with numeric-or-empty', async () => {
    const { outputs } = await runMerge('1,,3\n,2,\n', '0\n1\n', { numeric: 'numeric-or-empty' });
    expect(outputs.train).toBe('0,1,,3\n1,,2,\n');
  });

  it('writes a row that is one empty value as "" so it is not a blank line', async () => {
    const { outputs } = await runMerge('1\n\n3\n', '0\n1\n2\n', {
      numeric: 'numeric-or-empty',
      labelInTraining: false,
    });
    expect(outputs.train).toBe('1\n""\n3\n');
  });

  it('takes non-ASCII text as is with numeric any', async () => {
    const { outputs, summary } = await runMerge('café,1\nnaïve,2\n', 'oui\nnon\n', { numeric: 'any' });
    expect(outputs.train).toBe('oui,café,1\nnon,naïve,2\n');
    expect(summary.labels).toMatchObject({ distinct: ['non', 'oui'], numeric: false, integer: false });
  });

  it('handles files wider than the row table (the per-field fast path)', async () => {
    const row = (k: number) => Array.from({ length: 100 }, (_, j) => `${k}.${j}`).join(',');
    const x = `${Array.from({ length: 50 }, (_, k) => row(k)).join('\n')}\n`;
    const y = `${Array.from({ length: 50 }, (_, k) => String(k % 3)).join('\n')}\n`;
    const { outputs, summary } = await runMerge(x, y, { testFraction: 0.2, validationFraction: 0.2 });
    const expected = referenceMerge(bytes(x), bytes(y), {
      ...OPTIONS,
      testFraction: 0.2,
      validationFraction: 0.2,
    });
    expect(outputs).toEqual(expected.outputs);
    expect(summary.featureCount).toBe(100);
  });
});

describe('mergeStreams: headers', () => {
  it('drops a header row in both files and says so', async () => {
    const { outputs, summary } = await runMerge('a,b\n1,2\n', 'label\n0\n');
    expect(outputs.train).toBe('0,1,2\n');
    expect(summary.headerDropped).toEqual({ x: true, y: true });
    expect(summary.rows).toBe(1);
  });

  it('drops a header in one file only', async () => {
    const { outputs, summary } = await runMerge('1,2\n3,4\n', '"target"\r\n0\r\n1\r\n');
    expect(outputs.train).toBe('0,1,2\n1,3,4\n');
    expect(summary.headerDropped).toEqual({ x: false, y: true });
  });

  it("recognises pandas' default column names 0..n-1 above float rows, and y's header 0 with them", async () => {
    const { outputs, summary } = await runMerge('0,1,2\n0.5,1.5,2\n', '0\n1\n');
    expect(outputs.train).toBe('1,0.5,1.5,2\n');
    expect(summary.headerDropped).toEqual({ x: true, y: true });
  });

  it('keeps an all-numeric first row as data', async () => {
    const { outputs, summary } = await runMerge('0,1\n2,3\n', '0\n1\n');
    expect(outputs.train).toBe('0,0,1\n1,2,3\n');
    expect(summary.headerDropped).toEqual({ x: false, y: false });
  });

  it('with numeric any, drops a header only when a name sits above a number', async () => {
    const dropped = await runMerge('name,age\nbob,31\n', 'label\n1\n', { numeric: 'any' });
    expect(dropped.summary.headerDropped).toEqual({ x: true, y: true });
    expect(dropped.outputs.train).toBe('1,bob,31\n');
    const kept = await runMerge('a,b\nc,d\n', 'x\ny\n', { numeric: 'any' });
    expect(kept.summary.headerDropped).toEqual({ x: false, y: false });
    expect(kept.outputs.train).toBe('x,a,b\ny,c,d\n');
  });
});

describe('mergeStreams: split', () => {
  const n = 20_000;
  const x = `${Array.from({ length: n }, (_, k) => `${k},${k * 0.5}`).join('\n')}\n`;
  const y = `${Array.from({ length: n }, (_, k) => String(k % 2)).join('\n')}\n`;

  it('splits deterministically by seed, keeping the fractions within tolerance and the order', async () => {
    const options = { testFraction: 0.1, validationFraction: 0.2 };
    const first = await runMerge(x, y, options);
    const again = await runMerge(x, y, options, { x: 4099, y: 77 });
    expect(again.outputs).toEqual(first.outputs);
    const rows = first.summary.rowsPerFile;
    expect(Math.abs((rows.test ?? 0) / n - 0.1)).toBeLessThan(0.01);
    expect(Math.abs((rows.validation ?? 0) / n - 0.2)).toBeLessThan(0.01);
    expect((rows.train ?? 0) + (rows.validation ?? 0) + (rows.test ?? 0)).toBe(n);
    expect(rows['test-labels']).toBeUndefined();
    for (const file of ['train', 'validation', 'test'] as const) {
      const ids = (first.outputs[file] ?? '')
        .trim()
        .split('\n')
        .map((line) => Number(line.split(',')[1]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
  });

  it('writes test rows label first, like train, when the algorithm trains on the label', async () => {
    const { outputs } = await runMerge(x, y, { testFraction: 0.3 });
    const rows = (outputs.test ?? '').trim().split('\n');
    expect(rows.length).toBeGreaterThan(5000);
    for (const line of rows) {
      const [label, id] = line.split(',').map(Number);
      expect(label).toBe((id as number) % 2);
    }
    expect(outputs['test-labels']).toBeUndefined();
  });

  it('writes unlabelled test rows as features only and their labels, in the same order, to test-labels', async () => {
    const { outputs } = await runMerge(x, y, { testFraction: 0.3, labelInTraining: false });
    const features = (outputs.test ?? '').trim().split('\n');
    const labels = (outputs['test-labels'] ?? '').trim().split('\n');
    expect(features.length).toBe(labels.length);
    features.forEach((line, k) => {
      const id = Number(line.split(',')[0]);
      expect(labels[k]).toBe(String(id % 2));
    });
  });

  it('gives a different split for a different seed', async () => {
    const a = await runMerge(x, y, { testFraction: 0.2, splitSeed: 'a' });
    const b = await runMerge(x, y, { testFraction: 0.2, splitSeed: 'b' });
    expect(a.outputs.test).not.toBe(b.outputs.test);
  });

  it('never opens an output with a zero fraction, and ends every output it opened', async () => {
    const run = await runMerge(x, y, { testFraction: 0, validationFraction: 0.1 });
    expect(run.opened.sort()).toEqual(['train', 'validation']);
    expect(run.ended.sort()).toEqual(['train', 'validation']);
  });
});

describe('mergeStreams: label summary', () => {
  it('lists distinct labels sorted numerically with min, max and integer', async () => {
    const { summary } = await runMerge('1\n2\n3\n4\n', '10\n2\n2.0\n-1\n', { numeric: 'numeric' });
    expect(summary.labels).toEqual({
      distinct: ['-1', '2', '2.0', '10'],
      moreDistinct: false,
      numeric: true,
      integer: true,
      min: -1,
      max: 10,
    });
  });

  it(`caps the distinct values at ${DISTINCT_LABEL_CAP} and says there are more`, async () => {
    const n = 100;
    const x = `${Array.from({ length: n }, (_, k) => String(k)).join('\n')}\n`;
    const y = `${Array.from({ length: n }, (_, k) => String(k * 0.25)).join('\n')}\n`;
    const { summary } = await runMerge(x, y);
    expect(summary.labels.distinct).toHaveLength(DISTINCT_LABEL_CAP);
    expect(summary.labels).toMatchObject({
      moreDistinct: true,
      numeric: true,
      integer: false,
      min: 0,
      max: 24.75,
    });
  });
});
