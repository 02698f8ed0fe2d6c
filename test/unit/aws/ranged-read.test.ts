import { describe, expect, it } from 'vitest';
import { type FetchRange, readRanges } from '../../../lib/aws/ranged-read';
import { ObjectChangedError } from '../../../lib/ports';

/** An object of `size` bytes whose byte i is i mod 251: any misplaced byte shows. */
function objectBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = i % 251;
  return bytes;
}

/** Serves ranges of `bytes` in chunks of `chunk` bytes, recording each request. */
function server(bytes: Buffer, chunk: number) {
  const requests: { start: number; end: number }[] = [];
  const fetch: FetchRange = async function* (start, end) {
    requests.push({ start, end });
    for (let at = start; at < end; at += chunk) yield bytes.subarray(at, Math.min(end, at + chunk));
  };
  return { fetch, requests };
}

async function collect(stream: AsyncIterable<Uint8Array>, slow = false): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) {
    parts.push(Buffer.from(part));
    if (slow) await new Promise((resolve) => setImmediate(resolve));
  }
  return Buffer.concat(parts);
}

describe('readRanges', () => {
  it('yields the bytes in order when later ranges arrive first', async () => {
    const bytes = objectBytes(10_000);
    const { requests } = server(bytes, 300);
    const release: (() => void)[] = [];
    // Range 0 answers only after every other range in flight has answered.
    const fetch: FetchRange = async function* (start, end) {
      requests.push({ start, end });
      if (start === 0) await new Promise<void>((resolve) => release.push(resolve));
      yield bytes.subarray(start, end);
      if (start === 3000) for (const go of release) go();
    };
    const read = await collect(
      readRanges(bytes.length, fetch, { rangeBytes: 1000, concurrency: 4, retries: 0 }),
    );
    expect(read.equals(bytes)).toBe(true);
    expect(requests).toHaveLength(10);
  });

  it('holds at most concurrency x range bytes however slow the reader', async () => {
    const bytes = objectBytes(200_000);
    const { fetch } = server(bytes, 512);
    let most = 0;
    const read = await collect(
      readRanges(bytes.length, fetch, {
        rangeBytes: 8192,
        concurrency: 3,
        retries: 0,
        onBuffered: (held) => {
          most = Math.max(most, held);
        },
      }),
      true,
    );
    expect(read.equals(bytes)).toBe(true);
    expect(most).toBeGreaterThan(8192);
    expect(most).toBeLessThanOrEqual(3 * 8192);
  });

  it('resumes a range whose connection was reset part-way from the first byte not received', async () => {
    const bytes = objectBytes(5000);
    const requests: { start: number; end: number }[] = [];
    let resets = 0;
    const fetch: FetchRange = async function* (start, end) {
      requests.push({ start, end });
      if (start === 2000 && resets === 0) {
        resets += 1;
        yield bytes.subarray(2000, 2400);
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
      yield bytes.subarray(start, end);
    };
    const read = await collect(
      readRanges(bytes.length, fetch, { rangeBytes: 1000, concurrency: 2, retries: 2 }),
    );
    expect(read.equals(bytes)).toBe(true);
    expect(requests).toContainEqual({ start: 2400, end: 3000 });
    expect(requests.filter((r) => r.end === 3000)).toEqual([
      { start: 2000, end: 3000 },
      { start: 2400, end: 3000 },
    ]);
  });

  it('never retries a version that changed, and stops after the retries it is given', async () => {
    const bytes = objectBytes(3000);
    let calls = 0;
    const changed: FetchRange = async function* () {
      calls += 1;
      yield* [];
      throw new ObjectChangedError('raw/x.csv');
    };
    await expect(
      collect(
        readRanges(bytes.length, changed, {
          rangeBytes: 1000,
          concurrency: 1,
          retries: 3,
          isFinal: (error) => error instanceof ObjectChangedError,
        }),
      ),
    ).rejects.toBeInstanceOf(ObjectChangedError);
    expect(calls).toBe(1);
    let attempts = 0;
    const failing: FetchRange = async function* () {
      attempts += 1;
      yield* [];
      throw new Error('ECONNRESET');
    };
    await expect(
      collect(readRanges(bytes.length, failing, { rangeBytes: 1000, concurrency: 1, retries: 2 })),
    ).rejects.toThrow('ECONNRESET');
    expect(attempts).toBe(3);
  });

  it('rejects a range that ends short instead of yielding a truncated object', async () => {
    const bytes = objectBytes(2000);
    const short: FetchRange = async function* (start, end) {
      yield bytes.subarray(start, end - 1);
    };
    await expect(
      collect(readRanges(bytes.length, short, { rangeBytes: 1000, concurrency: 2, retries: 1 })),
    ).rejects.toThrow('range ended at byte 999 of 1000');
  });

  it('aborts the requests in flight when the reader stops early', async () => {
    const bytes = objectBytes(10_000);
    const signals: AbortSignal[] = [];
    const fetch: FetchRange = async function* (start, end, signal) {
      signals.push(signal);
      yield bytes.subarray(start, end);
    };
    for await (const _ of readRanges(bytes.length, fetch, { rangeBytes: 1000, concurrency: 3, retries: 0 }))
      break;
    expect(signals.length).toBeGreaterThan(0);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
  });
});
