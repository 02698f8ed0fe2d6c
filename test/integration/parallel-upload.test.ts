import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Store } from '../../lib/aws/s3-store';
import { type S3FaultProxy, startS3FaultProxy } from '../support/faults/s3-fault-proxy';
import { useLocalS3 } from '../support/s3-server';

const fixture = useLocalS3();
const MiB = 1024 * 1024;
const PART = 5 * MiB;
const QUEUE = 2;
const CHUNK = 256 * 1024;

let proxy: S3FaultProxy;
let client: S3Client;
/** UploadPart requests in flight now, the most at once, and the bytes of parts the server accepted. */
const parts = { inFlight: 0, peak: 0, acceptedBytes: 0, numbers: [] as number[] };

beforeAll(async () => {
  proxy = await startS3FaultProxy(fixture().server.endpoint);
  client = new S3Client({ ...fixture().server.clientConfig, endpoint: proxy.endpoint });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'UploadPartCommand') return next(args);
      const input = args.input as { Body?: Uint8Array; PartNumber?: number };
      parts.inFlight += 1;
      parts.peak = Math.max(parts.peak, parts.inFlight);
      try {
        const result = await next(args);
        parts.acceptedBytes += input.Body?.byteLength ?? 0;
        parts.numbers.push(input.PartNumber ?? 0);
        return result;
      } finally {
        parts.inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'countUploadParts' },
  );
});
afterAll(async () => {
  client.destroy();
  await proxy.stop();
});

function pattern(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) bytes[i] = (i * 7) % 251;
  return bytes;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('parallel multipart uploads of the S3 store against a local S3 server', () => {
  it('uploads parts side by side, stores them in order, and pulls from the source only as parts complete', async () => {
    Object.assign(parts, { inFlight: 0, peak: 0, acceptedBytes: 0, numbers: [] });
    const store = createS3Store(client, fixture().server.bucket, { partSize: PART, queueSize: QUEUE });
    const data = pattern(4 * PART + 3 * MiB);
    let pulled = 0;
    let mostHeld = 0;
    const source = (async function* () {
      for (let at = 0; at < data.length; at += CHUNK) {
        const chunk = data.subarray(at, at + CHUNK);
        pulled += chunk.length;
        mostHeld = Math.max(mostHeld, pulled - parts.acceptedBytes);
        yield chunk;
      }
    })();
    await store.put('upload/ordered.csv', source);
    const ref = await fixture().store.head('upload/ordered.csv');
    if (!ref) throw new Error('the upload left no object');
    expect((await collect(fixture().store.read(ref))).equals(data)).toBe(true);
    expect([...parts.numbers].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    expect(parts.peak).toBe(QUEUE);
    // The parts in flight, the one being filled and a chunk: never the whole stream.
    expect(mostHeld).toBeLessThanOrEqual((QUEUE + 1) * PART + CHUNK);
    expect(await fixture().server.openMultipartUploads()).toEqual([]);
  });

  it('aborts the upload when a part keeps failing, leaving no object and no open upload', async () => {
    proxy.clear();
    const store = createS3Store(client, fixture().server.bucket, { partSize: PART, queueSize: QUEUE });
    proxy.inject({
      kind: 'http-500',
      times: 50,
      match: (request) => request.operation === 'UploadPart' && request.query.get('partNumber') === '2',
    });
    const data = pattern(3 * PART);
    const source = (async function* () {
      for (let at = 0; at < data.length; at += CHUNK) yield data.subarray(at, at + CHUNK);
    })();
    await expect(store.put('upload/failed.csv', source)).rejects.toMatchObject({
      $metadata: { httpStatusCode: 500 },
    });
    proxy.clear();
    expect(proxy.injected['http-500']).toBeGreaterThan(1);
    expect(await fixture().store.head('upload/failed.csv')).toBeUndefined();
    expect(await fixture().server.openMultipartUploads()).toEqual([]);
  });
});
