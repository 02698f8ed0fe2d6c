import { DEFAULT_DATASET, datasetNameProblem } from '../../lib/layout';
import { type Command, UsageError } from '../command';
import { load, parseOptions } from '../options';
import { explainS3Error, FIND_BUCKET } from '../s3-errors';

const usage = `usage: sagedrop status --bucket B [--dataset NAME] [--endpoint URL] [--region R] [--json]

Shows, per dataset in the bucket: what the pipeline waits for (a missing
x.csv or y.csv, or a new upload of a file an earlier run already used), its
runs with their training jobs and states, the latest model, and the most
recent rejections with what to do about them.

options:
  --bucket B        the stack's bucket (${FIND_BUCKET.replace('find the bucket of a deployed stack with: ', '')});
                    sagedrop-local for \`sagedrop serve\`
  --dataset NAME    only this dataset (${DEFAULT_DATASET}: the files directly under raw/)
  --endpoint URL    an S3-compatible endpoint, e.g. the one \`sagedrop serve\` prints
  --region R        the bucket's region (default: from your AWS configuration)
  --json            print the status as JSON`;

export const statusCommand: Command = {
  name: 'status',
  summary: 'show what each dataset waits for, its runs, jobs, latest model and rejections',
  usage,
  async run(argv, io) {
    const { values } = parseOptions('status', argv, {
      bucket: { type: 'string' },
      dataset: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (!values.bucket) throw new UsageError(`--bucket is required; ${FIND_BUCKET}`);
    if (values.dataset && values.dataset !== DEFAULT_DATASET) {
      const problem = datasetNameProblem(values.dataset);
      if (problem) throw new UsageError(`--dataset ${values.dataset}: ${problem}`);
    }
    const [
      { S3Client },
      { createS3Store },
      { datasetStatus, formatDatasetStatus, listDatasets },
      { s3ClientConfig },
    ] = [
      load<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3'),
      load<typeof import('../../lib/aws/s3-store')>('../lib/aws/s3-store'),
      load<typeof import('../../lib/stages/status')>('../lib/stages/status'),
      load<typeof import('../s3-client')>('./s3-client'),
    ];
    const client = new S3Client(s3ClientConfig(values.endpoint, values.region));
    try {
      const store = createS3Store(client, values.bucket);
      const datasets = values.dataset ? [values.dataset] : await listDatasets(store);
      const statuses = [];
      for (const dataset of datasets) statuses.push(await datasetStatus(store, dataset));
      if (values.json) {
        io.out(JSON.stringify(statuses, null, 2));
      } else if (statuses.length === 0) {
        io.out(
          `bucket ${values.bucket} has no datasets yet: upload x.csv and y.csv under raw/ (sagedrop upload)`,
        );
      } else {
        io.out(statuses.map((s) => formatDatasetStatus(s).join('\n')).join('\n\n'));
      }
      return 0;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw explainS3Error(error, values.bucket, values.endpoint);
    } finally {
      client.destroy();
    }
  },
};
