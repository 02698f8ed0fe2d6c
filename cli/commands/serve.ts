import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { type Command, UsageError } from '../command';
import { load, parseOptions, parsePort } from '../options';

const usage = `usage: sagedrop serve [--port P] [--dir DIR] [--verbose]

Runs the local stack until interrupted (Ctrl-C): an S3-compatible endpoint on
127.0.0.1 that any S3 client can use, and the pipeline (merge, local
training, catalog, notifications) on every upload, as the deployed stack runs
it. Notifications are printed as the email would read.

options:
  --port P    the port to listen on (default: a free port)
  --dir DIR   where the bucket lives (default: ./.sagedrop); kept between runs
  --verbose   also print the functions' JSON log lines (stderr)

Credentials for the endpoint: access key S3RVER, secret S3RVER, any region,
path-style addressing. With the AWS CLI:
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \\
    aws --endpoint-url http://127.0.0.1:P s3 cp x.csv s3://sagedrop-local/raw/mydata/x.csv
or: sagedrop upload x.csv y.csv --bucket sagedrop-local --dataset mydata --endpoint http://127.0.0.1:P`;

/** s3rver lets a failed listen crash the process: find out first, and say it in one line. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new UsageError(
              `port ${port} is in use: pick another with --port, or leave it out for a free one`,
              1,
            )
          : error,
      );
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

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run a local S3 endpoint and the pipeline on every upload, until Ctrl-C',
  usage,
  async run(argv, io) {
    const { values } = parseOptions('serve', argv, {
      port: { type: 'string' },
      dir: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    const port = parsePort(values.port);
    const dir = resolve(values.dir ?? '.sagedrop');
    if (port) await assertPortFree(port);
    const [{ startLocalStack }, { LOCAL_CREDENTIALS }, { createProgressPrinter }] = [
      load<typeof import('../../lib/local/runtime')>('../lib/local/runtime'),
      load<typeof import('../../lib/local/s3-server')>('../lib/local/s3-server'),
      load<typeof import('../local-progress')>('./local-progress'),
    ];
    const printer = createProgressPrinter(io, { showUploads: true });
    const { createLogger, silentLogger } = load<typeof import('../../lib/logger')>('../lib/logger');
    const stack = await startLocalStack({
      dir: resolve(dir, 's3'),
      port: port ?? 0,
      onStep: printer.onStep,
      logger: values.verbose ? createLogger({ level: 'debug', write: io.err }) : silentLogger,
    }).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw new UsageError(
          `port ${port} is in use: pick another with --port, or leave it out for a free one`,
          1,
        );
      }
      throw error;
    });
    printer.attach(stack);
    const { accessKeyId, secretAccessKey } = LOCAL_CREDENTIALS;
    io.out(
      [
        `sagedrop serving bucket ${stack.bucket} at ${stack.endpoint} (state in ${dir})`,
        `credentials: access key ${accessKeyId}, secret ${secretAccessKey}; path-style URLs`,
        'upload a pair to start a run, e.g.:',
        `  AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} aws --endpoint-url ${stack.endpoint} s3 cp x.csv s3://${stack.bucket}/raw/mydata/x.csv`,
        `  AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} aws --endpoint-url ${stack.endpoint} s3 cp y.csv s3://${stack.bucket}/raw/mydata/y.csv`,
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
    return 0;
  },
};
