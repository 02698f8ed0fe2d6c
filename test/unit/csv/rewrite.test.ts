import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRewriter, type RewriteOptions } from '../../../lib/csv/rewrite';

const text = new TextDecoder();

/** What a rewriter makes of `input` handed over in chunks of `size` bytes: output and every label seen. */
function rewrite(input: Uint8Array, options: RewriteOptions, size: number) {
  const labels: string[] = [];
  const rewriter = new CsvRewriter({ ...options, onLabel: (value, row) => labels.push(`${row}:${value}`) });
  let output = '';
  for (let start = 0; start < input.length; start += size) {
    output += text.decode(rewriter.push(input.subarray(start, start + size)), { stream: true });
  }
  output += text.decode(rewriter.end());
  return { output, labels, rows: rewriter.row };
}

const encodeClasses = (value: string) => ({ cat: '0', dog: '1', émeu: '2' })[value];

describe('CsvRewriter on labels', () => {
  it('reads whole plain lines as the byte-by-byte reading does, whatever the chunking and the content', () => {
    const cell = fc.oneof(
      fc.constantFrom(
        '0',
        '1',
        '12',
        '-3.5',
        'cat',
        'dog',
        'émeu',
        '',
        '"a,b"',
        '"x""y"',
        '1,5',
        'a;b',
        '1\uFEFF',
      ),
      fc.stringMatching(/^[0-9a-z.,;"é -]{0,6}$/),
    );
    const line = fc.tuple(cell, fc.option(cell, { nil: undefined }));
    const end = fc.constantFrom('\n', '\r\n', '\r');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, end), { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.constantFrom(',', ';', '\t'),
        fc.boolean(),
        fc.integer({ min: 2, max: 64 }),
        (lines, finalEnd, delimiter, header, size) => {
          const body = lines
            .map(
              ([[first, second], lineEnd]) =>
                (second === undefined ? first : `${first}${delimiter}${second}`) + lineEnd,
            )
            .join('');
          const input = new TextEncoder().encode(finalEnd ? body : body.replace(/(\r\n|\r|\n)$/, ''));
          const options: RewriteOptions = {
            delimiter,
            decimalComma: delimiter === ';',
            dropFirstColumn: false,
            header,
            encodeLabel: encodeClasses,
          };
          // Chunks of one byte never hold a whole line: every byte is read one at a time.
          expect(rewrite(input, options, size)).toEqual(rewrite(input, options, 1));
          expect(rewrite(input, options, input.length)).toEqual(rewrite(input, options, 1));
        },
      ),
      { numRuns: 500, seed: 20261130 },
    );
  });

  it('encodes the labels of data rows, keeps the header and blank lines, and counts every line as a row', () => {
    const input = new TextEncoder().encode('species\ncat\ndog\n\ncat\nbird\n');
    const result = rewrite(
      input,
      {
        delimiter: ',',
        decimalComma: false,
        dropFirstColumn: false,
        header: true,
        encodeLabel: encodeClasses,
      },
      input.length,
    );
    expect(result.output).toBe('species\n0\n1\n\n0\nbird\n');
    expect(result.labels).toEqual(['2:cat', '3:dog', '5:cat', '6:bird']);
    expect(result.rows).toBe(6);
  });
});
