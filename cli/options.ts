import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from './command';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** Parses `argv` strictly; any problem is a one-line `UsageError` pointing at `--help`. */
export function parseOptions<T extends OptionSpec>(
  command: string,
  argv: string[],
  options: T,
  positionals = 0,
) {
  try {
    const parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) {
      throw new Error(`unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return parsed;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run \`sagedrop ${command} --help\`.`);
  }
}

/** The absolute path of `path`, which must be a readable file. */
export async function requireFile(path: string, what: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${what} ${path}: no such file`);
  return absolute;
}

/** A port number from an option value. */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port ${value}: not a port number`);
  return port;
}

/** `text` with `prefix` before every line. */
export function indent(text: string, prefix = '  '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

/**
 * Loads a module when a command runs rather than when the CLI starts, so
 * `--help` and light commands do not pay for the AWS SDK and the local stack.
 * Paths are relative to this directory (the CLI runs through tsx's require hook).
 */
export function load<T>(path: string): T {
  return require(path.startsWith('.') ? `${__dirname}/${path}` : path) as T;
}
