import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildRowTransitions,
  fieldIsNumber,
  isNumberText,
  S_START,
  stepNumber,
  utf8SequenceLength,
} from '../../../lib/csv/scan-tables';

const numberish = fc.string({ unit: fc.constantFrom(...'0123456789.+-eE x'.split('')), maxLength: 8 });

function automatonSays(text: string): boolean {
  let state = S_START;
  for (const char of text) state = stepNumber(state, char.charCodeAt(0));
  return fieldIsNumber(state);
}

function rowTableAccepts(
  row: string,
  columns: number,
  policy: 'numeric' | 'numeric-or-empty' | 'any',
): boolean {
  const table = buildRowTransitions(policy, columns);
  let state = 0;
  for (const byte of Buffer.from(row)) state = table[state | byte] as number;
  return state === 0;
}

describe('number grammar', () => {
  it('accepts the forms pandas parses as floats and nothing else', () => {
    for (const ok of ['0', '-1', '+2', '1.5', '.5', '5.', '1e5', '1E-5', '-2.5e+10', '007']) {
      expect(isNumberText(ok), ok).toBe(true);
    }
    for (const bad of [
      '',
      '.',
      '-',
      'e5',
      '1e',
      '1e+',
      '1.2.3',
      'nan',
      'inf',
      ' 1',
      '1 ',
      '0x10',
      '1,5',
      '--1',
    ]) {
      expect(isNumberText(bad), bad).toBe(false);
    }
  });

  it('has a byte automaton that agrees with the pattern on any string of number characters', () => {
    fc.assert(
      fc.property(numberish, (text) => {
        expect(automatonSays(text)).toBe(isNumberText(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('has a whole-row table that accepts exactly rows of n allowed values ending in LF or CRLF', () => {
    expect(rowTableAccepts('1,2.5,-3\n', 3, 'numeric')).toBe(true);
    expect(rowTableAccepts('1,2.5,-3\r\n', 3, 'numeric')).toBe(true);
    expect(rowTableAccepts('1,2.5\n', 3, 'numeric')).toBe(false);
    expect(rowTableAccepts('1,2,3,4\n', 3, 'numeric')).toBe(false);
    expect(rowTableAccepts('1,,3\n', 3, 'numeric')).toBe(false);
    expect(rowTableAccepts('1,,3\n', 3, 'numeric-or-empty')).toBe(true);
    expect(rowTableAccepts('a,b,c\n', 3, 'any')).toBe(true);
    expect(rowTableAccepts('a,"b",c\n', 3, 'any')).toBe(false);
    expect(rowTableAccepts('1,2\r3\n', 3, 'numeric')).toBe(false);
    expect(rowTableAccepts('\n', 1, 'numeric-or-empty')).toBe(false);
    fc.assert(
      fc.property(fc.array(numberish, { minLength: 1, maxLength: 4 }), (values) => {
        const row = `${values.join(',')}\n`;
        const expected = !row.includes(' ') && values.every(isNumberText);
        expect(rowTableAccepts(row, values.length, 'numeric')).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('utf8SequenceLength', () => {
  it('agrees with a fatal TextDecoder on every sequence after a lead byte', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(
        fc.integer({ min: 0x80, max: 0xff }),
        fc.array(fc.integer({ min: 0, max: 0xff }), { minLength: 3, maxLength: 3 }),
        (lead, rest) => {
          const bytes = Uint8Array.from([lead, ...rest]);
          const length = utf8SequenceLength(bytes, 0, bytes.length, true);
          let decodable = 0;
          for (const candidate of [2, 3, 4]) {
            try {
              decoder.decode(bytes.subarray(0, candidate));
              decodable = candidate;
              break;
            } catch {}
          }
          expect(length).toBe(decodable);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('asks for more input when a sequence runs past the window, unless the input has ended', () => {
    const euro = Uint8Array.from([0xe2, 0x82, 0xac]);
    expect(utf8SequenceLength(euro, 0, 2, false)).toBe(-1);
    expect(utf8SequenceLength(euro, 0, 2, true)).toBe(0);
    expect(utf8SequenceLength(euro, 0, 3, false)).toBe(3);
  });
});
