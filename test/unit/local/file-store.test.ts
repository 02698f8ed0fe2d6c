import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileStore } from '../../../lib/local/file-store';
import { ObjectChangedError } from '../../../lib/ports';

const root = mkdtempSync(join(tmpdir(), 'sagedrop-file-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts).toString();
}

describe('createFileStore', () => {
  const input = join(root, 'features.csv');
  writeFileSync(input, '1,2\n');
  const store = createFileStore({
    root: join(root, 'out'),
    mounts: { 'raw/x.csv': input },
    volatile: (key) => key.startsWith('notifications/'),
  });

  it('serves a mounted input read-only at its key', async () => {
    const ref = await store.head('raw/x.csv');
    expect(ref).toMatchObject({ key: 'raw/x.csv', size: 4 });
    if (!ref) throw new Error('unreachable');
    expect(await collect(store.read(ref))).toBe('1,2\n');
    await expect(store.put('raw/x.csv', 'other')).rejects.toThrow('never written');
  });

  it('refuses to read an input that changed since it was looked at', async () => {
    const changing = join(root, 'changing.csv');
    writeFileSync(changing, 'a\n');
    const local = createFileStore({ root: join(root, 'out2'), mounts: { 'raw/y.csv': changing } });
    const ref = await local.head('raw/y.csv');
    if (!ref) throw new Error('unreachable');
    writeFileSync(changing, 'b\n');
    utimesSync(changing, new Date(), new Date(Date.now() + 5000));
    await expect(collect(local.read(ref))).rejects.toBeInstanceOf(ObjectChangedError);
  });

  it('reads only the first bytes asked for', async () => {
    const long = join(root, 'long.csv');
    writeFileSync(long, '0123456789'.repeat(1000));
    const local = createFileStore({ root: join(root, 'out3'), mounts: { 'raw/x.csv': long } });
    const ref = await local.head('raw/x.csv');
    if (!ref) throw new Error('unreachable');
    expect(await collect(local.read(ref, { firstBytes: 15 }))).toBe('012345678901234');
    expect(await collect(local.read(ref, { firstBytes: 20_000, borrowChunks: true }))).toHaveLength(10_000);
  });

  it('writes streams and text under the root, creating only once with ifAbsent', async () => {
    async function* body() {
      yield Buffer.from('0,1,2\n');
      yield Buffer.from('1,3,4\n');
    }
    await store.put('train/d/r/train/train.csv', body());
    expect(await store.getText('train/d/r/train/train.csv')).toBe('0,1,2\n1,3,4\n');
    expect(await store.put('train/d/r/manifest.json', '{}', { ifAbsent: true })).toEqual({ created: true });
    expect(await store.put('train/d/r/manifest.json', '{"x":1}', { ifAbsent: true })).toEqual({
      created: false,
    });
    expect(await store.getText('train/d/r/manifest.json')).toBe('{}');
    const keys: string[] = [];
    for await (const ref of store.list('train/d/')) keys.push(ref.key);
    expect(keys).toEqual(['train/d/r/manifest.json', 'train/d/r/train/train.csv']);
  });

  it('reads a borrowed input in chunks that reuse two buffers, bytes intact', async () => {
    const big = join(root, 'big.csv');
    const content = Buffer.alloc(5 * 1024 * 1024 + 123);
    for (let k = 0; k < content.length; k += 1) content[k] = 48 + (k % 10);
    writeFileSync(big, content);
    const local = createFileStore({ root: join(root, 'out3'), mounts: { 'raw/x.csv': big } });
    const ref = await local.head('raw/x.csv');
    if (!ref) throw new Error('unreachable');
    const memories = new Set<ArrayBufferLike>();
    const copies: Buffer[] = [];
    for await (const chunk of local.read(ref, { borrowChunks: true })) {
      memories.add(chunk.buffer);
      copies.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(copies).equals(content)).toBe(true);
    expect(copies.length).toBeGreaterThan(2);
    expect(memories.size).toBe(2);
  });

  it('writes each chunk of a stream before asking for the next, so the writer may reuse it', async () => {
    expect(store.putReleasesChunks).toBe(true);
    const reused = Buffer.alloc(4);
    async function* body() {
      for (const row of ['0,1\n', '1,2\n', '0,3\n']) {
        reused.write(row);
        yield reused;
      }
    }
    await store.put('train/d/r/validation/validation.csv', body());
    expect(await store.getText('train/d/r/validation/validation.csv')).toBe('0,1\n1,2\n0,3\n');
  });

  it('swaps with ifMatch only while the ETag is unchanged', async () => {
    await store.put('errors/d/claim.json', 'one');
    const ref = await store.head('errors/d/claim.json');
    if (!ref) throw new Error('unreachable');
    expect(await store.put('errors/d/claim.json', 'two', { ifMatch: '"stale"' })).toEqual({ created: false });
    expect(await store.put('errors/d/claim.json', 'two', { ifMatch: ref.etag })).toEqual({ created: true });
  });

  it('keeps volatile keys in memory, out of the folder', async () => {
    await store.put('notifications/d/n.json', '{"state":"sent"}');
    expect(await store.getText('notifications/d/n.json')).toBe('{"state":"sent"}');
    const onDisk: string[] = [];
    for await (const ref of createFileStore({ root: join(root, 'out') }).list('notifications/'))
      onDisk.push(ref.key);
    expect(onDisk).toEqual([]);
    await store.delete('notifications/d/n.json');
    expect(await store.head('notifications/d/n.json')).toBeUndefined();
  });
});
