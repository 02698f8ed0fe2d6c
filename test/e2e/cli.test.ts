import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../lib/local/s3-server';
import { type CliResult, cliEnv, runSagedrop, SAGEDROP_BIN } from '../support/sagedrop-cli';

const ROOT = join(__dirname, '../..');
const IRIS = join(ROOT, 'examples/iris');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sagedrop-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function sagedrop(args: string[], cwd = work): Promise<CliResult> {
  return runSagedrop(args, cwd);
}

/** Starts `sagedrop serve` and resolves with its endpoint once it prints it. */
function serve(dir: string): Promise<{ child: ChildProcess; endpoint: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SAGEDROP_BIN, 'serve', '--port', '0', '--dir', dir], {
      cwd: work,
      env: cliEnv(work),
    });
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      const match = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) resolve({ child, endpoint: match[1], output: () => output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
}

describe('the sagedrop command', () => {
  it('runs the demo end to end, then again on the same data with a champion comparison in the verdict', async () => {
    const dir = join(work, 'demo');
    const first = await sagedrop(['demo', '--dir', dir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/uploaded .*x\.csv to s3:\/\/sagedrop-local\/raw\/demo\/x\.csv/);
    expect(first.stdout).toMatch(
      /merged raw\/demo\/x\.csv \+ raw\/demo\/y\.csv into run .*: 150 rows, 4 features/,
    );
    expect(first.stdout).toMatch(/training job sagedrop-local--demo--\S+ Completed/);
    expect(first.stdout).toMatch(/^notification: sagedrop: model ready: demo$/m);
    expect(first.stdout).toMatch(/^notification: sagedrop: new champion: demo$/m);
    // Notifications of a local run: no CloudWatch log group, nothing billed.
    expect(first.stdout).toMatch(/^ {2}\| Trained for .* on this machine\.$/m);
    expect(first.stdout).not.toMatch(/CloudWatch|billed|\/aws\/sagemaker/);
    // A summary with the verdict and where things are, not the whole catalog entry.
    const verdict = /^evaluation: (accuracy \S+ on 14 held-out rows; .*)$/m.exec(first.stdout)?.[1] ?? '';
    expect(verdict).toMatch(
      /; always predicting the most common training class \(.*\) scores \S+: promoted$/,
    );
    expect(first.stdout).not.toContain('"hyperparameters"');
    const entry = /^catalog entry: \S+\n {4}file (\S+)$/m.exec(first.stdout)?.[1] ?? '';
    const champion = JSON.parse(await readFile(entry, 'utf8')).job as string;
    // Each thing said once: the verdict's outcome is not repeated by the reason after it.
    const evaluation = /\| Evaluation:\n((?: {2}\| {3}.*\n)+)/.exec(first.stdout)?.[1] ?? '';
    expect(evaluation.match(/promoted/g)).toHaveLength(1);
    expect(first.stdout).toMatch(/^Run `npm run demo -- --dir \S+` again to train a new model/m);

    const second = await sagedrop(['demo', '--dir', dir]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(
      /^evaluation: accuracy (\S+) on 14 held-out rows; .*; the current champion scores \1 on the same rows: the champion stays$/m,
    );
    expect(second.stdout).toMatch(
      new RegExp(
        `^ {2}why: It is not better than the champion's accuracy of \\S+ \\(${champion}\\) on the same rows`,
        'm',
      ),
    );
    expect(second.stdout).toMatch(/^notification: sagedrop: champion kept: demo$/m);
    expect(JSON.parse(await readFile(join(dir, 'bucket/catalog/demo/champion.json'), 'utf8')).job).toBe(
      champion,
    );
  });

  it('exits 1 from local with the rejection message when the data is bad, and leaves the bucket for inspection', async () => {
    const dir = join(work, 'bad');
    await rm(dir, { recursive: true, force: true });
    const x = join(work, 'bad-x.csv');
    const y = join(work, 'bad-y.csv');
    await writeFile(x, 'a,b\n1,2\n3,4\n');
    await writeFile(y, 'label\n0\n1\n1\n');
    const result = await sagedrop(['local', '--x', x, '--y', y, '--dataset', 'mine', '--dir', dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^dataset rejected: .*raw\/mine\/.*row/m);
    expect(result.stdout).toMatch(/Dataset Rejected|rejected/);
    expect(result.stdout).toContain(join(dir, 'bucket'));
    const listing = await sagedrop([
      'status',
      '--bucket',
      'sagedrop-local',
      '--dataset',
      'mine',
      '--endpoint',
      'http://127.0.0.1:1',
    ]);
    expect(listing.code).toBe(3);
    expect(listing.stderr).toMatch(/^sagedrop status: nothing is listening at http:\/\/127\.0\.0\.1:1/);
  });

  it('uploads to a running serve and reports the run, its evaluation and the champion with status', async () => {
    const { child, endpoint, output } = await serve(join(work, 'served'));
    try {
      const upload = await sagedrop([
        'upload',
        join(IRIS, 'x.csv'),
        join(IRIS, 'y.csv'),
        '--bucket',
        'sagedrop-local',
        '--dataset',
        'flowers',
        '--endpoint',
        endpoint,
      ]);
      expect(upload.code).toBe(0);
      expect(upload.stdout).toMatch(/sagedrop status --bucket sagedrop-local --dataset flowers/);
      let status: CliResult | undefined;
      for (let attempt = 0; attempt < 40; attempt += 1) {
        status = await sagedrop(['status', '--bucket', 'sagedrop-local', '--endpoint', endpoint]);
        if (/champion: job/.test(status.stdout)) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status?.code).toBe(0);
      expect(status?.stdout).toMatch(/^dataset flowers: nothing to do/m);
      expect(status?.stdout).toMatch(
        /run \S+: 150 rows, linear-learner, job sagedrop-local--flowers--\S+ Completed/,
      );
      expect(status?.stdout).toMatch(/latest model: s3:\/\/sagedrop-local\/models\/flowers\//);
      expect(status?.stdout).toMatch(/Completed \(.*\), evaluation: promoted$/m);
      expect(status?.stdout).toMatch(
        /^ {2}champion: job sagedrop-local--flowers--\S+, accuracy (0|1)(\.\d+)? on its \d+ held-out rows, promoted \d{4}-\d\d-\d\dT[\d:.]+Z$/m,
      );
      const json = await sagedrop(['status', '--bucket', 'sagedrop-local', '--endpoint', endpoint, '--json']);
      const [flowers] = JSON.parse(json.stdout).datasets as { champion?: Record<string, unknown> }[];
      expect(flowers?.champion).toMatchObject({ metric: 'accuracy', promotedBy: 'evaluation' });
      expect(flowers?.champion?.value).toBeGreaterThan(0.8);
      expect(output()).toMatch(/notification: sagedrop: .*flowers/);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.removeAllListeners('close');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });

  it('says in serve and status what a lone x.csv waits for, and which uploads it never reads', async () => {
    const { child, endpoint, output } = await serve(join(work, 'lone'));
    const client = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { ...LOCAL_CREDENTIALS },
    });
    const until = async (pattern: RegExp) => {
      for (let attempt = 0; attempt < 80 && !pattern.test(output()); attempt += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output()).toMatch(pattern);
    };
    try {
      const put = (key: string, body: string) =>
        client.send(new PutObjectCommand({ Bucket: 'sagedrop-local', Key: key, Body: body }));
      await put('raw/lone/x.csv', await readFile(join(IRIS, 'x.csv'), 'utf8'));
      await until(/^dataset lone: waiting for raw\/lone\/y\.csv/m);
      await put('raw/lone/features.csv', 'a,b\n1,2\n');
      await put('raw/lone/Y.CSV', '1\n');
      await until(
        /notification: sagedrop: upload ignored: lone[\s\S]*notification: sagedrop: upload ignored: lone/,
      );
      expect(output()).toMatch(
        /\| sagedrop will not read raw\/lone\/Y\.CSV: "Y\.CSV" is not "y\.csv": file names are case-sensitive/,
      );
      const status = await sagedrop(['status', '--bucket', 'sagedrop-local', '--endpoint', endpoint]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/^dataset lone: waiting for y\.csv$/m);
      expect(status.stdout).toMatch(
        /^ {2}ignored raw\/lone\/features\.csv \(.*\): "features\.csv" is not a file the pipeline reads; it reads "x\.csv", "y\.csv", "x\.csv\.gz", "y\.csv\.gz", "sagedrop\.json"$/m,
      );
      expect(status.stdout).toMatch(/^ {2}ignored raw\/lone\/Y\.CSV /m);
    } finally {
      client.destroy();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.removeAllListeners('close');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
