import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = [
    'local',
    '--x',
    join(FILES, folder, x),
    '--y',
    join(FILES, folder, y),
    '--dir',
    join(work, folder),
  ];
  return new Promise((resolve, reject) => {
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
    child.on('close', (code) => resolve({ code, stdout, stderr }));
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
    expect(gz.stdout).toMatch(/task: classification, 2 classes \(False, True\)/);
  });

  it('exits 1 naming the first row where the index columns of x and y disagree', async () => {
    const result = await sagedropLocal('pandas-index-shuffled', 'x.csv', 'y.csv');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/x\.csv row 2 has index \d+ but .*y\.csv row 2 has index 137/);
  });
});
