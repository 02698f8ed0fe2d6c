import { join } from 'node:path';
import { groupThousands } from '../lib/format';
import { keys, PREFIX } from '../lib/layout';
import { createFileStore } from '../lib/local/file-store';
import { silentLogger } from '../lib/logger';
import { type Config, readDefaults } from '../lib/settings/config';
import { mergeDataset } from '../lib/stages/merge';
import { writtenChannels } from '../lib/training/manifest';
import { type CommandIO, EXIT } from './command';
import { guessedLines } from './local-progress';
import { formatRejection, rejectionFromReport } from './local-summary';

export interface LocalMergeInput {
  /** Absolute paths of the user's files. */
  x: string;
  y: string;
  settings?: string;
  dataset: string;
  /** The folder that stands in for the bucket. */
  out: string;
}

/** The stack's default settings, as a deployment without parameters has them. */
function defaultConfig(): Config {
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

function rowsLabel(rows: number): string {
  return `${groupThousands(rows)} row${rows === 1 ? '' : 's'}`;
}

/**
 * Runs the merge stage on local files, with `out` standing in for the bucket,
 * and prints the run and the files written (or the rejection on stderr).
 */
export async function mergeLocally(io: CommandIO, input: LocalMergeInput): Promise<number> {
  const { dataset, out } = input;
  const given: Record<string, string> = {
    [keys.raw(dataset, 'x')]: input.x,
    [keys.raw(dataset, 'y')]: input.y,
  };
  if (input.settings) given[keys.raw(dataset, 'settings')] = input.settings;
  const store = createFileStore({
    root: out,
    mounts: given,
    // Claims and notification records only matter in a shared bucket.
    volatile: (key) =>
      key.startsWith(PREFIX.notifications) || key.startsWith(`${PREFIX.train}${dataset}/_inputs/`),
  });
  const outcome = await mergeDataset(
    {
      config: defaultConfig(),
      store,
      notifier: { notify: async () => {} },
      logger: silentLogger,
      fileLabel: (key) => given[key] ?? key,
    },
    dataset,
    { requestId: 'sagedrop-merge' },
  );
  if (outcome.outcome === 'rejected') {
    const report = await store.getText(outcome.reportKey).catch(() => undefined);
    io.err(rejectionFromReport(report) ?? formatRejection(outcome.message, undefined));
    io.err(`report: ${join(out, ...outcome.reportKey.split('/'))}`);
    return EXIT.failed;
  }
  if (outcome.outcome !== 'committed') throw new Error(`the merge did not run (${outcome.outcome})`);
  const { manifest } = outcome;
  const dropped = (['x', 'y'] as const).filter((f) => manifest.headerDropped[f]);
  io.out(
    `run ${manifest.run}: ${rowsLabel(manifest.rows.total)}, ${manifest.featureCount} feature${manifest.featureCount === 1 ? '' : 's'}` +
      (dropped.length > 0 ? `, header row dropped from ${dropped.join(' and ')}` : '') +
      (outcome.created ? '' : ' (already merged: nothing rewritten)'),
  );
  for (const guessed of guessedLines(manifest)) io.out(guessed);
  const width = 'test-labels'.length;
  const line = (name: string, rows: string, key: string) =>
    io.out(`  ${name.padEnd(width)}  ${rows.padStart(14)}  ${join(out, ...key.split('/'))}`);
  // A sharded channel lists each part; its row count is the channel's, shown once.
  for (const [name, channel] of writtenChannels(manifest)) {
    channel.files.forEach((file, part) => {
      line(part === 0 ? name : '', part === 0 ? rowsLabel(channel.rows) : '', file);
    });
  }
  if (manifest.testLabels) line('test-labels', '', manifest.testLabels);
  line('manifest', '', outcome.manifestKey);
  return EXIT.ok;
}
