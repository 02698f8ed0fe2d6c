import { createServer } from 'node:net';
import { startLocalInference } from '../lib/local/inference-server';
import { startLocalStack } from '../lib/local/runtime';
import { LOCAL_CREDENTIALS } from '../lib/local/s3-server';
import { createLogger, silentLogger } from '../lib/logger';
import { type CommandIO, EXIT, UnavailableError } from './command';
import { createProgressPrinter } from './local-progress';

export interface ServeInput {
  /** 0: a free port. */
  port: number;
  /** The port of the local endpoints (`POST /endpoints/<dataset>/invocations`); 0: a free port. */
  inferencePort?: number;
  /** The S3 server's state directory. */
  dir: string;
  /** The folder the user named (shown in the banner). */
  shownDir: string;
  /** Where events that failed every attempt are kept for `sagedrop redrive --local`. */
  failureDir?: string;
  verbose: boolean;
}

function portInUse(port: number, flag = '--port'): UnavailableError {
  return new UnavailableError(
    `port ${port} is in use: pick another with ${flag}, or leave it out for a free one`,
  );
}

/** s3rver lets a failed listen crash the process: find out first, and say it in one line. */
function assertPortFree(port: number, flag = '--port'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? portInUse(port, flag) : error);
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
  if (input.inferencePort) await assertPortFree(input.inferencePort, '--inference-port');
  const printer = createProgressPrinter(io, { showUploads: true });
  const logger = input.verbose ? createLogger({ level: 'debug', write: io.err }) : silentLogger;
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
    logger,
  }).catch((error: unknown) => {
    throw (error as { code?: string }).code === 'EADDRINUSE' ? portInUse(input.port) : error;
  });
  printer.attach(stack);
  const inference = await startLocalInference({
    store: stack.store,
    bucket: stack.bucket,
    port: input.inferencePort ?? 0,
    logger,
  }).catch(async (error: unknown) => {
    await stack.stop();
    throw (error as { code?: string }).code === 'EADDRINUSE'
      ? portInUse(input.inferencePort ?? 0, '--inference-port')
      : error;
  });
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
      `the champion of each dataset answers at ${inference.url}/endpoints/<dataset>/invocations`,
      '(as its SageMaker endpoint would: text/csv rows of features in, JSON out), e.g.:',
      `  curl -s -H 'Content-Type: text/csv' --data-binary @rows.csv ${inference.invocationsUrl('mydata')}`,
      'Ctrl-C stops.',
    ].join('\n'),
  );
  const signal = await interrupted();
  io.out(`${signal}: finishing running work and stopping`);
  await inference.stop();
  await stack.waitForIdle();
  await printer.flush();
  await stack.stop();
  return EXIT.ok;
}
