import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runManifestSchema } from '../../lib/training/manifest';

const root = resolve(__dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'sagedrop-cli-merge-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sagedrop(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, 'bin/sagedrop.cjs'), ...args], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: work, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe('sagedrop merge', () => {
  it('writes the channels and manifest a run writes, under the bucket layout, and exits 0', () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${(i * 0.5).toFixed(1)}`);
    const x = write('x.csv', `a,b\n${rows.join('\n')}\n`);
    const y = write('y.csv', `target\n${rows.map((_, i) => String(i % 2)).join('\n')}\n`);
    const settings = write('sagedrop.json', JSON.stringify({ algorithm: 'xgboost', splitSeed: 'cli' }));
    const out = join(work, 'out');
    const result = sagedrop(
      'merge',
      '--x',
      x,
      '--y',
      y,
      '--out',
      out,
      '--settings',
      settings,
      '--dataset',
      'demo',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const run = /^run (\S+): 50 rows, 2 features, header row dropped from x and y$/m.exec(result.stdout)?.[1];
    expect(run).toBeDefined();
    const manifest = runManifestSchema.parse(
      JSON.parse(readFileSync(join(out, 'train', 'demo', run ?? '', 'manifest.json'), 'utf8')),
    );
    expect(manifest).toMatchObject({
      dataset: 'demo',
      run,
      rows: { total: 50 },
      settings: { algorithm: 'xgboost' },
    });
    const train = readFileSync(join(out, 'train', 'demo', run ?? '', 'train', 'train.csv'), 'utf8');
    const expected = new Set(rows.map((row, i) => `${i % 2},${row}`));
    const trainRows = train.split('\n').slice(0, -1);
    expect(trainRows).toHaveLength(manifest.rows.train);
    for (const row of trainRows) expect(expected.has(row)).toBe(true);
    expect(result.stdout).toContain(join(out, 'train', 'demo', run ?? '', 'manifest.json'));
  });

  it('prints the rejection on stderr, writes the report and exits 1', () => {
    const x = write('bad-x.csv', '1,2\n3,4\n5,6\n');
    const y = write('bad-y.csv', '0\n1\n');
    const out = join(work, 'rejected');
    const result = sagedrop('merge', '--x', x, '--y', y, '--out', out);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const [message, reportLine] = result.stderr.trim().split('\n');
    expect(message).toContain(y);
    const reportPath = reportLine?.replace(/^report: /, '') ?? '';
    expect(reportPath.startsWith(join(out, 'errors', 'default'))).toBe(true);
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    expect(message).toBe(`dataset rejected: ${report.message.replace(/\.$/, '')}. ${report.hint}`);
  });

  it('explains its options with --help and refuses missing ones with exit 2', () => {
    expect(sagedrop('merge', '--help').stdout).toContain('--settings FILE');
    const missing = sagedrop('merge', '--x', 'x.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --y, --out');
  });
});
