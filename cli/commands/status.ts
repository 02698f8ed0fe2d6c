import { resolve } from 'node:path';
import { DEFAULT_DATASET } from '../../lib/layout';
import { UsageError } from '../command';
import { lazy } from '../lazy';
import { bucketOption, datasetOption, defineCommand, endpointOptions } from '../options';
import { explainS3Error, FIND_BUCKET } from '../s3-errors';

function isLoopback(endpoint: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * The failed events that wait: in a deployed stage's queues (with its bucket),
 * or, for the endpoint of `sagedrop serve`, in its folder. None otherwise.
 */
async function failureCounts(options: {
  stage?: string | undefined;
  region?: string | undefined;
  endpoint?: string | undefined;
  dir?: string | undefined;
}) {
  const redrive = lazy.redrive();
  if (options.stage) {
    if (options.endpoint) throw new UsageError('--stage reads a deployed stage: leave out --endpoint');
    const { cloudFormationClient, readDeployedStack } = lazy.deployedStack();
    const client = cloudFormationClient(options.region);
    try {
      const stack = await readDeployedStack(client, options.stage, options.region);
      const region = options.region ? ` --region ${options.region}` : '';
      return {
        bucket: stack.bucket,
        counts: await redrive.deployedFailureCounts(stack, options.region),
        replay: `sagedrop redrive --stage ${options.stage}${region}`,
        where: undefined,
      };
    } finally {
      client.destroy();
    }
  }
  if (options.endpoint && isLoopback(options.endpoint)) {
    const dir = resolve(options.dir ?? '.sagedrop');
    return {
      bucket: undefined,
      counts: { waiting: await redrive.localFailureCount(resolve(dir, 'failures')) },
      replay: `sagedrop redrive --local --dir ${dir}`,
      where: resolve(dir, 'failures'),
    };
  }
  if (options.dir) throw new UsageError('--dir goes with the --endpoint of `sagedrop serve`');
  return undefined;
}

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show what each dataset waits for, its runs, jobs, latest model and rejections',
  description: `Shows, per dataset in the bucket: what the pipeline waits for (a missing
x.csv or y.csv, or a new upload of a file an earlier run already used), its
runs with their training jobs and states, the latest model, and the most
recent rejections with what to do about them.`,
  options: {
    bucket: { ...bucketOption, required: false, whenMissing: undefined },
    stage: {
      type: 'string',
      value: 'S',
      help: 'a deployed stage: its bucket, and how many failed events wait in its failure queue',
    },
    dataset: datasetOption(
      `only this dataset (without it: every dataset in the bucket);\n${DEFAULT_DATASET} is the dataset whose files are directly under raw/`,
    ),
    ...endpointOptions,
    dir: {
      type: 'string',
      value: 'DIR',
      help: 'with the endpoint of `sagedrop serve`: its folder (default: ./.sagedrop),\nto count the failed events it kept',
    },
    json: { type: 'boolean', help: 'print the status as JSON' },
  },
  exits: { ok: 'the status was printed' },
  async run({ options }, io) {
    const { S3Client } = lazy.clientS3();
    const { datasetStatus, formatDatasetStatus, listDatasets } = lazy.statusStage();
    const failures = await failureCounts(options);
    const bucket = options.bucket ?? failures?.bucket;
    if (!bucket) {
      throw new UsageError(
        `give --bucket B, or --stage S for a deployed stage; ${FIND_BUCKET}. Run \`sagedrop status --help\`.`,
      );
    }
    const client = new S3Client(lazy.s3Client().s3ClientConfig(options.endpoint, options.region));
    try {
      const store = lazy.s3Store().createS3Store(client, bucket);
      const datasets = options.dataset ? [options.dataset] : await listDatasets(store);
      const statuses = [];
      for (const dataset of datasets) statuses.push(await datasetStatus(store, dataset));
      if (options.json) {
        io.out(
          JSON.stringify(
            failures ? { datasets: statuses, failedEvents: failures.counts } : statuses,
            null,
            2,
          ),
        );
        return 0;
      }
      if (statuses.length === 0) {
        io.out(`bucket ${bucket} has no datasets yet: upload x.csv and y.csv under raw/ (sagedrop upload)`);
      } else {
        io.out(statuses.map((s) => formatDatasetStatus(s).join('\n')).join('\n\n'));
      }
      if (failures) {
        io.out(`\n${lazy.redrive().describeFailureCounts(failures.counts, failures.replay, failures.where)}`);
      }
      return 0;
    } catch (error) {
      throw explainS3Error(error, bucket, options.endpoint);
    } finally {
      client.destroy();
    }
  },
});
