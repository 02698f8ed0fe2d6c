import { describe, expect, it } from 'vitest';
import { groupThousands } from '../../lib/format';

describe('groupThousands', () => {
  it('writes what toLocaleString("en-US") writes for whole numbers', () => {
    for (const value of [0, 7, 999, 1000, 12345, 999999, 1000000, 1234567890, -1, -1000, -987654321]) {
      expect(groupThousands(value)).toBe(value.toLocaleString('en-US'));
    }
  });

  it('leaves numbers that are not safe integers as String() writes them', () => {
    expect(groupThousands(1.5)).toBe('1.5');
    expect(groupThousands(Number.NaN)).toBe('NaN');
  });
});
