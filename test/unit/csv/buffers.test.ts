import { once } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mergeStreams } from '../../../lib/csv/merge';
import { OPTIONS, runMerge } from './harness';

function dataset(rows: number) {
  return {
    x: Buffer.from(`${Array.from({ length: rows }, (_, k) => `${k},${k / 8},-${k}e-2`).join('\r\n')}\r\n`),
    y: Buffer.from(`label\n${Array.from({ length: rows }, (_, k) => String(k % 5)).join('\n')}\n`),
    expected: Array.from({ length: rows }, (_, k) => `${k % 5},${k},${k / 8},-${k}e-2\n`).join(''),
  };
}

/** Yields every chunk in the same buffer, overwritten each time, as a file reader reusing its buffer would. */
async function* oneBuffer(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  const shared = Buffer.alloc(size);
  for (let at = 0; at < data.length; at += size) {
    const length = data.copy(shared, 0, at, at + size);
    yield shared.subarray(0, length);
    shared.fill(0x3f);
  }
}

describe('mergeStreams and buffers', () => {
  it('never reads a chunk after asking for the next, so sources may reuse one buffer', async () => {
    const { x, y, expected } = dataset(20_000);
    const parts: Buffer[] = [];
    await mergeStreams(
      oneBuffer(x, 1000),
      oneBuffer(y, 7),
      () =>
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            parts.push(Buffer.from(chunk));
            callback();
          },
        }),
      OPTIONS,
    );
    expect(Buffer.concat(parts).toString()).toBe(expected);
  });

  it('with reuseWrittenChunks, reuses an output chunk only after its write callback', async () => {
    const { x, y, expected } = dataset(150_000);
    const parts: Buffer[] = [];
    let writes = 0;
    let output: Writable | undefined;
    await mergeStreams(
      oneBuffer(x, 4096),
      oneBuffer(y, 4096),
      () =>
        (output = new Writable({
          highWaterMark: 1,
          write(chunk: Buffer, _encoding, callback) {
            writes += 1;
            setImmediate(() => {
              parts.push(Buffer.from(chunk));
              callback();
            });
          },
        })),
      { ...OPTIONS, reuseWrittenChunks: true },
    );
    if (output && !output.writableFinished) await once(output, 'finish');
    expect(Buffer.concat(parts).toString()).toBe(expected);
    expect(writes).toBeGreaterThan(3);
  });
});

describe('mergeStreams copies rows byte for byte', () => {
  // Rows of 5 to 43 bytes (three values of 1 to 17 characters), so rows start
  // at every offset modulo 8 in the input and in the outputs.
  const value = (length: number, k: number): string => {
    const digit = (n: number) => String((k + n * 7) % 10);
    if (length === 1) return digit(0);
    if (length === 2) return `-${digit(1)}`;
    let fraction = '';
    if (length >= 7 && k % 2 === 1) {
      for (let n = 0; n < length - 6; n += 1) fraction += digit(n + 2);
      return `${digit(0)}.${fraction}e-${digit(1)}${digit(2)}`;
    }
    for (let n = 0; n < length - 2; n += 1) fraction += digit(n + 2);
    return `${digit(0)}.${fraction}`;
  };
  // The first row is not 0,1,2: pandas writes that header for unnamed columns.
  const rows = Array.from({ length: 2_000 }, (_, index) => {
    const k = index + 1;
    return `${value(1 + (k % 13), k)},${value(1 + ((k * 5) % 17), k + 1)},${value(1 + ((k * 3) % 11), k + 2)}`;
  });
  const labels = rows.map((_, k) => String((k * 13) % 1000));
  const x = `${rows.join('\n')}\n`;
  const y = `${labels.join('\n')}\n`;

  it('in supervised channels (label first) and features-only channels, at any chunking', async () => {
    for (const chunk of [1 << 16, 4093, 64]) {
      const labelled = await runMerge(x, y, {}, { x: chunk, y: chunk - 1 });
      expect(labelled.outputs.train).toBe(rows.map((row, k) => `${labels[k]},${row}\n`).join(''));
      const unlabelled = await runMerge(x, y, { labelInTraining: false, testFraction: 0.3 }, { x: chunk });
      const { train = '', test = '' } = unlabelled.outputs;
      const written = [...train.split('\n'), ...test.split('\n')].filter((line) => line !== '');
      expect(written.sort()).toEqual([...rows].sort());
      expect(unlabelled.outputs['test-labels']?.split('\n').filter(Boolean)).toHaveLength(
        test.split('\n').filter(Boolean).length,
      );
    }
  });
});
