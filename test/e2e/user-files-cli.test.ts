import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const BIN = join(ROOT, 'bin/sagedrop.cjs');
/** Files made as users make them (test/fixtures/user-files/generate.py). */
const FILES = join(ROOT, 'test/fixtures/user-files');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sagedrop-user-files-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function sagedropLocal(
  folder: string,
  x: string,
  y: string,
  dir = join(work, folder),
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = ['local', '--x', resolve(FILES, folder, x), '--y', resolve(FILES, folder, y), '--dir', dir];
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: work,
      env: { HOME: work, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('sagedrop local on files users make', () => {
  it('trains a classifier on Excel CSV UTF-8 files with species names, saying the task and the classes', async () => {
    const result = await sagedropLocal('excel-bom-crlf', 'x.csv', 'y.csv');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/task: classification, 3 classes \(setosa, versicolor, virginica\)/);
  });

  it('trains on pandas files with their index column dropped, gzip-compressed labels and all', async () => {
    const indexed = await sagedropLocal('pandas-index', 'x.csv', 'y.csv');
    expect(indexed.code).toBe(0);
    expect(indexed.stdout).toMatch(/task: classification, 3 classes \(0, 1, 2\)/);
    const gz = await sagedropLocal('gzip-boolean', 'x.csv.gz', 'y.csv.gz');
    expect(gz.code).toBe(0);
    expect(gz.stdout).toMatch(/merged raw\/x\.csv\.gz \+ raw\/y\.csv\.gz into run/);
    expect(gz.stdout).toMatch(/task: classification, 2 classes \(False, True\)/);
  });

  it('exits 1 naming the first row where the index columns of x and y disagree', async () => {
    const result = await sagedropLocal('pandas-index-shuffled', 'x.csv', 'y.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/x\.csv row 2 has index \d+ but .*y\.csv row 2 has index 137/);
  });

  it('pairs a plain x.csv with y.csv.gz in the folder where the gzip pair ran before', async () => {
    const plain = join(work, 'x-plain.csv');
    await writeFile(plain, gunzipSync(await readFile(join(FILES, 'gzip-boolean', 'x.csv.gz'))));
    const dir = join(work, 'mixed');
    expect((await sagedropLocal('gzip-boolean', 'x.csv.gz', 'y.csv.gz', dir)).code).toBe(0);
    const mixed = await sagedropLocal('gzip-boolean', plain, 'y.csv.gz', dir);
    expect(mixed.stderr).toBe('');
    expect(mixed.code).toBe(0);
    expect(mixed.stdout).toMatch(/merged raw\/x\.csv \+ raw\/y\.csv\.gz into run/);
  });

  it('trains again, once each time, when the same files are run again into the same folder', async () => {
    const dir = join(work, 'again');
    const runs = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const result = await sagedropLocal('tsv-labels-1-to-3', 'x.csv', 'y.csv', dir);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const merged = [...result.stdout.matchAll(/into run (\S+):/g)].map((m) => m[1]);
      expect(merged).toHaveLength(1);
      runs.add(merged[0] ?? '');
    }
    expect(runs.size).toBe(4);
  });
});
