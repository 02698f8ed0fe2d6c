import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, SAGEDROP_BIN } from '../support/sagedrop-cli';
import { IRIS_X, IRIS_Y } from './local-stack';

let child: ChildProcessWithoutNullStreams | undefined;
let work: string | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('close', resolve));
    child.kill('SIGINT');
    await exited;
  }
  if (work) await rm(work, { recursive: true, force: true });
});

/** Starts `sagedrop serve` as a user would and resolves with what it printed once it is ready. */
async function startServe(): Promise<string> {
  work = await mkdtemp(join(tmpdir(), 'sagedrop-serve-'));
  const started = spawn(process.execPath, [SAGEDROP_BIN, 'serve', '--dir', join(work, 'state')], {
    cwd: work,
    env: cliEnv(work),
  });
  child = started;
  let stdout = '';
  let stderr = '';
  started.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    started.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('Ctrl-C stops.')) resolve(stdout);
    });
    started.once('close', (code) => reject(new Error(`sagedrop serve exited ${code}: ${stderr}`)));
  });
}

describe('sagedrop serve, asked by a real HTTP client', () => {
  it('prints the invocations URL and a curl example, says 404 before a champion and answers once iris is trained', async () => {
    const banner = await startServe();
    const url = /answers at (http:\/\/127\.0\.0\.1:\d+)\/endpoints\/<dataset>\/invocations/.exec(banner)?.[1];
    const s3 = /at (http:\/\/127\.0\.0\.1:\d+) \(state in/.exec(banner)?.[1];
    expect(url).toBeDefined();
    expect(banner).toContain(
      `curl -s -H 'Content-Type: text/csv' --data-binary @rows.csv ${url}/endpoints/mydata/invocations`,
    );
    const invoke = (body: string) =>
      fetch(`${url}/endpoints/iris/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv' },
        body,
      });
    const row = IRIS_X.split('\n')[1] as string;
    const before = await invoke(row);
    expect(before.status).toBe(404);
    expect(await before.text()).toMatch(/has no champion yet/);

    const client = new S3Client({
      endpoint: s3,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    for (const [key, body] of [
      ['raw/iris/x.csv', IRIS_X],
      ['raw/iris/y.csv', IRIS_Y],
    ] as const) {
      await client.send(new PutObjectCommand({ Bucket: 'sagedrop-local', Key: key, Body: body }));
    }
    client.destroy();
    let answer: Response | undefined;
    for (let attempt = 0; attempt < 120; attempt += 1) {
      answer = await invoke(row);
      if (answer.status !== 404) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(answer?.status).toBe(200);
    const body = (await answer?.json()) as { predictions: { predicted_label: number; score: number[] }[] };
    expect(body.predictions).toHaveLength(1);
    expect(body.predictions[0]?.predicted_label).toBe(0);
  }, 120_000);
});
