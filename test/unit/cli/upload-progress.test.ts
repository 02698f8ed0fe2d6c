import { describe, expect, it } from 'vitest';
import { progressBar } from '../../../cli/upload-file';

describe('the upload progress bar', () => {
  it('labels sizes in the binary units they are counted in', () => {
    const frame = progressBar('x.csv', 8 * 1024 * 1024, 16 * 1024 * 1024);
    expect(frame).toBe(`\rx.csv [${'#'.repeat(15)}${'.'.repeat(15)}]  50% 8.0 MiB of 16.0 MiB`);
    expect(progressBar('y.csv', 0, 500)).toMatch(/ 0 B of 500 B$/);
  });
});
