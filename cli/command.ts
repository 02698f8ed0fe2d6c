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

/** An error whose message is shown to the user as-is, on one line, with this exit code. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
