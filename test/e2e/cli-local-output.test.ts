import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runSagedrop, SAGEDROP_BIN } from '../support/sagedrop-cli';

const IRIS = join(__dirname, '../../examples/iris');
const x = join(IRIS, 'x.csv');
const y = join(IRIS, 'y.csv');
const settings = join(IRIS, 'sagedrop.json');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sagedrop-cli-output-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const sagedrop = (...args: string[]) => runSagedrop(args, work);

/** Every regular file under `root`, with its inode. */
async function filesUnder(root: string): Promise<{ path: string; ino: number }[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(files.map(async (path) => ({ path, ino: (await stat(path)).ino })));
}

describe('sagedrop local output', () => {
  it('ends with a short summary: run, rows per channel, metrics, and where the model and the entry are', async () => {
    const dir = join(work, 'summary');
    const result = await sagedrop(
      'local',
      '--x',
      x,
      '--y',
      y,
      '--settings',
      settings,
      '--dataset',
      'flowers',
      '--dir',
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^run \S+: 150 rows, 4 features: train \d+, validation \d+, test \d+$/m);
    expect(out).toMatch(/^task: classification, 3 classes \(.+\): .+$/m);
    expect(out).toMatch(/^training job \S+ \(linear-learner\): Completed/m);
    expect(out).toMatch(/^metrics: .*validation:multiclass_accuracy=/m);
    const model =
      /^model: s3:\/\/sagedrop-local\/(models\/flowers\/\S+\/model\.tar\.gz)\n {4}file (\S+)$/m.exec(out);
    const entry =
      /^catalog entry: s3:\/\/sagedrop-local\/(catalog\/flowers\/\S+\.json)\n {4}file (\S+)$/m.exec(out);
    expect(model?.[2]).toBe(join(dir, 'bucket', ...(model?.[1] ?? '').split('/')));
    expect(entry?.[2]).toBe(join(dir, 'bucket', ...(entry?.[1] ?? '').split('/')));
    expect(existsSync(model?.[2] ?? '')).toBe(true);
    expect(JSON.parse(await readFile(entry?.[2] ?? '', 'utf8')).status).toBe('Completed');
    // The summary replaces the full entry and the notification bodies.
    expect(out).not.toContain('"hyperparameters"');
    expect(out).not.toMatch(/^ {2}\| /m);
    expect(out).toMatch(/^notification: sagedrop: model ready: flowers$/m);
    // The folder holds the bucket once: each file under bucket/ is the server's own file under s3/.
    const serverInodes = new Set((await filesUnder(join(dir, 's3'))).map((f) => f.ino));
    const shown = await filesUnder(join(dir, 'bucket'));
    expect(shown.length).toBeGreaterThan(5);
    for (const file of shown) expect(serverInodes.has(file.ino), file.path).toBe(true);
  });

  it('prints the whole catalog entry as JSON with --json, the steps on stderr, and a readable non-ASCII subject', async () => {
    const result = await sagedrop(
      'local',
      '--x',
      x,
      '--y',
      y,
      '--dataset',
      'データ',
      '--dir',
      join(work, 'json'),
      '--json',
    );
    expect(result.code).toBe(0);
    const entry = JSON.parse(result.stdout);
    expect(entry).toMatchObject({ dataset: 'データ', status: 'Completed', algorithm: 'linear-learner' });
    expect(entry.manifest.rows.total).toBe(150);
    expect(result.stderr).toMatch(/^training job \S+ Completed/m);
    expect(result.stderr).toMatch(/^notification: sagedrop: model ready: \\u30C7\\u30FC\\u30BF$/m);
    expect(result.stderr).not.toContain('?');
  });
});

describe('sagedrop merge output', () => {
  it('prints the same rejection line, with what to do, as sagedrop local', async () => {
    const badX = join(work, 'bad-x.csv');
    const badY = join(work, 'bad-y.csv');
    await writeFile(badX, '1,2\n3,4\n5,6\n');
    await writeFile(badY, '0\n1\n');
    const [merged, local] = await Promise.all([
      sagedrop('merge', '--x', badX, '--y', badY, '--out', join(work, 'rejected')),
      sagedrop('local', '--x', badX, '--y', badY, '--dir', join(work, 'rejected-local')),
    ]);
    expect(merged.code).toBe(1);
    expect(local.code).toBe(1);
    const mergeLine = merged.stderr.split('\n')[0] ?? '';
    const reportPath = /^report: (.+)$/m.exec(merged.stderr)?.[1] ?? '';
    const report = JSON.parse(await readFile(reportPath, 'utf8'));
    expect(report.hint.length).toBeGreaterThan(0);
    expect(mergeLine).toBe(`dataset rejected: ${report.message.replace(/\.$/, '')}. ${report.hint}`);
    expect(local.stderr).toMatch(/^dataset rejected: .+$/m);
    expect(local.stderr).toContain(`. ${report.hint}\n`);
  });

  it('refuses a file as --out, a folder as --x, and --out inside a file, each in one line with exit 2', async () => {
    const file = join(work, 'a-file');
    await writeFile(file, 'not a folder');
    const results = await Promise.all([
      sagedrop('merge', '--x', x, '--y', y, '--out', file),
      sagedrop('merge', '--x', IRIS, '--y', y, '--out', join(work, 'unused')),
      sagedrop('merge', '--x', x, '--y', y, '--out', join(file, 'sub')),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    expect(results.map((r) => r.stderr)).toEqual([
      `sagedrop merge: --out ${file}: is a file, not a folder\n`,
      `sagedrop merge: --x ${IRIS}: is a folder, not a file\n`,
      `sagedrop merge: --out ${join(file, 'sub')}: is inside ${file}, which is a file, not a folder\n`,
    ]);
    expect(existsSync(join(work, 'unused'))).toBe(false);
  });

  it('finishes quietly when the reader of its output has gone (sagedrop merge ... | head -1)', async () => {
    const out = join(work, 'piped');
    const child = spawn(process.execPath, [SAGEDROP_BIN, 'merge', '--x', x, '--y', y, '--out', out], {
      cwd: work,
      env: cliEnv(work),
    });
    // The reader closes before the first line: every write of the command meets a closed pipe.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const runs = await readdir(join(out, 'train', 'default'));
    const run = runs.find((name) => !name.startsWith('_')) ?? '';
    expect(existsSync(join(out, 'train', 'default', run, 'manifest.json'))).toBe(true);
  });
});
