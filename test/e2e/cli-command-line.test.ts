import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../package.json';
import { runSagedrop } from '../support/sagedrop-cli';

const IRIS = join(__dirname, '../../examples/iris');
const COMMANDS = ['demo', 'local', 'serve', 'upload', 'status', 'merge'];
/** Nothing listens here: a command that got past its checks would fail with exit code 3. */
const DEAD_ENDPOINT = 'http://127.0.0.1:1';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sagedrop-cli-line-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const sagedrop = (...args: string[]) => runSagedrop(args, work);

describe('the sagedrop command line', () => {
  it('prints each command help with its usage line, its options and the exit codes', async () => {
    const helps = await Promise.all(COMMANDS.map((name) => sagedrop(name, '--help')));
    helps.forEach((help, i) => {
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
      expect(help.stdout).toMatch(new RegExp(`^usage: sagedrop ${COMMANDS[i]}`));
      expect(help.stdout).toMatch(/\n\noptions:\n(?: {2}--\S+.*\n(?: {4,}.*\n)*)+/);
      expect(help.stdout).toMatch(
        /\n\nexit codes:\n {2}0 {2}.+\n(?: {2}1 {2}.+\n)? {2}2 {2}the command line is wrong/,
      );
      expect(help.stdout).toMatch(/^ {2}3 {2}something the command needs is not there/m);
    });
    const status = helps[COMMANDS.indexOf('status')]?.stdout ?? '';
    expect(status).toMatch(/--dataset NAME +only this dataset \(without it: every dataset in the bucket\)/);
  });

  it('prints the version', async () => {
    const result = await sagedrop('--version');
    expect(result).toEqual({ code: 0, stdout: `sagedrop ${version}\n`, stderr: '' });
  });

  it('refuses a dataset name the pipeline would ignore, in every command, before doing anything', async () => {
    const x = join(IRIS, 'x.csv');
    const y = join(IRIS, 'y.csv');
    const localDir = join(work, 'local-dir');
    const mergeOut = join(work, 'merge-out');
    const results = await Promise.all([
      sagedrop('upload', x, y, '--bucket', 'b', '--dataset', 'a/b', '--endpoint', DEAD_ENDPOINT),
      sagedrop('status', '--bucket', 'b', '--json', '--dataset', 'a/b', '--endpoint', DEAD_ENDPOINT),
      sagedrop('local', '--x', x, '--y', y, '--dataset', 'a/b', '--dir', localDir),
      sagedrop('merge', '--x', x, '--y', y, '--dataset', 'a/b', '--out', mergeOut),
      sagedrop('local', '--x', x, '--y', y, '--dataset', '_inputs', '--dir', localDir),
    ]);
    for (const result of results.slice(0, 4)) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^sagedrop \w+: --dataset "a\/b": a dataset is one folder directly under raw\/, so its name cannot contain "\/"\n$/,
      );
    }
    expect(results[4]?.code).toBe(2);
    expect(results[4]?.stderr).toMatch(/--dataset "_inputs": .*reserved/);
    expect(existsSync(localDir)).toBe(false);
    expect(existsSync(mergeOut)).toBe(false);
  });

  it('exits 2 on a wrong command line, naming what to change, in one line', async () => {
    const results = await Promise.all([
      sagedrop('status', '--bucket', 'b', '--colour'),
      sagedrop('upload', join(IRIS, 'x.csv'), '--bucket', 'b'),
      sagedrop('merge', '--x', join(work, 'missing.csv'), '--y', join(IRIS, 'y.csv'), '--out', work),
      sagedrop('serve', '--port', '70000'),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(results.map((r) => r.stderr.trimEnd().split('\n').length)).toEqual([1, 1, 1, 1]);
    expect(results[0]?.stderr).toMatch(/unknown option --colour/);
    expect(results[1]?.stderr).toMatch(/missing Y/);
    expect(results[2]?.stderr).toMatch(/--x .*missing\.csv: no such file/);
    expect(results[3]?.stderr).toMatch(/--port 70000: not a port number/);
  });

  it('exits 3, not 2, when what the command needs is not there: an endpoint, a free port', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const [status, serve] = await Promise.all([
        sagedrop('status', '--bucket', 'b', '--endpoint', DEAD_ENDPOINT),
        sagedrop('serve', '--port', String(port), '--dir', join(work, 'served')),
      ]);
      expect(status.code).toBe(3);
      expect(status.stderr).toMatch(/^sagedrop status: nothing is listening at http:\/\/127\.0\.0\.1:1/);
      expect(serve.code).toBe(3);
      expect(serve.stderr).toBe(
        `sagedrop serve: port ${port} is in use: pick another with --port, or leave it out for a free one\n`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
