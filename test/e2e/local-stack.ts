import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../lib/local/runtime';

export const IRIS_X = readFileSync(join(__dirname, '../../examples/iris/x.csv'), 'utf8');
export const IRIS_Y = readFileSync(join(__dirname, '../../examples/iris/y.csv'), 'utf8');

/** The local stack in a fresh directory, with an upload that goes through the S3 API as a user's would. */
export async function startTestStack(options: Omit<LocalStackOptions, 'dir'> = {}): Promise<
  LocalStack & {
    upload(key: string, body: string): Promise<void>;
    keys(prefix: string): Promise<string[]>;
    close(): Promise<void>;
  }
> {
  const dir = await mkdtemp(join(tmpdir(), 'sagedrop-e2e-'));
  const stack = await startLocalStack({ dir, retryDelayMs: 10, ...options });
  return Object.assign(stack, {
    async upload(key: string, body: string) {
      await stack.client.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
    },
    async keys(prefix: string) {
      const found: string[] = [];
      for await (const ref of stack.store.list(prefix)) found.push(ref.key);
      return found;
    },
    async close() {
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    },
  });
}

/** Two well separated classes in two features: a linear model gets them all right. */
export function separableBinary(rows: number): { x: string; y: string } {
  const x = ['f1,f2'];
  const y = ['label'];
  for (let i = 0; i < rows; i += 1) {
    const label = i % 2;
    const offset = label === 1 ? 5 : -5;
    x.push(`${(offset + ((i * 7) % 10) / 10).toFixed(2)},${(((i * 3) % 10) / 10 - offset).toFixed(2)}`);
    y.push(String(label));
  }
  return { x: `${x.join('\n')}\n`, y: `${y.join('\n')}\n` };
}

/**
 * `y` (a header line, then one label per line) with its labels in a fixed
 * pseudo-random order: the features no longer say anything about the label,
 * so no model can beat guessing except by luck.
 */
export function shuffleLabels(y: string, seed: number): string {
  const [header, ...labels] = y.trimEnd().split('\n');
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = labels.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [labels[i], labels[j]] = [labels[j] as string, labels[i] as string];
  }
  return `${[header, ...labels].join('\n')}\n`;
}
