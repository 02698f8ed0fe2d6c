/**
 * What every `sagedrop` command returns. Scripts can tell a verdict on the
 * data (1) from a wrong command line (2), from something the command could not
 * reach (3), from a bug (4).
 */
export const EXIT = {
  /** The command did what it was asked. */
  ok: 0,
  /** The pipeline ran and said no: the data or settings were rejected, or training failed. */
  failed: 1,
  /** The command line is wrong: an unknown option, a missing file, a dataset name the pipeline ignores. */
  usage: 2,
  /** Something the command needs is not there: the bucket, credentials, the endpoint, a free port, a writable folder. */
  unavailable: 3,
  /** An unexpected error inside sagedrop. */
  internal: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The meaning of each shared exit code, as `--help` and the README list them. */
export const EXIT_MEANINGS: Record<2 | 3 | 4, string> = {
  [EXIT.usage]: 'the command line is wrong (the message says what to change)',
  [EXIT.unavailable]:
    'something the command needs is not there: the bucket, credentials, the endpoint, a free port, a writable folder',
  [EXIT.internal]: 'an unexpected error inside sagedrop (a bug: please report it with the command you ran)',
};

/** A `sagedrop` subcommand. */
export interface Command {
  name: string;
  /** One line for `sagedrop --help`. */
  summary: string;
  /** Full usage text for `sagedrop <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface CommandIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** An error whose message is shown to the user as-is, on one line, ending the command with `exitCode`. */
export abstract class CommandError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: ExitCode;
}

/** The command line is wrong; the message says what to change. */
export class UsageError extends CommandError {
  override readonly name = 'UsageError';
  readonly code = 'USAGE';
  readonly exitCode = EXIT.usage;
}

/** Something the command needs is not there (bucket, credentials, endpoint, port, a folder to write). */
export class UnavailableError extends CommandError {
  override readonly name = 'UnavailableError';
  readonly code = 'UNAVAILABLE';
  readonly exitCode = EXIT.unavailable;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
