import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../command';
import { lazy } from '../lazy';
import {
  datasetOption,
  defineCommand,
  endpointOptions,
  existingFile,
  outputFolder,
  verboseOption,
} from '../options';
import { explainS3Error, FIND_BUCKET_COMMAND } from '../s3-errors';

/** Polling a deployed stack: SageMaker takes minutes to start a transform instance. */
const POLL_MS = 5_000;
const NOTICE_MS = 60_000;
const TIMEOUT_MS = 2 * 60 * 60 * 1000;

/** A file to write: absent or a file, never a folder. */
async function outputFile(path: string, flag: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isDirectory()) throw new UsageError(`${flag} ${path}: is a folder, not a file to write`);
  return absolute;
}

export const predictCommand = defineCommand({
  name: 'predict',
  summary: "score a file of rows with a dataset's champion model and download the predictions",
  description: `Uploads FILE (features only, the columns of the dataset's x.csv; a header row,
gzip, semicolons, decimal commas and pandas' index column are read as the merge
reads them) to score/<dataset>/<name>.csv, waits while the dataset's champion
scores it by batch transform, and downloads predictions/<dataset>/<name>.csv:
every row of FILE as it was, with the prediction columns appended (the class
label as in y.csv and its probability, the predicted value, or k-means'
cluster and distance). Without --bucket it uses the local stack in --dir.`,
  options: {
    dataset: { ...datasetOption('the dataset whose champion scores the rows'), required: true },
    x: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'the rows to score: features only, like x.csv',
      parse: existingFile,
    },
    out: {
      type: 'string',
      value: 'FILE',
      help: 'where to write the predictions (default: <name>.predictions.csv beside FILE)',
      parse: outputFile,
    },
    bucket: {
      type: 'string',
      value: 'B',
      help: `a deployed stack's bucket (or sagedrop-local with --endpoint of \`sagedrop serve\`):\n  ${FIND_BUCKET_COMMAND}`,
    },
    dir: {
      type: 'string',
      value: 'DIR',
      help: 'the local stack to use without --bucket (default: ./.sagedrop, where\n`sagedrop local` keeps its models)',
      parse: outputFolder,
    },
    ...endpointOptions,
    verbose: verboseOption,
  },
  notes:
    'On AWS it polls the bucket every 5 seconds (a batch transform takes a few minutes to start)\nand gives up waiting after 2 hours; the predictions still arrive in the bucket.\nCredentials for AWS come from the usual chain (environment, ~/.aws, SSO, roles).',
  exits: {
    ok: 'the predictions were downloaded',
    failed: 'the file was rejected (the message names row and column) or the batch transform failed',
  },
  async run({ options }, io) {
    if (options.bucket && options.dir) throw new UsageError('give --bucket or --dir, not both');
    if (!options.bucket && (options.endpoint || options.region)) {
      throw new UsageError('--endpoint and --region go with --bucket');
    }
    const input = { dataset: options.dataset, x: options.x, out: options.out, verbose: options.verbose };
    const run = lazy.predictRun();
    const defaultOut = (name: string) => run.defaultOutput(options.x, name);
    if (!options.bucket) {
      const dir = resolve(options.dir ?? '.sagedrop');
      return lazy.predictLocal().predictLocally(io, {
        ...input,
        stateDir: resolve(dir, 's3'),
        failureDir: resolve(dir, 'failures'),
        defaultOut,
      });
    }
    const bucket = options.bucket;
    const { S3Client } = lazy.clientS3();
    const client = new S3Client(lazy.s3Client().s3ClientConfig(options.endpoint, options.region));
    const store = lazy.s3Store().createS3Store(client, bucket);
    try {
      const target = await run.scoreTarget(options.dataset, options.x);
      const id = await run.uploadForScoring(client, store, bucket, target.key, options.x);
      io.err(`uploaded ${options.x} to s3://${bucket}/${target.key}`);
      const local = options.endpoint !== undefined;
      const answer = await run.waitForAnswer(
        io,
        () => run.predictionAnswer(store, options.dataset, target.name, id),
        { intervalMs: local ? 250 : POLL_MS, timeoutMs: TIMEOUT_MS, noticeMs: NOTICE_MS },
      );
      if (answer.state === 'ready') {
        const out = options.out ?? defaultOut(target.name);
        await run.downloadPredictions(store, answer.record.output, out);
        io.out(run.summaryLines(answer.record, out, bucket).join('\n'));
        return EXIT.ok;
      }
      if (answer.state === 'rejected') {
        io.err(`predictions rejected: ${answer.message.replace(/\.$/, '')}. ${answer.hint ?? ''}`);
        return EXIT.failed;
      }
      if (answer.state === 'failed') {
        io.err(`the batch transform failed: ${answer.reason} ${answer.hint ?? ''}`);
        return EXIT.failed;
      }
      if (answer.state === 'superseded') {
        io.err(`a newer upload of ${target.key} was scored first; its predictions stay in the bucket`);
        return EXIT.failed;
      }
      io.err(
        `no answer after ${TIMEOUT_MS / 3_600_000} hours: the predictions will still appear at s3://${bucket}/${target.key.replace(/^score\//, 'predictions/').replace(/\.gz$/, '')}`,
      );
      return EXIT.unavailable;
    } catch (error) {
      throw explainS3Error(error, bucket, options.endpoint);
    } finally {
      client.destroy();
    }
  },
});
