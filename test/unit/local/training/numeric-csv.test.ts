import { describe, expect, it } from 'vitest';
import { NumericCsvError, readNumericCsv, splitLabels } from '../../../../lib/local/training/numeric-csv';

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

describe('readNumericCsv', () => {
  it('parses rows split across chunks and files into one matrix', async () => {
    const matrix = await readNumericCsv([
      { name: 'a.csv', chunks: chunks('1,2.5,-3\r\n4,', '5e2,6\n') },
      { name: 'b.csv', chunks: chunks('\n7,"8",0.000001\n') },
    ]);
    expect(matrix.rows).toBe(3);
    expect(matrix.cols).toBe(3);
    expect(Array.from(matrix.data)).toEqual([1, 2.5, -3, 4, 500, 6, 7, 8, 0.000001]);
  });

  it('parses decimals exactly as Number does', async () => {
    const values = ['0.1', '123456.789', '-0.3', '1e-7', '3.14159265358979', '12345678901234567890', '.5'];
    const matrix = await readNumericCsv([{ name: 'a.csv', chunks: chunks(`${values.join(',')}\n`) }]);
    expect(Array.from(matrix.data)).toEqual(values.map(Number));
  });

  it('names the file, row and column of a value that is not a number', async () => {
    const read = readNumericCsv([{ name: 'train.csv', chunks: chunks('1,2\n3,abc\n') }]);
    await expect(read).rejects.toThrow(
      new NumericCsvError('train.csv row 2 column 2: "abc" is not a number', 'train.csv', 2),
    );
  });

  it('rejects a row whose width differs from the first row', async () => {
    await expect(readNumericCsv([{ name: 't.csv', chunks: chunks('1,2\n3\n') }])).rejects.toThrow(
      /t\.csv row 2 has 1 values where earlier rows have 2/,
    );
  });

  it('splits the leading label column from the features', () => {
    const { labels, features } = splitLabels(
      { data: Float64Array.of(1, 10, 20, 0, 30, 40), rows: 2, cols: 3 },
      1,
    );
    expect(Array.from(labels)).toEqual([1, 0]);
    expect(features.cols).toBe(2);
    expect(Array.from(features.data)).toEqual([10, 20, 30, 40]);
  });
});
