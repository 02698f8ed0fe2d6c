import { DEFAULT_DATASET } from '../../lib/layout';
import { lazy } from '../lazy';
import { bucketOption, datasetOption, defineCommand, endpointOptions } from '../options';
import { explainS3Error } from '../s3-errors';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show what each dataset waits for, its runs, jobs, latest model and rejections',
  description: `Shows, per dataset in the bucket: what the pipeline waits for (a missing
x.csv or y.csv, or a new upload of a file an earlier run already used), its
runs with their training jobs and states, the latest model, and the most
recent rejections with what to do about them.`,
  options: {
    bucket: bucketOption,
    dataset: datasetOption(
      `only this dataset (without it: every dataset in the bucket);\n${DEFAULT_DATASET} is the dataset whose files are directly under raw/`,
    ),
    ...endpointOptions,
    json: { type: 'boolean', help: 'print the status as JSON' },
  },
  exits: { ok: 'the status was printed' },
  async run({ options }, io) {
    const { S3Client } = lazy.clientS3();
    const { datasetStatus, formatDatasetStatus, listDatasets } = lazy.statusStage();
    const client = new S3Client(lazy.s3Client().s3ClientConfig(options.endpoint, options.region));
    try {
      const store = lazy.s3Store().createS3Store(client, options.bucket);
      const datasets = options.dataset ? [options.dataset] : await listDatasets(store);
      const statuses = [];
      for (const dataset of datasets) statuses.push(await datasetStatus(store, dataset));
      if (options.json) {
        io.out(JSON.stringify(statuses, null, 2));
      } else if (statuses.length === 0) {
        io.out(
          `bucket ${options.bucket} has no datasets yet: upload x.csv and y.csv under raw/ (sagedrop upload)`,
        );
      } else {
        io.out(statuses.map((s) => formatDatasetStatus(s).join('\n')).join('\n\n'));
      }
      return 0;
    } catch (error) {
      throw explainS3Error(error, options.bucket, options.endpoint);
    } finally {
      client.destroy();
    }
  },
});
