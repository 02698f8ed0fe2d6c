import { describe, expect, it } from 'vitest';
import { detectHeaders, splitLeadingRecord } from '../../../lib/csv/header';

describe('detectHeaders', () => {
  it('takes a first row without numbers as a header with numeric data', () => {
    expect(
      detectHeaders(
        [
          ['a', 'b'],
          ['1', '2'],
        ],
        [['label'], ['0']],
        'numeric',
      ),
    ).toEqual({ x: true, y: true });
    expect(
      detectHeaders(
        [
          ['', 'b'],
          ['1', '2'],
        ],
        [['0'], ['1']],
        'numeric-or-empty',
      ),
    ).toEqual({ x: true, y: false });
  });

  it('keeps a first row that has a number, or only empty fields', () => {
    expect(
      detectHeaders(
        [
          ['a', '1'],
          ['1', '2'],
        ],
        [['', ''], ['1']],
        'numeric',
      ),
    ).toEqual({ x: false, y: false });
  });

  it('with any, wants a name above a number before calling it a header', () => {
    expect(
      detectHeaders(
        [
          ['name', 'age'],
          ['bob', '31'],
        ],
        [['cls'], ['cat']],
        'any',
      ),
    ).toEqual({ x: true, y: false });
    expect(
      detectHeaders(
        [
          ['name', 'city'],
          ['bob', 'paris'],
        ],
        [['cls']],
        'any',
      ),
    ).toEqual({ x: false, y: false });
  });

  it("recognises pandas' default names above non-integer rows, and y's 0 with them", () => {
    expect(
      detectHeaders(
        [
          ['0', '1', '2'],
          ['0.5', '1', '2'],
        ],
        [['0'], ['1']],
        'numeric',
      ),
    ).toEqual({ x: true, y: true });
    expect(
      detectHeaders(
        [
          ['0', '1', '2'],
          ['5', '1', '2'],
        ],
        [['0'], ['1']],
        'numeric',
      ),
    ).toEqual({ x: false, y: false });
    expect(detectHeaders([['0'], ['0.5']], [['0'], ['1']], 'numeric')).toEqual({ x: false, y: false });
  });
});

describe('splitLeadingRecord', () => {
  const split = (text: string, eof = true) => {
    const bytes = new TextEncoder().encode(text);
    return splitLeadingRecord(bytes, 0, bytes.length, eof);
  };

  it('splits a record with quotes and says where the next one starts', () => {
    expect(split('"a,""b""",c\r\nnext')).toEqual({ fields: ['a,"b"', 'c'], next: 13 });
  });

  it('waits for more input when the record or a CRLF might continue', () => {
    expect(split('a,"b\n', false)).toBeUndefined();
    expect(split('a,b\r', false)).toBeUndefined();
    expect(split('a,b', false)).toBeUndefined();
  });

  it('has no fields for a blank line or the end of the input', () => {
    expect(split('\nx')).toEqual({ fields: undefined, next: 0 });
    expect(split('')).toEqual({ fields: undefined, next: 0 });
  });
});
