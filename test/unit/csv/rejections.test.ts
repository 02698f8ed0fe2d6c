import { describe, expect, it } from 'vitest';
import { MAX_ROW_BYTES } from '../../../lib/csv/merge';
import { rejection } from './harness';

const bytesOf = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('mergeStreams: rejections', () => {
  it('rejects different row counts, giving both counts and the first row without a partner', async () => {
    const error = await rejection('1,2\n3,4\n5,6\n', '0\n1\n');
    expect(error.message).toBe('x.csv has 3 data rows but y.csv has 2 (x.csv row 3 has no partner)');
    expect(error.location).toEqual({ file: 'x.csv', row: 3 });
    expect(error.hint).toMatch(/same number of rows/);
    expect(error.code).toBe('ROW_COUNT_MISMATCH');
  });

  it('counts the rest of the longer file, quoted line breaks included', async () => {
    const error = await rejection('h1,h2\n1,2\n', 'label\n0\n1\n"2\n3"\n4\n\n\n', { numeric: 'any' });
    expect(error.message).toBe('y.csv has 4 data rows but x.csv has 1 (y.csv row 3 has no partner)');
    expect(error.location).toEqual({ file: 'y.csv', row: 3 });
  });

  it('says when one file has a header and the other seems not to', async () => {
    const error = await rejection('a,b\n1,2\n3,4\n', '0\n0\n1\n');
    expect(error.message).toBe('y.csv has 3 data rows but x.csv has 2 (y.csv row 3 has no partner)');
    expect(error.hint).toMatch(/x\.csv starts with a header row and y\.csv does not/);
  });

  it('rejects a ragged row with the expected and found column counts', async () => {
    const error = await rejection('1,2\n3,4\n5,6,7\n', '0\n1\n2\n');
    expect(error.message).toBe(
      'x.csv row 3 has 3 columns but row 1 has 2: every row needs the same number of columns',
    );
    expect(error.location).toEqual({ file: 'x.csv', row: 3, column: 3 });
    expect(error.code).toBe('RAGGED_ROW');
  });

  it('counts the header as row 1 and rejects a short row', async () => {
    const error = await rejection('a,b,c\n1,2,3\n4,5\n', 'y\n0\n1\n');
    expect(error.location).toEqual({ file: 'x.csv', row: 3, column: 3 });
    expect(error.message).toMatch(/row 3 has 2 columns but row 1 has 3/);
  });

  it('rejects a blank row inside the data', async () => {
    const error = await rejection('1,2\n\n3,4\n', '0\n1\n2\n');
    expect(error.message).toMatch(/^x\.csv row 2 is blank but row 1 has 2/);
    expect(error.location).toEqual({ file: 'x.csv', row: 2, column: 2 });
  });

  it('rejects a y with more than one column', async () => {
    const error = await rejection('1\n2\n', '0\n1,5\n');
    expect(error.message).toBe('y.csv row 2 has 2 columns: y.csv must have exactly one column, the label');
    expect(error.location).toEqual({ file: 'y.csv', row: 2, column: 2 });
  });

  it('rejects a header of y with more than one column', async () => {
    const error = await rejection('1\n2\n', 'id,label\n0\n1\n');
    expect(error.location).toEqual({ file: 'y.csv', row: 1, column: 2 });
  });

  it.each([
    ['an empty x', '', '0\n', 'x.csv'],
    ['an empty y', '1\n', '', 'y.csv'],
    ['an x of blank lines', '\n\r\n\n', '0\n', 'x.csv'],
    ['a y with only a byte order mark', '1\n', '\ufeff', 'y.csv'],
  ])('rejects %s', async (_what, x, y, file) => {
    const error = await rejection(x, y);
    expect(error.message).toBe(`${file} is empty: it has no rows`);
    expect(error.location).toEqual({ file });
  });

  it('rejects a file with a header and no data', async () => {
    const error = await rejection('a,b\n\n', '0\n');
    expect(error.message).toBe('x.csv has a header row but no data rows');
    expect(error.location).toEqual({ file: 'x.csv', row: 2 });
  });

  it('rejects blank lines before the data', async () => {
    const error = await rejection('1\n', '\n0\n');
    expect(error.location).toEqual({ file: 'y.csv', row: 1 });
    expect(error.hint).toMatch(/blank lines at the top/);
  });

  it('rejects an unterminated quote at the row and column where it opens', async () => {
    const error = await rejection('1,2\n3,"4\n5,6\n', '0\n1\n2\n', { numeric: 'any' });
    expect(error.message).toBe(
      'x.csv row 2, column 2: the quoted field that starts here is never closed (the file ends inside it)',
    );
    expect(error.location).toEqual({ file: 'x.csv', row: 2, column: 2 });
    expect(error.code).toBe('QUOTE_NOT_CLOSED');
  });

  it('rejects a quote left open for longer than a row may be, without reading on', async () => {
    const x = `1,2\n3,"${'9'.repeat(MAX_ROW_BYTES + 10)}\n`;
    const error = await rejection(x, '0\n1\n', { numeric: 'any' }, { x: 1 << 20 });
    expect(error.message).toMatch(
      /row 2, column 2: the quoted field that starts here is not closed within 8 MiB/,
    );
  });

  it('rejects a row longer than a row may be', async () => {
    const x = `1\n${'9'.repeat(MAX_ROW_BYTES + 10)}\n`;
    const error = await rejection(x, '0\n1\n', {}, { x: 1 << 20 });
    expect(error.message).toBe('x.csv row 2 is longer than 8 MiB');
  });

  it('rejects text after a closing quote', async () => {
    const error = await rejection('1,"2"x\n', '0\n', { numeric: 'any' });
    expect(error.message).toBe('x.csv row 1, column 2: text follows the closing quote of a quoted field');
    expect(error.location).toEqual({ file: 'x.csv', row: 1, column: 2 });
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
    ['a sequence cut by the end of the file', [0xe2, 0x82]],
  ])('rejects bytes that are not UTF-8: %s', async (_what, bad) => {
    const x = bytesOf('a,b\n1,x', bad);
    const error = await rejection(x, '0\n', { numeric: 'any' });
    expect(error.message).toBe('x.csv row 2, column 2: bytes that are not valid UTF-8');
    expect(error.location).toEqual({ file: 'x.csv', row: 2, column: 2 });
    expect(error.hint).toMatch(/UTF-8/);
  });

  it('rejects a value that is not a number for the built-in algorithms', async () => {
    const error = await rejection('1,2\n3,abc\n', '0\n1\n');
    expect(error.message).toBe('x.csv row 2, column 2: "abc" is not a number');
    expect(error.code).toBe('NOT_NUMERIC');
    expect(error.location).toEqual({ file: 'x.csv', row: 2, column: 2 });
    expect(error.hint).toMatch(/encode categories as numbers/);
  });

  it.each([
    ['NaN', /Missing or infinite values/],
    ['inf', /Missing or infinite values/],
    [' 1.5', /Remove the spaces/],
    ['1,5', /./],
  ])('rejects %j with a hint', async (value, hint) => {
    const error = await rejection(`1,2\n3,"${value}"\n`, '0\n1\n');
    expect(error.location).toMatchObject({ file: 'x.csv', row: 2, column: 2 });
    expect(error.hint).toMatch(hint);
  });

  it('tells xgboost users to leave missing values empty instead of writing NaN', async () => {
    const error = await rejection('1,nan\n', '0\n', { numeric: 'numeric-or-empty' });
    expect(error.hint).toMatch(/leave the field empty/);
  });

  it('rejects an empty value with numeric, but not with numeric-or-empty', async () => {
    const error = await rejection('1,2\n3,\n', '0\n1\n');
    expect(error.message).toBe('x.csv row 2, column 2 is empty');
    expect(error.hint).toMatch(/xgboost accepts empty fields/);
  });

  it('rejects an empty label under any numeric policy', async () => {
    for (const numeric of ['numeric', 'numeric-or-empty'] as const) {
      const quoted = await rejection('1\n2\n', '0\n""\n', { numeric });
      expect(quoted.location).toEqual({ file: 'y.csv', row: 2, column: 1 });
      const blank = await rejection('1\n2\n3\n', '0\n\n1\n', { numeric });
      expect(blank.location).toEqual({ file: 'y.csv', row: 2, column: 1 });
      expect(blank.hint).toMatch(/Every row needs a label/);
    }
  });

  it('rejects a label that is not a number', async () => {
    const error = await rejection('1\n2\n', '0\nsetosa\n');
    expect(error.location).toEqual({ file: 'y.csv', row: 2, column: 1 });
    expect(error.hint).toMatch(/encode classes as 0, 1, 2/);
  });

  it('reports the first problem in row order, y before x in the same row', async () => {
    const error = await rejection('1\n2\nbad\n', '0\nworse\n1\n');
    expect(error.location).toEqual({ file: 'y.csv', row: 2, column: 1 });
  });
});
