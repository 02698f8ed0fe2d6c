import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset } from '../support/predictions';
import { cliEnv, runSagedrop, SAGEDROP_BIN } from '../support/sagedrop-cli';

let work: string;
const WINE = dataset('wine');
const rowsOf = (text: string) => text.split('\n').filter((line) => line !== '');
/** Five wine rows of each class, with the header: known answers for a model that learned the data. */
const SAMPLE = [0, 1, 2].flatMap((cls) => {
  const labels = rowsOf(WINE.y).slice(1);
  const rows = rowsOf(WINE.x).slice(1);
  return rows.filter((_, i) => labels[i] === `class_${cls}`).slice(0, 5);
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sagedrop-predict-'));
  await writeFile(join(work, 'x.csv'), WINE.x);
  await writeFile(join(work, 'y.csv'), WINE.y);
  await writeFile(join(work, 'new.csv'), `${rowsOf(WINE.x)[0]}\n${SAMPLE.join('\n')}\n`);
  const trained = await runSagedrop(['local', '--x', 'x.csv', '--y', 'y.csv', '--dataset', 'wine'], work);
  expect(trained.code, trained.stderr).toBe(0);
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('sagedrop predict', () => {
  it("scores a file with the local stack's champion and writes <name>.predictions.csv beside it", async () => {
    const result = await runSagedrop(['predict', '--dataset', 'wine', '--x', 'new.csv'], work);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('uploaded');
    expect(result.stdout).toMatch(
      /^15 rows scored by sagedrop-local--wine--\S+ \(linear-learner, accuracy [\d.]+ on its held-out rows\)$/m,
    );
    expect(result.stdout).toContain(`predictions: ${join(work, 'new.predictions.csv')}`);

    const lines = rowsOf(await readFile(join(work, 'new.predictions.csv'), 'utf8'));
    expect(lines[0]).toBe(`${rowsOf(WINE.x)[0]},prediction,probability`);
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 13).join(','))).toEqual(SAMPLE);
    const predicted = lines.slice(1).map((line) => line.split(',')[13]);
    const right = predicted.filter((p, i) => p === `class_${Math.floor(i / 5)}`).length;
    expect(right).toBeGreaterThanOrEqual(12);
  }, 120_000);

  it('writes where --out says, and exits 1 naming the row and column of a bad value', async () => {
    const written = await runSagedrop(
      ['predict', '--dataset', 'wine', '--x', 'new.csv', '--out', 'out/p.csv'],
      work,
    );
    expect(written.code, written.stderr).toBe(0);
    expect(rowsOf(await readFile(join(work, 'out/p.csv'), 'utf8'))).toHaveLength(16);

    await writeFile(join(work, 'bad.csv'), `${SAMPLE[0]}\n${SAMPLE[1]?.replace(/^[^,]+/, 'n/a')}\n`);
    const bad = await runSagedrop(['predict', '--dataset', 'wine', '--x', 'bad.csv'], work);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'predictions rejected: score/wine/bad.csv row 2, column 1: "n/a" is not a number',
    );
  }, 180_000);

  it('exits 1 for a dataset without a champion and 2 for a wrong command line', async () => {
    const none = await runSagedrop(['predict', '--dataset', 'other', '--x', 'new.csv'], work);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no champion model');
    const both = await runSagedrop(
      ['predict', '--dataset', 'wine', '--x', 'new.csv', '--bucket', 'b', '--dir', '.sagedrop'],
      work,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --bucket or --dir, not both');
    const missing = await runSagedrop(['predict', '--dataset', 'wine'], work);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('missing --x');
  }, 180_000);

  it('ends the demo with the one command that gets predictions, and that command works', async () => {
    const demo = await runSagedrop(['demo', '--dir', 'demo-state'], work);
    expect(demo.code, demo.stderr).toBe(0);
    const command = /^ {2}npx sagedrop (predict .*)$/m.exec(demo.stdout)?.[1];
    expect(command).toMatch(
      /^predict --dataset demo --x \S+examples\/iris\/x\.csv --out demo\.predictions\.csv --dir \S*demo-state$/,
    );
    const predicted = await runSagedrop(command?.split(' ') ?? [], work);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(rowsOf(await readFile(join(work, 'demo.predictions.csv'), 'utf8'))).toHaveLength(151);
  }, 180_000);

  it('scores through any S3 endpoint with --bucket, waiting for the answer (sagedrop serve)', async () => {
    const server = await serve(join(work, '.sagedrop'));
    try {
      const result = await runSagedrop(
        [
          'predict',
          '--dataset',
          'wine',
          '--x',
          'new.csv',
          '--bucket',
          'sagedrop-local',
          '--endpoint',
          server.endpoint,
          '--out',
          'served.csv',
        ],
        work,
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('15 rows scored by sagedrop-local--wine--');
      expect(rowsOf(await readFile(join(work, 'served.csv'), 'utf8'))).toHaveLength(16);
    } finally {
      server.child.kill('SIGINT');
      await new Promise((resolve) => server.child.once('close', resolve));
    }
  }, 180_000);
});

/** Starts `sagedrop serve` on `dir` and resolves with its endpoint once it prints it. */
function serve(dir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAGEDROP_BIN, 'serve', '--port', '0', '--dir', dir], {
      cwd: work,
      env: cliEnv(work),
    });
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve({ child, endpoint: match[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}
