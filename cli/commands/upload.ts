import { DEFAULT_DATASET, keys, type RawFile, rawKeyFor } from '../../lib/layout';
import { lazy } from '../lazy';
import { bucketOption, datasetOption, defineCommand, endpointOptions, existingFile } from '../options';
import { explainS3Error } from '../s3-errors';

export const uploadCommand = defineCommand({
  name: 'upload',
  summary: 'upload x.csv and y.csv to a bucket (deployed stack or `sagedrop serve`)',
  description: `Uploads features X and labels Y to s3://B/raw/<dataset>/x.csv and y.csv
(raw/x.csv and raw/y.csv without --dataset), which starts a run. Large files
go up as multipart uploads, with a progress bar on a terminal.`,
  positionals: [
    { name: 'X', help: 'the features file', parse: existingFile },
    { name: 'Y', help: 'the labels file', parse: existingFile },
  ],
  options: {
    bucket: bucketOption,
    dataset: datasetOption(
      `the dataset folder under raw/ (default: none, the files go directly under raw/:\nthe dataset called ${DEFAULT_DATASET})`,
    ),
    settings: {
      type: 'string',
      value: 'FILE',
      help: "also upload FILE as the dataset's sagedrop.json (first)",
      parse: existingFile,
    },
    ...endpointOptions,
  },
  notes: 'Credentials for AWS come from the usual chain (environment, ~/.aws, SSO, roles).',
  exits: { ok: 'the files were uploaded' },
  async run({ options, args }, io) {
    const dataset = options.dataset ?? DEFAULT_DATASET;
    const files: [RawFile, string][] = [];
    if (options.settings) files.push(['settings', options.settings]);
    files.push(['x', args.X], ['y', args.Y]);
    const { S3Client } = lazy.clientS3();
    const client = new S3Client(lazy.s3Client().s3ClientConfig(options.endpoint, options.region));
    try {
      for (const [file, path] of files) {
        await lazy.uploadFile().uploadFile(client, options.bucket, rawKeyFor(dataset, file, path), path, io);
      }
    } catch (error) {
      throw explainS3Error(error, options.bucket, options.endpoint);
    } finally {
      client.destroy();
    }
    const follow = [
      `sagedrop status --bucket ${options.bucket}`,
      options.dataset ? ` --dataset ${dataset}` : '',
      options.endpoint ? ` --endpoint ${options.endpoint}` : '',
    ].join('');
    io.out(
      `uploaded to s3://${options.bucket}/${keys.raw(dataset, 'x').replace(/x\.csv$/, '')}: the pipeline starts a run; follow it with \`${follow}\``,
    );
    return 0;
  },
});
