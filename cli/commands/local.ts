import { resolve } from 'node:path';
import { DEFAULT_DATASET, datasetNameProblem } from '../../lib/layout';
import { type Command, UsageError } from '../command';
import { load, parseOptions, requireFile } from '../options';

const usage = `usage: sagedrop local --x FILE --y FILE [--dataset NAME] [--settings FILE] [--dir DIR] [--verbose]

Runs your files through the whole pipeline on this machine, as a deployed
stack would: uploads them to a local S3 server as raw/<dataset>/x.csv and
y.csv, merges, trains locally (k-means and linear learner; other algorithms
run on SageMaker only) and catalogs the model. Prints the notification and
the catalog entry.

options:
  --x FILE          features, one row per example (a header row is detected and dropped)
  --y FILE          labels, one per row, the same number of rows
  --dataset NAME    the dataset (folder under raw/); default: ${DEFAULT_DATASET} (files directly under raw/)
  --settings FILE   the dataset's sagedrop.json (algorithm, hyperparameters, fractions)
  --dir DIR         where the local bucket lives (default: ./.sagedrop); the bucket's
                    objects are copied to DIR/bucket/ as plain files for inspection
  --verbose         also print the functions' JSON log lines (stderr)

Exits 0 when a model was trained, 1 when the data was rejected (the message
says what to fix) or training failed, 2 on a usage error.`;

export const localCommand: Command = {
  name: 'local',
  summary: 'train on your own x.csv and y.csv on this machine, as the deployed stack would',
  usage,
  async run(argv, io) {
    const { values } = parseOptions('local', argv, {
      x: { type: 'string' },
      y: { type: 'string' },
      dataset: { type: 'string' },
      settings: { type: 'string' },
      dir: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    if (!values.x || !values.y)
      throw new UsageError('--x and --y are required. Run `sagedrop local --help`.');
    const dataset = values.dataset ?? DEFAULT_DATASET;
    const problem = dataset === DEFAULT_DATASET ? undefined : datasetNameProblem(dataset);
    if (problem) throw new UsageError(`--dataset ${dataset}: ${problem}`);
    const dir = resolve(values.dir ?? '.sagedrop');
    const input = {
      dir: resolve(dir, 's3'),
      dataset,
      x: await requireFile(values.x, '--x'),
      y: await requireFile(values.y, '--y'),
      exportTo: resolve(dir, 'bucket'),
      verbose: values.verbose === true,
    };
    const settings = values.settings ? await requireFile(values.settings, '--settings') : undefined;
    const { runPairLocally } = load<typeof import('../local-run')>('./local-run');
    const result = await runPairLocally(io, settings ? { ...input, settings } : input);
    io.out(
      `local S3 state is kept in ${input.dir}: \`sagedrop serve --dir ${dir}\` serves it to any S3 client`,
    );
    return result.exitCode;
  },
};
