import { resolve } from 'node:path';
import { DEFAULT_DATASET } from '../../lib/layout';
import { lazy } from '../lazy';
import { datasetOption, defineCommand, existingFile, outputFolder, verboseOption } from '../options';

export const localCommand = defineCommand({
  name: 'local',
  summary: 'train on your own x.csv and y.csv on this machine, as the deployed stack would',
  description: `Runs your files through the whole pipeline on this machine, as a deployed
stack would: uploads them to a local S3 server as raw/<dataset>/x.csv and
y.csv, merges, trains locally (k-means and linear learner; other algorithms
run on SageMaker only) and catalogs the model. Prints each step, then a
summary: the run, rows per channel, the task, the metrics, and where the model
and the catalog entry are (--json: the whole catalog entry instead).`,
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
      help: "where the local bucket lives (default: ./.sagedrop): the server's state in DIR/s3/,\nand DIR/bucket/ showing its objects as plain files for inspection\n(read-only hard links to the server's copy: the bucket is stored once)",
      parse: outputFolder,
    },
    json: {
      type: 'boolean',
      help: 'print the catalog entry as JSON on stdout (the steps go to stderr)',
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
      failureDir: resolve(dir, 'failures'),
      dataset: options.dataset ?? DEFAULT_DATASET,
      x: options.x,
      y: options.y,
      exportTo: resolve(dir, 'bucket'),
      verbose: options.verbose,
      ...(options.settings ? { settings: options.settings } : {}),
    };
    // With --json, stdout carries the entry alone, so it can be piped.
    const progress = options.json ? { out: io.err, err: io.err } : io;
    const result = await lazy.localRun().runPairLocally(progress, { ...input, notificationBodies: false });
    if (result.catalogKey) {
      const summary = lazy.localSummary().formatLocalSummary(result.entry, {
        bucket: result.bucket,
        catalogKey: result.catalogKey,
        exportDir: input.exportTo,
      });
      if (options.json) io.out(JSON.stringify(result.entry, null, 2));
      else io.out((summary ?? [JSON.stringify(result.entry, null, 2)]).join('\n'));
    }
    progress.out(
      `local S3 state is kept in ${input.dir}: \`sagedrop serve --dir ${dir}\` serves it to any S3 client`,
    );
    return result.exitCode;
  },
});
