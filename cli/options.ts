import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATASET, datasetNameProblem } from '../lib/layout';
import { type Command, type CommandIO, EXIT, EXIT_MEANINGS, UsageError } from './command';
import { FIND_BUCKET, FIND_BUCKET_COMMAND } from './s3-errors';

/** An option that takes a value: `--bucket B`. */
export interface ValueOption<T = string> {
  type: 'string';
  /** The placeholder `--help` shows for the value: FILE, DIR, NAME. */
  value: string;
  /** What the option is for; lines after the first are indented under it. */
  help: string;
  required?: boolean;
  /** Said when a required option is missing: where to find its value. */
  whenMissing?: string;
  /** Checks the text and turns it into the value; throws `UsageError` when it is wrong. */
  parse?: (raw: string, flag: string) => T | Promise<T>;
}

/** An option without a value: `--json`. */
export interface FlagOption {
  type: 'boolean';
  help: string;
}

export type OptionDeclaration = ValueOption<unknown> | FlagOption;

/** An argument without a flag, in order: `sagedrop upload X Y`. Always required. */
export interface Positional<T = string> {
  name: string;
  help: string;
  parse?: (raw: string, name: string) => T | Promise<T>;
}

type Parsed<D> = D extends { parse: (...args: never[]) => infer T } ? Awaited<T> : string;
type OptionValue<D> = D extends FlagOption
  ? boolean
  : D extends { required: true }
    ? Parsed<D>
    : Parsed<D> | undefined;

/** The values a command's `run` gets, typed from its declaration. */
export type OptionValues<O> = { -readonly [K in keyof O]: OptionValue<O[K]> };
export type PositionalValues<P extends readonly Positional<unknown>[]> = {
  -readonly [E in P[number] as E['name']]: Parsed<E>;
};

export interface CommandDeclaration<
  O extends Record<string, OptionDeclaration>,
  P extends readonly Positional<unknown>[],
> {
  name: string;
  /** One line for `sagedrop --help`. */
  summary: string;
  /** What the command does, shown under the usage line. */
  description: string;
  positionals?: P;
  /** Every option, in the order `--help` lists them; the parser accepts exactly these. */
  options: O;
  /** Anything else `--help` should say, after the options. */
  notes?: string;
  /** What exit codes 0 and 1 mean for this command (2, 3 and 4 mean the same everywhere). */
  exits: { ok: string; failed?: string };
  run(input: { options: OptionValues<O>; args: PositionalValues<P> }, io: CommandIO): Promise<number>;
}

/** `text` with `prefix` before every line. */
export function indent(text: string, prefix = '  '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

function flagText(name: string, option: OptionDeclaration): string {
  return option.type === 'string' ? `--${name} ${option.value}` : `--${name}`;
}

/** Rows of `term  text`, the text column aligned, continuation lines under it. */
function table(rows: [string, string][]): string[] {
  const width = Math.max(16, ...rows.map(([term]) => term.length)) + 2;
  return rows.flatMap(([term, text]) => {
    const [first = '', ...rest] = text.split('\n');
    return [`  ${term.padEnd(width)}${first}`, ...rest.map((line) => `  ${' '.repeat(width)}${line}`)];
  });
}

/** The `--help` text of a declared command: usage line, description, arguments, options, notes, exit codes. */
export function renderUsage(
  declaration: CommandDeclaration<Record<string, OptionDeclaration>, readonly Positional<unknown>[]>,
): string {
  const entries = Object.entries(declaration.options);
  const positionals = declaration.positionals ?? [];
  const synopsis = [
    `sagedrop ${declaration.name}`,
    ...positionals.map((p) => p.name),
    ...entries.map(([name, option]) => {
      const text = flagText(name, option);
      return option.type === 'string' && option.required ? text : `[${text}]`;
    }),
  ].join(' ');
  const exits: [string, string][] = [[String(EXIT.ok), declaration.exits.ok]];
  if (declaration.exits.failed) exits.push([String(EXIT.failed), declaration.exits.failed]);
  for (const code of [EXIT.usage, EXIT.unavailable, EXIT.internal] as const) {
    exits.push([String(code), EXIT_MEANINGS[code]]);
  }
  const sections = [`usage: ${synopsis}`, declaration.description];
  if (positionals.length > 0) {
    sections.push(['arguments:', ...table(positionals.map((p) => [p.name, p.help]))].join('\n'));
  }
  sections.push(
    [
      'options:',
      ...table([
        ...entries.map(([name, option]): [string, string] => [flagText(name, option), option.help]),
        ['--help', 'print this text'],
      ]),
    ].join('\n'),
  );
  if (declaration.notes) sections.push(declaration.notes);
  sections.push(['exit codes:', ...exits.map(([code, meaning]) => `  ${code}  ${meaning}`)].join('\n'));
  return sections.join('\n\n');
}

/** node:util's parse errors, reworded as one line that names the option. */
function usageProblem(error: unknown, command: string): UsageError {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message ?? '')?.[1] ?? '';
  const what =
    code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
      ? `unknown option ${quoted}`
      : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
        ? `${quoted.split(' ')[0]} ${/argument missing/.test(message ?? '') ? 'needs a value' : 'takes no value'}`
        : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
          ? `unexpected argument "${quoted}"`
          : String(message);
  return new UsageError(`${what}. Run \`sagedrop ${command} --help\`.`);
}

/** Parses `argv` against the declaration: exactly the declared options and arguments, each checked. */
export async function parseCommandLine<
  O extends Record<string, OptionDeclaration>,
  P extends readonly Positional<unknown>[],
>(
  declaration: CommandDeclaration<O, P>,
  argv: string[],
): Promise<{ options: OptionValues<O>; args: PositionalValues<P> }> {
  const positionals = declaration.positionals ?? [];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(declaration.options).map(([name, option]) => [name, { type: option.type }]),
      ),
      strict: true,
      allowPositionals: positionals.length > 0,
    });
  } catch (error) {
    throw usageProblem(error, declaration.name);
  }
  const extra = parsed.positionals[positionals.length];
  if (extra !== undefined) {
    throw new UsageError(`unexpected argument "${extra}". Run \`sagedrop ${declaration.name} --help\`.`);
  }
  const missingArgs = positionals.slice(parsed.positionals.length).map((p) => p.name);
  const missingOptions = Object.entries(declaration.options).flatMap(([name, option]) =>
    option.type === 'string' && option.required && !(name in parsed.values) ? [[name, option] as const] : [],
  );
  if (missingArgs.length > 0 || missingOptions.length > 0) {
    const names = [...missingArgs, ...missingOptions.map(([name]) => `--${name}`)];
    const hints = missingOptions.flatMap(([, option]) => (option.whenMissing ? [option.whenMissing] : []));
    throw new UsageError(
      `missing ${names.join(', ')}${hints.length > 0 ? `; ${hints.join('; ')}` : ''}. Run \`sagedrop ${declaration.name} --help\`.`,
    );
  }
  const options: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(declaration.options)) {
    const raw = parsed.values[name];
    if (option.type === 'boolean') options[name] = raw === true;
    else if (typeof raw === 'string')
      options[name] = option.parse ? await option.parse(raw, `--${name}`) : raw;
  }
  const args: Record<string, unknown> = {};
  for (const [i, positional] of positionals.entries()) {
    const raw = parsed.positionals[i] ?? '';
    args[positional.name] = positional.parse ? await positional.parse(raw, positional.name) : raw;
  }
  return { options: options as OptionValues<O>, args: args as PositionalValues<P> };
}

/**
 * A command from its declaration: `--help` is rendered from it and the
 * parser accepts exactly what it declares, so the two cannot disagree.
 */
export function defineCommand<
  const O extends Record<string, OptionDeclaration>,
  const P extends readonly Positional<unknown>[] = [],
>(declaration: CommandDeclaration<O, P>): Command {
  return {
    name: declaration.name,
    summary: declaration.summary,
    usage: renderUsage(declaration),
    run: async (argv, io) => declaration.run(await parseCommandLine(declaration, argv), io),
  };
}

/**
 * A dataset name as the pipeline would use it: `default` (the files directly
 * under raw/) or a folder name the merge accepts. Anything the pipeline would
 * ignore, such as `a/b` (raw/a/b/x.csv is never merged), is a usage error.
 */
export function datasetName(raw: string, flag: string): string {
  if (raw === DEFAULT_DATASET) return raw;
  const problem = datasetNameProblem(raw);
  if (problem) throw new UsageError(`${flag} ${JSON.stringify(raw)}: ${problem}`);
  return raw;
}

/** The absolute path of `path`, which must be a readable file. */
export async function existingFile(path: string, flag: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) throw new UsageError(`${flag} ${path}: no such file`);
  if (!info.isFile())
    throw new UsageError(
      `${flag} ${path}: is a ${info.isDirectory() ? 'folder' : 'special file'}, not a file`,
    );
  return absolute;
}

/** The absolute path of `path`, a folder to write into: absent (it is created) or a folder, never a file. */
export async function outputFolder(path: string, flag: string): Promise<string> {
  const absolute = resolve(path);
  // The nearest part of the path that exists must be a folder: a file there can never hold one.
  for (let at = absolute; ; at = dirname(at)) {
    const info = await stat(at).catch(() => undefined);
    if (info?.isDirectory()) return absolute;
    if (info) {
      const what = at === absolute ? 'is a file' : `is inside ${at}, which is a file`;
      throw new UsageError(`${flag} ${path}: ${what}, not a folder`);
    }
    if (dirname(at) === at) return absolute;
  }
}

/** A TCP port number from an option value. */
export function portNumber(raw: string, flag: string): number {
  const port = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} ${raw}: not a port number (0 to 65535)`);
  }
  return port;
}

/** `--dataset NAME` with the one check every command applies. */
export function datasetOption(help: string) {
  return { type: 'string', value: 'NAME', help, parse: datasetName } as const;
}

/** `--bucket B`, required by the commands that talk to a bucket. */
export const bucketOption = {
  type: 'string',
  value: 'B',
  required: true,
  whenMissing: FIND_BUCKET,
  help: `the stack's bucket; for a deployed stack:\n  ${FIND_BUCKET_COMMAND}\nor BucketName in \`npx sls info --verbose --stage <stage>\`;\nsagedrop-local for \`sagedrop serve\``,
} as const;

/** Where the bucket is: S3 (default) or an S3-compatible endpoint. */
export const endpointOptions = {
  endpoint: {
    type: 'string',
    value: 'URL',
    help: 'an S3-compatible endpoint, e.g. http://127.0.0.1:4569 of `sagedrop serve`\n(loopback endpoints use its fixed credentials)',
  },
  region: { type: 'string', value: 'R', help: "the bucket's region (default: from your AWS configuration)" },
} as const;

export const verboseOption = {
  type: 'boolean',
  help: "also print the functions' JSON log lines (stderr)",
} as const;
