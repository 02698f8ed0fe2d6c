import { EXIT } from './command';
import { commands } from './commands';
import { runCommandLine } from './dispatch';
import { quietOnClosedPipe } from './output';

const io = { out: quietOnClosedPipe(process.stdout), err: quietOnClosedPipe(process.stderr) };

runCommandLine(process.argv.slice(2), io, commands).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    io.err(`sagedrop: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = EXIT.internal;
  },
);
