import { resolve } from 'node:path';
import { DEFAULT_DATASET } from '../../lib/layout';
import { lazy } from '../lazy';
import { datasetOption, defineCommand, existingFile, verboseOption } from '../options';

export const localCommand = defineCommand({
  name: 'local',
  summary: 'train on your own x.csv and y.csv on this machine, as the deployed stack would',
  description: `Runs your files through the whole pipeline on this machine, as a deployed
stack would: uploads them to a local S3 server as raw/<dataset>/x.csv and
y.csv, merges, trains locally (k-means and linear learner; other algorithms
run on SageMaker only) and catalogs the model. Prints the notification and
the catalog entry.`,
  options: {
    x: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'features, one row per example (a header row is detected and dropped)',
      parse: existingFile,
    },
    y: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'labels, one per row, the same number of rows',
      parse: existingFile,
    },
    dataset: datasetOption(
      `the dataset (folder under raw/); default: ${DEFAULT_DATASET} (files directly under raw/)`,
    ),
    settings: {
      type: 'string',
      value: 'FILE',
      help: "the dataset's sagedrop.json (algorithm, hyperparameters, fractions)",
      parse: existingFile,
    },
    dir: {
      type: 'string',
      value: 'DIR',
      help: "where the local bucket lives (default: ./.sagedrop); the bucket's\nobjects are copied to DIR/bucket/ as plain files for inspection",
    },
    verbose: verboseOption,
  },
  exits: {
    ok: 'a model was trained and catalogued',
    failed: 'the data was rejected (the message says what to fix) or training failed',
  },
  async run({ options }, io) {
    const dir = resolve(options.dir ?? '.sagedrop');
    const input = {
      dir: resolve(dir, 's3'),
      dataset: options.dataset ?? DEFAULT_DATASET,
      x: options.x,
      y: options.y,
      exportTo: resolve(dir, 'bucket'),
      verbose: options.verbose,
      ...(options.settings ? { settings: options.settings } : {}),
    };
    const result = await lazy.localRun().runPairLocally(io, input);
    io.out(
      `local S3 state is kept in ${input.dir}: \`sagedrop serve --dir ${dir}\` serves it to any S3 client`,
    );
    return result.exitCode;
  },
});
