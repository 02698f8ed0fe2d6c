import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { UPLOAD_PART_SIZE, UPLOAD_QUEUE_SIZE } from '../lib/aws/s3-store';
import { localConfig } from '../lib/local/runtime';
import { createLocalStore } from '../lib/local/s3-adapter';
import type { LocalS3 } from '../lib/local/s3-server';
import { silentLogger } from '../lib/logger';
import { mergeDataset } from '../lib/stages/merge';
import {
  LAMBDA_MB_PER_VCPU,
  MERGE_BUDGET_SECONDS,
  MERGE_BYTES_PER_CPU_SECOND,
  maxMergeInputBytes,
  S3_READ_BYTES_PER_SECOND,
} from '../lib/stages/merge-limits';
import { print } from './support/print';

const ROWS = 200_000;
const ROUNDS = 5;
const FEATURES = 20;
const GOAL_RATIO = 1.5;

/** Seeded pseudo-random floats as a spreadsheet export writes them: the same bytes every run. */
function generate(rows: number, features: number): { x: Buffer; y: Buffer } {
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const x: string[] = [Array.from({ length: features }, (_, j) => `f${j}`).join(',')];
  const y: string[] = ['label'];
  for (let i = 0; i < rows; i++) {
    x.push(Array.from({ length: features }, () => (next() * 200 - 100).toFixed(6)).join(','));
    y.push(next() < 0.5 ? '0' : '1');
  }
  return { x: Buffer.from(`${x.join('\n')}\n`), y: Buffer.from(`${y.join('\n')}\n`) };
}

/** Starts the local S3 server in a child process and returns how to reach it. */
async function startServerProcess(
  dir: string,
): Promise<{ child: ChildProcess } & Pick<LocalS3, 'bucket' | 'clientConfig'>> {
  const child = spawn(
    process.execPath,
    [join(__dirname, '../bin/run-ts.cjs'), join(__dirname, 'support/s3-server-process.ts'), dir],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    output += text;
  });
  while (!output.includes('\n')) {
    const [event] = await Promise.race([once(child.stdout ?? child, 'data'), once(child, 'exit')]);
    if (typeof event === 'number' || event === null) throw new Error('the local S3 server process exited');
  }
  return { child, ...JSON.parse(output.split('\n')[0] ?? '{}') };
}

async function seconds(task: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The merge from S3 to S3 through the embedded local S3 server, against a
 * plain streamed copy of the same input bytes (GetObject into a multipart
 * Upload): how much the merge adds on top of moving the data at all. The
 * server runs in a process of its own, as S3 is not in the Lambda's process.
 */
export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sagedrop-bench-s3-'));
  const server = await startServerProcess(dir);
  const client = new S3Client(server.clientConfig);
  const store = createLocalStore(client, server.bucket);
  try {
    const { x, y } = generate(ROWS, FEATURES);
    const mib = (x.length + y.length) / 2 ** 20;
    print(
      `input: ${ROWS.toLocaleString('en-US')} rows x ${FEATURES} features, ${mib.toFixed(1)} MiB (x + y)`,
    );
    await store.put('raw/bench/x.csv', x);
    await store.put('raw/bench/y.csv', y);

    const copy = async (key: string, target: string) => {
      const { Body } = await client.send(new GetObjectCommand({ Bucket: server.bucket, Key: key }));
      const upload = new Upload({
        client,
        params: { Bucket: server.bucket, Key: target, Body: Body as NodeJS.ReadableStream as never },
        partSize: UPLOAD_PART_SIZE,
        queueSize: UPLOAD_QUEUE_SIZE,
      });
      await upload.done();
    };
    const copyTimes: number[] = [];
    const mergeTimes: number[] = [];
    const mergeCpu: number[] = [];
    const config = localConfig(server.bucket, 'error');
    for (let round = 0; round < ROUNDS; round++) {
      copyTimes.push(
        await seconds(() =>
          Promise.all([
            copy('raw/bench/x.csv', `copy/${round}/x.csv`),
            copy('raw/bench/y.csv', `copy/${round}/y.csv`),
          ]),
        ),
      );
      // A fresh upload of x each round makes a new pair, so every round really merges.
      await store.put('raw/bench/x.csv', x);
      const cpuBefore = process.cpuUsage();
      mergeTimes.push(
        await seconds(async () => {
          const outcome = await mergeDataset(
            { config, store, notifier: { notify: async () => {} }, logger: silentLogger },
            'bench',
            { requestId: `bench-${round}` },
          );
          if (outcome.outcome !== 'committed' || !outcome.created)
            throw new Error(`merge ${outcome.outcome}`);
        }),
      );
      const cpu = process.cpuUsage(cpuBefore);
      mergeCpu.push((cpu.user + cpu.system) / 1e6);
      await store.put('raw/bench/y.csv', y);
    }
    const best = (times: number[]) => Math.min(...times);
    const ratio = best(mergeTimes) / best(copyTimes);
    print(`get+put copy of x and y: ${best(copyTimes).toFixed(2)} s (best of ${copyTimes.length})`);
    print(`merge S3 -> S3:          ${best(mergeTimes).toFixed(2)} s (best of ${mergeTimes.length})`);
    print(
      `ratio merge/copy: ${ratio.toFixed(2)}x (goal <= ${GOAL_RATIO}x) ${ratio <= GOAL_RATIO ? 'ok' : 'MISSED'}`,
    );
    // The merging process's own CPU (the S3 server runs in another): what a Lambda's share of a vCPU must supply.
    const perCpuSecond = (x.length + y.length) / Math.min(...mergeCpu);
    print(
      `merge CPU: ${Math.min(...mergeCpu).toFixed(2)} s for ${mib.toFixed(1)} MiB: ${(perCpuSecond / 1e6).toFixed(0)} MB of input per CPU-second (lib/stages/merge-limits.ts assumes ${(MERGE_BYTES_PER_CPU_SECOND / 1e6).toFixed(0)})`,
    );
    for (const memoryMb of [1024, LAMBDA_MB_PER_VCPU]) {
      const share = Math.min(1, memoryMb / LAMBDA_MB_PER_VCPU);
      const rate = Math.min(S3_READ_BYTES_PER_SECOND, perCpuSecond * share);
      print(
        `merge limit at ${memoryMb} MB: ${share.toFixed(2)} vCPU x ${(perCpuSecond / 1e6).toFixed(0)} MB/s, S3 reads ${(S3_READ_BYTES_PER_SECOND / 1e6).toFixed(0)} MB/s: ${(rate / 1e6).toFixed(0)} MB/s x ${MERGE_BUDGET_SECONDS} s = ${((rate * MERGE_BUDGET_SECONDS) / 1e9).toFixed(1)} GB measured; ${(maxMergeInputBytes(memoryMb) / 1e9).toFixed(1)} GB enforced`,
      );
    }
  } finally {
    client.destroy();
    server.child.kill('SIGTERM');
    await once(server.child, 'exit');
    await rm(dir, { recursive: true, force: true });
  }
}
