import { describe, expect, it } from 'vitest';
import type { MergeOptions } from '../../../lib/csv/types';
import { type Input, runMerge } from './harness';

type Outcome = { ok: true; outputs: unknown; summary: unknown } | { ok: false; error: unknown };

async function outcome(
  x: Input,
  y: Input,
  options: Partial<MergeOptions>,
  split: { x?: number | number[]; y?: number | number[] },
): Promise<Outcome> {
  try {
    const run = await runMerge(x, y, options, split);
    return { ok: true, outputs: run.outputs, summary: run.summary };
  } catch (error) {
    const { message, location, hint } = error as { message: string; location: unknown; hint: string };
    return { ok: false, error: { message, location, hint } };
  }
}

const CASES: { name: string; x: Input; y: Input; options?: Partial<MergeOptions> }[] = [
  {
    name: 'headers, BOM, CRLF, quotes and trailing blank lines',
    x: '\ufeff"f1","f2"\r\n"1.5",2\r\n3,"4"\r\n\r\n',
    y: '\ufefflabel\r\n0\r\n1\r\n',
  },
  {
    name: 'quoted commas, quotes and line breaks, lone CR and a missing final newline',
    x: 'a,"b,c"\r"d""e","f\r\ng"\nh,i',
    y: 'x\r"y\ny"\n"z"',
    options: { numeric: 'any', testFraction: 0.3 },
  },
  {
    name: 'blank rows inside the data with numeric-or-empty',
    x: '1\n\n3\n\r\n5\n\n\n',
    y: '1\n2\n3\n4\n5\n',
    options: { numeric: 'numeric-or-empty', labelInTraining: false, validationFraction: 0.4 },
  },
  {
    name: 'multi-byte UTF-8 text',
    x: 'é€😀,"ü,ß"\nñ,ø\n',
    y: '日本\n한국\n',
    options: { numeric: 'any' },
  },
  { name: 'an unterminated quote', x: '1,2\n3,"4\n5,6\n', y: '0\n1\n2\n', options: { numeric: 'any' } },
  {
    name: 'invalid UTF-8',
    x: Buffer.from([0x31, 0x0a, 0xe2, 0x82, 0x0a]),
    y: '0\n1\n',
    options: { numeric: 'any' },
  },
  { name: 'a row count mismatch', x: '1\n2\n3\r\n\r\n', y: 'label\n0\n1\n"2\n"\n3\n\n' },
  { name: 'a non-numeric value after plain rows', x: '1,2\n3,4\n5,6\n7,x\n', y: '0\n1\n2\n3\n' },
  { name: 'text after a closing quote', x: '1,2\n"3"4,5\n', y: '0\n1\n', options: { numeric: 'any' } },
];

describe('mergeStreams: chunk boundaries', () => {
  for (const { name, x, y, options = {} } of CASES) {
    it(`gives the same result for ${name} however x and y are split`, async () => {
      const whole = await outcome(x, y, options, {});
      const xLength = typeof x === 'string' ? Buffer.byteLength(x) : x.length;
      const yLength = typeof y === 'string' ? Buffer.byteLength(y) : y.length;
      for (let at = 1; at < xLength; at += 1) {
        expect(await outcome(x, y, options, { x: [at, xLength] })).toEqual(whole);
      }
      for (let at = 1; at < yLength; at += 1) {
        expect(await outcome(x, y, options, { y: [at, yLength] })).toEqual(whole);
      }
      expect(await outcome(x, y, options, { x: 1, y: 1 })).toEqual(whole);
      expect(await outcome(x, y, options, { x: [2, 1, 3], y: [1, 2] })).toEqual(whole);
    });
  }

  it('gives the same result for a larger file through the fast path in any chunking', async () => {
    const rows = 3000;
    const x = Array.from({ length: rows }, (_, k) =>
      k % 997 === 5 ? `"${k}",${k}.5,-${k}e-3\r` : `${k},${k}.5,-${k}e-3`,
    ).join('\n');
    const y = `${Array.from({ length: rows }, (_, k) => String(k % 7)).join('\r\n')}\r\n`;
    const options = { testFraction: 0.2, validationFraction: 0.1 };
    const whole = await outcome(x, y, options, {});
    expect(whole.ok).toBe(true);
    for (const split of [{ x: 1 }, { x: 7, y: 3 }, { x: 4096, y: 5 }, { x: [1000, 1, 65536], y: [2, 999] }]) {
      expect(await outcome(x, y, options, split)).toEqual(whole);
    }
  });
});
