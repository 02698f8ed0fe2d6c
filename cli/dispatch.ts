import { version } from '../package.json';
import { type Command, CommandError, type CommandIO, EXIT, EXIT_MEANINGS } from './command';

function help(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: sagedrop <command> [options]',
    '',
    'Drop x.csv and y.csv into a bucket, get a trained SageMaker model.',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sagedrop <command> --help` for the options of a command, `sagedrop --version` for the version.',
    '',
    'exit codes:',
    `  ${EXIT.ok}  done`,
    `  ${EXIT.failed}  the pipeline said no: the data or settings were rejected, or training failed`,
    ...Object.entries(EXIT_MEANINGS).map(([code, meaning]) => `  ${code}  ${meaning}`),
  ].join('\n');
}

/** An error from a file or socket call (`EACCES: permission denied, mkdir '/x'`): the environment, not a bug. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * Runs one `sagedrop` command line and resolves to its exit code (see
 * `EXIT`): usage and unavailable errors as one line, system errors (a folder
 * that cannot be written) as unavailable, anything else as internal.
 */
export async function runCommandLine(argv: string[], io: CommandIO, commands: Command[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help(commands));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.out(`sagedrop ${version}`);
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`sagedrop: unknown command "${name}". Run \`sagedrop --help\` for the list.`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CommandError) {
      io.err(`sagedrop ${name}: ${error.message}`);
      return error.exitCode;
    }
    if (isSystemError(error)) {
      io.err(`sagedrop ${name}: ${error.message}`);
      return EXIT.unavailable;
    }
    io.err(`sagedrop ${name}: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    io.err(`(${EXIT_MEANINGS[EXIT.internal]})`);
    return EXIT.internal;
  }
}
