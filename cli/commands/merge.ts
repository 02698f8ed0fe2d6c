import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_DATASET, datasetNameProblem, keys, PREFIX } from '../../lib/layout';
import { createFileStore } from '../../lib/local/file-store';
import { silentLogger } from '../../lib/logger';
import { writtenChannels } from '../../lib/manifest';
import { type Config, readDefaults } from '../../lib/settings/config';
import { mergeDataset } from '../../lib/stages/merge';
import { type Command, UsageError } from '../command';

const usage = `usage: sagedrop merge --x FILE --y FILE --out DIR [--settings FILE] [--dataset NAME]

Merges features (x) and labels (y) into SageMaker's CSV training channels on
this machine, with the same code the merge function runs in the bucket: label
first, no header, split into train/validation/test, and a manifest.json.

options:
  --x FILE          features, one row per example (a header row is dropped)
  --y FILE          labels, one column, the same number of rows
  --out DIR         where to write; files land under DIR/train/<dataset>/<run>/
  --settings FILE   a sagedrop.json with the dataset's settings (algorithm, fractions, ...)
  --dataset NAME    the dataset name used in the output paths (default: ${DEFAULT_DATASET})

Exits 0 when merged, 1 when the input is rejected (the reason is printed and
written to DIR/errors/<dataset>/<run>.json), 2 on a usage error.`;

/** The stack's default settings, as a deployment without parameters has them. */
function localConfig(): Config {
  return {
    region: 'local',
    bucket: 'local',
    jobPrefix: 'sagedrop-local',
    stackName: 'sagedrop-local',
    sagemakerRoleArn: '',
    topicArn: '',
    eventBusName: 'default',
    registerModels: false,
    defaults: readDefaults({}),
    logLevel: 'error',
  };
}

async function requireFile(path: string, option: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`${option} ${path}: no such file`);
  return absolute;
}

function rowsLabel(rows: number): string {
  return `${rows.toLocaleString('en-US')} row${rows === 1 ? '' : 's'}`;
}

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'merge x.csv and y.csv into training channels on this machine',
  usage,
  async run(argv, io) {
    let values: Record<string, string | boolean | undefined>;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          x: { type: 'string' },
          y: { type: 'string' },
          out: { type: 'string' },
          settings: { type: 'string' },
          dataset: { type: 'string' },
        },
        strict: true,
      }));
    } catch (error) {
      throw new UsageError(`${(error as Error).message}. Run \`sagedrop merge --help\`.`);
    }
    const missing = ['x', 'y', 'out'].filter((name) => typeof values[name] !== 'string');
    if (missing.length > 0) {
      throw new UsageError(
        `missing ${missing.map((m) => `--${m}`).join(', ')}. Run \`sagedrop merge --help\`.`,
      );
    }
    const dataset = typeof values.dataset === 'string' ? values.dataset : DEFAULT_DATASET;
    const problem = dataset === DEFAULT_DATASET ? undefined : datasetNameProblem(dataset);
    if (problem || dataset.includes('/'))
      throw new UsageError(`--dataset ${dataset}: ${problem ?? 'contains "/"'}`);
    const out = resolve(String(values.out));
    const given: Record<string, string> = {
      [keys.raw(dataset, 'x')]: String(values.x),
      [keys.raw(dataset, 'y')]: String(values.y),
    };
    if (typeof values.settings === 'string') given[keys.raw(dataset, 'settings')] = values.settings;
    const mounts: Record<string, string> = {};
    for (const [key, path] of Object.entries(given)) {
      mounts[key] = await requireFile(
        path,
        key.endsWith('.json') ? '--settings' : `--${key.endsWith('x.csv') ? 'x' : 'y'}`,
      );
    }
    const store = createFileStore({
      root: out,
      mounts,
      // Claims and notification records only matter in a shared bucket.
      volatile: (key) =>
        key.startsWith(PREFIX.notifications) || key.startsWith(`${PREFIX.train}${dataset}/_inputs/`),
    });
    const outcome = await mergeDataset(
      { config: localConfig(), store, notifier: { notify: async () => {} }, logger: silentLogger },
      dataset,
      { owner: 'sagedrop-merge', fileLabel: (key) => given[key] ?? key },
    );
    if (outcome.status === 'rejected') {
      io.err(outcome.message);
      io.err(`report: ${join(out, ...outcome.reportKey.split('/'))}`);
      return 1;
    }
    if (outcome.status !== 'committed') throw new Error(`the merge did not run (${outcome.status})`);
    const { manifest } = outcome;
    const dropped = (['x', 'y'] as const).filter((f) => manifest.headerDropped[f]);
    io.out(
      `run ${manifest.run}: ${rowsLabel(manifest.rows.total)}, ${manifest.featureCount} feature${manifest.featureCount === 1 ? '' : 's'}` +
        (dropped.length > 0 ? `, header row dropped from ${dropped.map((f) => `${f}`).join(' and ')}` : '') +
        (outcome.created ? '' : ' (already merged: nothing rewritten)'),
    );
    const width = 'test-labels'.length;
    for (const [name, channel] of writtenChannels(manifest)) {
      for (const file of channel.files) {
        io.out(
          `  ${name.padEnd(width)}  ${rowsLabel(channel.rows).padStart(14)}  ${join(out, ...file.split('/'))}`,
        );
      }
    }
    if (manifest.testLabels) {
      io.out(
        `  ${'test-labels'.padEnd(width)}  ${''.padStart(14)}  ${join(out, ...manifest.testLabels.split('/'))}`,
      );
    }
    io.out(
      `  ${'manifest'.padEnd(width)}  ${''.padStart(14)}  ${join(out, ...outcome.manifestKey.split('/'))}`,
    );
    return 0;
  },
};
