import { describe, expect, it } from 'vitest';
import { type Command, EXIT, UnavailableError, UsageError } from '../../../cli/command';
import { runCommandLine } from '../../../cli/dispatch';

function failingWith(error: unknown): Command {
  return {
    name: 'try',
    summary: 'fails',
    usage: 'usage: sagedrop try',
    run: async () => {
      throw error;
    },
  };
}

async function run(argv: string[], command: Command) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCommandLine(argv, { out: (t) => out.push(t), err: (t) => err.push(t) }, [command]);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('runCommandLine', () => {
  it('gives usage errors exit code 2 and the message on one line', async () => {
    const result = await run(['try'], failingWith(new UsageError('--x is wrong')));
    expect(result).toEqual({ code: EXIT.usage, out: '', err: 'sagedrop try: --x is wrong' });
  });

  it('gives what the command could not reach exit code 3', async () => {
    const result = await run(['try'], failingWith(new UnavailableError('bucket b does not exist')));
    expect(result).toEqual({ code: EXIT.unavailable, out: '', err: 'sagedrop try: bucket b does not exist' });
  });

  it('reports a file system error (a folder it cannot write) with exit code 3, in one line', async () => {
    const error = Object.assign(new Error("EACCES: permission denied, mkdir '/out/train'"), {
      code: 'EACCES',
      syscall: 'mkdir',
    });
    const result = await run(['try'], failingWith(error));
    expect(result.code).toBe(EXIT.unavailable);
    expect(result.err).toBe("sagedrop try: EACCES: permission denied, mkdir '/out/train'");
  });

  it('reports anything else as an internal error with exit code 4, never as a usage error', async () => {
    const result = await run(['try'], failingWith(new TypeError('x is not a function')));
    expect(result.code).toBe(EXIT.internal);
    expect(result.err).toMatch(/^sagedrop try: unexpected error: x is not a function\n\(.*bug.*\)$/);
  });

  it('prints the usage for --help without running the command', async () => {
    const result = await run(['try', '--help'], failingWith(new Error('ran')));
    expect(result).toEqual({ code: EXIT.ok, out: 'usage: sagedrop try', err: '' });
  });

  it('prints the version of the package for --version', async () => {
    const { version } = await import('../../../package.json');
    const result = await run(['--version'], failingWith(new Error('ran')));
    expect(result).toEqual({ code: EXIT.ok, out: `sagedrop ${version}`, err: '' });
  });

  it('rejects an unknown command with exit code 2', async () => {
    const result = await run(['nope'], failingWith(new Error('ran')));
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toMatch(/unknown command "nope"/);
  });
});
