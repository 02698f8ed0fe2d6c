import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportBucket } from '../../../cli/local-run';
import { MemoryStore } from '../../support/memory-store';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('exportBucket', () => {
  it('writes each object as a file and never outside the target folder', async () => {
    root = await mkdtemp(join(tmpdir(), 'sagedrop-export-'));
    const store = new MemoryStore();
    await store.upload('raw/iris/x.csv', '1,2\n');
    await store.upload('raw/../../escaped.txt', 'no');
    await store.upload('raw/./x.csv', 'no');
    const target = join(root, 'inner', 'bucket');
    expect(await exportBucket(store, target)).toBe(1);
    expect(await readFile(join(target, 'raw', 'iris', 'x.csv'), 'utf8')).toBe('1,2\n');
    expect(await readdir(root)).toEqual(['inner']);
    expect(await readdir(join(root, 'inner'))).toEqual(['bucket']);
  });
});
