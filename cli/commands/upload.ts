import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_DATASET, datasetNameProblem, keys, type RawFile } from '../../lib/layout';
import { type Command, UsageError } from '../command';
import { load, parseOptions, requireFile } from '../options';
import { explainS3Error, FIND_BUCKET } from '../s3-errors';

const PART_SIZE = 8 * 1024 * 1024;
/** Files at least this big get a progress bar (on a terminal). */
const PROGRESS_FROM_BYTES = 5 * 1024 * 1024;

const usage = `usage: sagedrop upload X Y --bucket B [--dataset NAME] [--settings FILE] [--endpoint URL] [--region R]

Uploads features X and labels Y to s3://B/raw/<dataset>/x.csv and y.csv
(raw/x.csv and raw/y.csv without --dataset), which starts a run. Large files
go up as multipart uploads, with a progress bar on a terminal.

options:
  --bucket B        the stack's bucket. For a deployed stack:
                      ${FIND_BUCKET.replace('find the bucket of a deployed stack with: ', '')}
                    or look for BucketName in \`npx sls info --verbose --stage <stage>\`.
                    For \`sagedrop serve\`: sagedrop-local
  --dataset NAME    the dataset folder under raw/ (default: the files go directly under raw/)
  --settings FILE   also upload FILE as the dataset's sagedrop.json (first)
  --endpoint URL    an S3-compatible endpoint, e.g. http://127.0.0.1:4569 of \`sagedrop serve\`
                    (loopback endpoints use its fixed credentials)
  --region R        the bucket's region (default: from your AWS configuration)

Credentials for AWS come from the usual chain (environment, ~/.aws, SSO, roles).`;

function progressBar(name: string, loaded: number, total: number): string {
  const width = 30;
  const fraction = total > 0 ? Math.min(1, loaded / total) : 0;
  const filled = Math.round(fraction * width);
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return `\r${name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${mb(loaded)}/${mb(total)} MB`;
}

async function uploadFile(
  client: S3Client,
  bucket: string,
  key: string,
  file: string,
  io: { err: (t: string) => void },
) {
  const size = (await stat(file)).size;
  const { Upload } = load<typeof import('@aws-sdk/lib-storage')>('@aws-sdk/lib-storage');
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentType: 'text/csv' },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const showProgress = process.stderr.isTTY === true && size >= PROGRESS_FROM_BYTES;
  if (showProgress) {
    upload.on('httpUploadProgress', ({ loaded }) => {
      process.stderr.write(progressBar(basename(file), loaded ?? 0, size));
    });
  }
  await upload.done();
  if (showProgress) process.stderr.write('\n');
  io.err(`uploaded ${file} (${size.toLocaleString('en-US')} bytes) to s3://${bucket}/${key}`);
}

export const uploadCommand: Command = {
  name: 'upload',
  summary: 'upload x.csv and y.csv to a bucket (deployed stack or `sagedrop serve`)',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseOptions(
      'upload',
      argv,
      {
        bucket: { type: 'string' },
        dataset: { type: 'string' },
        settings: { type: 'string' },
        endpoint: { type: 'string' },
        region: { type: 'string' },
      },
      2,
    );
    const [x, y] = positionals;
    if (!x || !y) throw new UsageError('give the features and labels files: sagedrop upload X Y --bucket B');
    if (!values.bucket) throw new UsageError(`--bucket is required; ${FIND_BUCKET}`);
    const dataset = values.dataset ?? DEFAULT_DATASET;
    const problem = values.dataset === undefined ? undefined : datasetNameProblem(dataset);
    if (problem || values.dataset === DEFAULT_DATASET) {
      throw new UsageError(
        `--dataset ${dataset}: ${problem ?? 'reserved: leave --dataset out for files directly under raw/'}`,
      );
    }
    const files: [RawFile, string][] = [];
    if (values.settings) files.push(['settings', await requireFile(values.settings, '--settings')]);
    files.push(['x', await requireFile(x, 'X')], ['y', await requireFile(y, 'Y')]);
    const [{ S3Client }, { s3ClientConfig }] = [
      load<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3'),
      load<typeof import('../s3-client')>('./s3-client'),
    ];
    const client = new S3Client(s3ClientConfig(values.endpoint, values.region));
    try {
      for (const [file, path] of files) {
        await uploadFile(client, values.bucket, keys.raw(dataset, file), path, io);
      }
    } catch (error) {
      throw explainS3Error(error, values.bucket, values.endpoint);
    } finally {
      client.destroy();
    }
    io.out(
      `uploaded to s3://${values.bucket}/${keys.raw(dataset, 'x').replace(/x\.csv$/, '')}: the pipeline starts a run; follow it with \`sagedrop status --bucket ${values.bucket}${values.dataset ? ` --dataset ${dataset}` : ''}${values.endpoint ? ` --endpoint ${values.endpoint}` : ''}\``,
    );
    return 0;
  },
};
