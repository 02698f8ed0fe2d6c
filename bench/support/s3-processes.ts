import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { LocalS3 } from '../../lib/local/s3-server';
import type { LinkModel, LinkStats } from './link-proxy';

const RUN_TS = join(__dirname, '../../bin/run-ts.cjs');

/** Spawns a TypeScript entry point and waits for the JSON line it prints once ready. */
async function spawnReady<T>(entry: string, args: string[]): Promise<{ child: ChildProcess; ready: T }> {
  const child = spawn(process.execPath, [RUN_TS, join(__dirname, entry), ...args], {
    stdio: ['pipe', 'pipe', 'inherit', 'ipc'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    output += text;
  });
  while (!output.includes('\n')) {
    const [event] = await Promise.race([once(child.stdout ?? child, 'data'), once(child, 'exit')]);
    if (typeof event === 'number' || event === null) throw new Error(`${entry} exited before it was ready`);
  }
  return { child, ready: JSON.parse(output.split('\n')[0] ?? '{}') as T };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

export interface ServerProcess extends Pick<LocalS3, 'bucket' | 'clientConfig'> {
  port: number;
  stop(): Promise<void>;
}

/** The local S3 server in a process of its own, as S3 is never in the caller's process. */
export async function startServerProcess(dir: string): Promise<ServerProcess> {
  const { child, ready } = await spawnReady<Pick<LocalS3, 'bucket' | 'clientConfig'>>(
    's3-server-process.ts',
    [dir],
  );
  const port = Number(new URL(String(ready.clientConfig.endpoint)).port);
  return { ...ready, port, stop: () => stop(child) };
}

export interface ProxyProcess {
  endpoint: string;
  /** The proxy's counters since the last call. */
  takeStats(): Promise<LinkStats>;
  stop(): Promise<void>;
}

/** The link proxy in front of `upstreamPort`, in a process of its own. */
export async function startProxyProcess(upstreamPort: number, model: LinkModel): Promise<ProxyProcess> {
  const { child, ready } = await spawnReady<{ endpoint: string }>('link-proxy-process.ts', [
    String(upstreamPort),
    String(model.bytesPerSecond),
    String(model.firstByteMs),
  ]);
  return {
    endpoint: ready.endpoint,
    async takeStats() {
      const answer = once(child, 'message');
      child.send('stats');
      const [stats] = await answer;
      return stats as LinkStats;
    },
    stop: () => stop(child),
  };
}
