import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '../../lib/local/s3-server';
import { UsageError } from '../command';

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

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname);
}

/**
 * How to reach the bucket: with `--endpoint` on loopback, the local server
 * (`sagedrop serve`) with its fixed credentials and path-style URLs; with
 * another endpoint or none, S3 itself through the SDK's default credential chain.
 */
export function s3ClientConfig(endpoint: string | undefined, region: string | undefined): S3ClientConfig {
  const config: S3ClientConfig = {};
  if (region) config.region = region;
  if (endpoint === undefined) return config;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint ${endpoint}: not a URL (e.g. http://127.0.0.1:4569)`);
  }
  config.endpoint = endpoint;
  if (isLoopback(url)) {
    config.forcePathStyle = true;
    config.credentials = { ...LOCAL_CREDENTIALS };
    config.region = region ?? 'us-east-1';
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  return config;
}

/** `text` with `prefix` before every line. */
export function indent(text: string, prefix = '  '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}
