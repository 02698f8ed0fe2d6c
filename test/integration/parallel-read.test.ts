import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store, type S3StoreOptions } from '../../lib/aws/s3-store';
import { createLocalStore } from '../../lib/local/s3-adapter';
import { ObjectChangedError, type ObjectRef, type ObjectStore } from '../../lib/ports';
import { type S3FaultProxy, type S3Request, startS3FaultProxy } from '../support/faults/s3-fault-proxy';
import { useLocalS3 } from '../support/s3-server';

const fixture = useLocalS3();
const RANGE = 64 * 1024;
const CONCURRENCY = 3;
const OPTIONS: S3StoreOptions = { rangeSize: RANGE, readConcurrency: CONCURRENCY };

let proxy: S3FaultProxy;
let client: S3Client;
beforeAll(async () => {
  proxy = await startS3FaultProxy(fixture().server.endpoint);
  client = new S3Client({ ...fixture().server.clientConfig, endpoint: proxy.endpoint });
});
afterAll(async () => {
  client.destroy();
  await proxy.stop();
});

/** `size` bytes in which byte i is (i + shift) mod 251: a byte from the wrong place or version shows. */
function pattern(size: number, shift = 0): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i + shift) % 251;
  return bytes;
}

/** Records the ranged GETs of `key` the server is asked for, without changing them. */
function recordRanges(key: string, onRequest?: (request: S3Request) => void): string[] {
  const ranges: string[] = [];
  proxy.inject({
    kind: 'http-500',
    times: Number.POSITIVE_INFINITY,
    match: (request) => {
      if (request.operation === 'GetObject' && request.key === key && request.range) {
        ranges.push(request.range);
        onRequest?.(request);
      }
      return false;
    },
  });
  return ranges;
}

function range(start: number, end: number): string {
  return `bytes=${start}-${end - 1}`;
}

async function stored(key: string, bytes: Buffer): Promise<ObjectRef> {
  await fixture().store.put(key, bytes);
  const ref = await fixture().store.head(key);
  if (!ref) throw new Error(`${key} was not stored`);
  return ref;
}

const stores: [string, () => ObjectStore][] = [
  ['the local store', () => createLocalStore(client, fixture().server.bucket, OPTIONS)],
  ['the S3 store', () => createS3Store(client, fixture().server.bucket, OPTIONS)],
];

describe.each(stores)('parallel ranged reads of %s against a local S3 server', (name, makeStore) => {
  const prefix = name.replace(/\W+/g, '-');

  it('yields every byte in order, asking for each range once and never more than the concurrency ahead of the reader', async () => {
    proxy.clear();
    const data = pattern(16 * RANGE + 123);
    const ref = await stored(`${prefix}/ordered.bin`, data);
    let consumed = 0;
    const ahead: number[] = [];
    const ranges = recordRanges(ref.key, (request) => {
      const start = Number(/bytes=(\d+)-/.exec(request.range ?? '')?.[1]);
      ahead.push(Math.floor(start / RANGE) - Math.floor(consumed / RANGE));
    });
    const parts: Buffer[] = [];
    for await (const chunk of makeStore().read(ref)) {
      parts.push(Buffer.from(chunk));
      consumed += chunk.byteLength;
      // A slow reader: the ranges must wait for it rather than pile up.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    proxy.clear();
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    const expected = Array.from({ length: 17 }, (_, i) =>
      range(i * RANGE, Math.min(data.length, (i + 1) * RANGE)),
    );
    expect([...ranges].sort()).toEqual([...expected].sort());
    expect(Math.max(...ahead)).toBeLessThan(CONCURRENCY);
  });

  it('resumes a range whose connection is reset mid-way from the first byte not received', async () => {
    proxy.clear();
    const data = pattern(6 * RANGE, 7);
    const ref = await stored(`${prefix}/reset.bin`, data);
    const cut = range(2 * RANGE, 3 * RANGE);
    const ranges = recordRanges(ref.key);
    proxy.inject({
      kind: 'reset-get-body',
      times: 1,
      match: (request) => request.key === ref.key && request.range === cut,
    });
    const parts: Buffer[] = [];
    for await (const chunk of makeStore().read(ref)) parts.push(Buffer.from(chunk));
    proxy.clear();
    expect(proxy.injected['reset-get-body']).toBeGreaterThan(0);
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    // The proxy passes half the range before the reset: the retry asks for the rest only.
    const resumed = ranges.filter((r) => r !== cut && r.endsWith(`-${3 * RANGE - 1}`));
    expect(resumed).toHaveLength(1);
    const resumedStart = Number(/bytes=(\d+)-/.exec(resumed[0] ?? '')?.[1]);
    expect(resumedStart).toBeGreaterThan(2 * RANGE);
    expect(resumedStart).toBeLessThanOrEqual(2 * RANGE + RANGE / 2);
  });
});

describe.each(stores)('version pinning of %s against a local S3 server', (_name, makeStore) => {
  it.each([
    ['different bytes', 100],
    ['identical bytes', 1],
  ])(
    'never yields a byte of a version uploaded during the read (%s), and fails it as changed',
    async (_bytes, shift) => {
      proxy.clear();
      const original = pattern(12 * RANGE, 1);
      const replacement = pattern(12 * RANGE, shift);
      const ref = await stored('pinning/x.csv', original);
      const received: Buffer[] = [];
      let replaced = false;
      const reading = (async () => {
        for await (const chunk of makeStore().read(ref)) {
          received.push(Buffer.from(chunk));
          if (!replaced) {
            replaced = true;
            await fixture().store.put('pinning/x.csv', replacement);
          }
        }
      })();
      await expect(reading).rejects.toBeInstanceOf(ObjectChangedError);
      const read = Buffer.concat(received);
      expect(read.length).toBeLessThan(original.length);
      expect(read.equals(original.subarray(0, read.length))).toBe(true);
    },
  );
});
