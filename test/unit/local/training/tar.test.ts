import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTarGz, readTarGz } from '../../../../lib/local/training/tar';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sagedrop-tar-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('createTarGz', () => {
  it('writes an archive the system tar extracts byte for byte', () => {
    const json = Buffer.from('{"algorithm":"kmeans","centroids":[[1,2]]}\n');
    const big = Buffer.alloc(1300, 7);
    const dir = tempDir();
    writeFileSync(
      join(dir, 'model.tar.gz'),
      createTarGz([
        { name: 'model.json', data: json, mtime: 1_700_000_000 },
        { name: 'extra.bin', data: big },
      ]),
    );
    const listing = execFileSync('tar', ['-tzvf', 'model.tar.gz'], { cwd: dir, encoding: 'utf8' });
    expect(listing).toMatch(/model\.json/);
    execFileSync('tar', ['-xzf', 'model.tar.gz'], { cwd: dir });
    expect(readFileSync(join(dir, 'model.json'))).toEqual(json);
    expect(readFileSync(join(dir, 'extra.bin'))).toEqual(big);
  });

  it('reads back what the system tar writes', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.txt'), 'hello\n');
    execFileSync('tar', ['--format=ustar', '-czf', 'a.tar.gz', 'a.txt'], { cwd: dir });
    const entries = readTarGz(readFileSync(join(dir, 'a.tar.gz')));
    expect(entries.map((e) => [e.name, Buffer.from(e.data).toString()])).toEqual([['a.txt', 'hello\n']]);
  });

  it('round-trips its own archives', () => {
    const entries = readTarGz(
      createTarGz([
        { name: 'x', data: new Uint8Array(0) },
        { name: 'y', data: Buffer.from('z') },
      ]),
    );
    expect(entries.map((e) => [e.name, e.data.byteLength])).toEqual([
      ['x', 0],
      ['y', 1],
    ]);
  });
});
