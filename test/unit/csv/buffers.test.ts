import { once } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mergeStreams } from '../../../lib/csv/merge';
import { OPTIONS } from './harness';

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
