import { resolve } from 'node:path';
import { DEFAULT_DATASET } from '../../lib/layout';
import { lazy } from '../lazy';
import { datasetOption, defineCommand, existingFile, outputFolder } from '../options';

export const mergeCommand = defineCommand({
  name: 'merge',
  summary: 'merge x.csv and y.csv into training channels on this machine',
  description: `Merges features (x) and labels (y) into SageMaker's CSV training channels on
this machine, with the same code the merge function runs in the bucket: label
first, no header, split into train/validation/test, and a manifest.json.`,
  options: {
    x: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'features, one row per example (a header row is dropped)',
      parse: existingFile,
    },
    y: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'labels, one column, the same number of rows',
      parse: existingFile,
    },
    out: {
      type: 'string',
      value: 'DIR',
      required: true,
      help: 'where to write; files land under DIR/train/<dataset>/<run>/',
      parse: outputFolder,
    },
    settings: {
      type: 'string',
      value: 'FILE',
      help: "a sagedrop.json with the dataset's settings (algorithm, fractions, ...)",
      parse: existingFile,
    },
    dataset: datasetOption(`the dataset name used in the output paths (default: ${DEFAULT_DATASET})`),
  },
  exits: {
    ok: 'merged',
    failed: 'the input was rejected (the reason is printed and written to DIR/errors/<dataset>/<run>.json)',
  },
  async run({ options }, io) {
    return lazy.localMerge().mergeLocally(io, {
      x: options.x,
      y: options.y,
      out: resolve(options.out),
      dataset: options.dataset ?? DEFAULT_DATASET,
      ...(options.settings ? { settings: options.settings } : {}),
    });
  },
});
