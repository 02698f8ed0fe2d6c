import { createServer } from 'node:net';
import { startLocalStack } from '../lib/local/runtime';
import { LOCAL_CREDENTIALS } from '../lib/local/s3-server';
import { createLogger, silentLogger } from '../lib/logger';
import { type CommandIO, EXIT, UnavailableError } from './command';
import { createProgressPrinter } from './local-progress';

export interface ServeInput {
  /** 0: a free port. */
  port: number;
  /** The S3 server's state directory. */
  dir: string;
  /** The folder the user named (shown in the banner). */
  shownDir: string;
  /** Where events that failed every attempt are kept for `sagedrop redrive --local`. */
  failureDir?: string;
  verbose: boolean;
}

function portInUse(port: number): UnavailableError {
  return new UnavailableError(
    `port ${port} is in use: pick another with --port, or leave it out for a free one`,
  );
}

/** s3rver lets a failed listen crash the process: find out first, and say it in one line. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? portInUse(port) : error);
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

/** Resolves on the first SIGINT or SIGTERM. */
function interrupted(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

/**
 * Runs the local stack until SIGINT or SIGTERM, printing what the pipeline
 * does; finishes running work before stopping.
 */
export async function serveLocally(io: CommandIO, input: ServeInput): Promise<number> {
  if (input.port) await assertPortFree(input.port);
  const printer = createProgressPrinter(io, { showUploads: true });
  const stack = await startLocalStack({
    dir: input.dir,
    port: input.port,
    ...(input.failureDir
      ? {
          failureDir: input.failureDir,
          redriveCommand: `npx sagedrop redrive --local --dir ${input.shownDir}`,
        }
      : {}),
    onStep: printer.onStep,
    logger: input.verbose ? createLogger({ level: 'debug', write: io.err }) : silentLogger,
  }).catch((error: unknown) => {
    throw (error as { code?: string }).code === 'EADDRINUSE' ? portInUse(input.port) : error;
  });
  printer.attach(stack);
  const { accessKeyId, secretAccessKey } = LOCAL_CREDENTIALS;
  const credentials = `AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}`;
  io.out(
    [
      `sagedrop serving bucket ${stack.bucket} at ${stack.endpoint} (state in ${input.shownDir})`,
      `credentials: access key ${accessKeyId}, secret ${secretAccessKey}; path-style URLs`,
      'upload a pair to start a run, e.g.:',
      `  ${credentials} aws --endpoint-url ${stack.endpoint} s3 cp x.csv s3://${stack.bucket}/raw/mydata/x.csv`,
      `  ${credentials} aws --endpoint-url ${stack.endpoint} s3 cp y.csv s3://${stack.bucket}/raw/mydata/y.csv`,
      `  sagedrop upload x.csv y.csv --bucket ${stack.bucket} --dataset mydata --endpoint ${stack.endpoint}`,
      `  sagedrop status --bucket ${stack.bucket} --endpoint ${stack.endpoint}`,
      'Ctrl-C stops.',
    ].join('\n'),
  );
  const signal = await interrupted();
  io.out(`${signal}: finishing running work and stopping`);
  await stack.waitForIdle();
  await printer.flush();
  await stack.stop();
  return EXIT.ok;
}
