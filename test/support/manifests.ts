import { type Channel, keys } from '../../lib/layout';
import { readDefaults } from '../../lib/settings/config';
import type { Settings } from '../../lib/settings/dataset';
import type { RunManifest } from '../../lib/training/manifest';
import { testConfig } from './config';

/** Label summaries as the merge writes them, one per kind of target. */
export const LABELS = {
  binary: { distinct: ['0', '1'], moreDistinct: false, numeric: true, integer: true, min: 0, max: 1 },
  multiclass: {
    distinct: ['0', '1', '2'],
    moreDistinct: false,
    numeric: true,
    integer: true,
    min: 0,
    max: 2,
  },
  regression: { distinct: [], moreDistinct: true, numeric: true, integer: false, min: -3.5, max: 912.25 },
} satisfies Record<string, RunManifest['labels']>;

const { allowCustomImages: _, ...stackDefaults } = readDefaults({});

/** A run's settings when its dataset has no sagedrop.json: the stack defaults of serverless.yml. */
export const baseSettings: Settings = { ...stackDefaults, hyperparameters: {}, splitSeed: 'sagedrop' };

export interface ManifestOptions {
  dataset?: string;
  run?: string;
  settings?: Partial<Settings>;
  labels?: RunManifest['labels'];
  channels?: Channel[];
  /** Files per channel. */
  files?: number;
  featureCount?: number;
}

/** A manifest as the merge writes it: k-means channels are features only, every other channel label first. */
export function makeManifest(options: ManifestOptions = {}): RunManifest {
  const dataset = options.dataset ?? 'iris';
  const run = options.run ?? '20260101t000000-3f2a9c';
  const settings: Settings = { ...baseSettings, ...options.settings };
  const channels: Partial<Record<Channel, RunManifest['channels']['train']>> = {};
  for (const name of options.channels ?? ['train', 'validation', 'test']) {
    const files = Array.from({ length: options.files ?? 1 }, (_, i) =>
      keys.channel(dataset, run, name, `part-${String(i).padStart(5, '0')}.csv`),
    );
    channels[name] = {
      prefix: keys.channelPrefix(dataset, run, name),
      files,
      rows: 50,
      bytes: 2000,
      labelFirst: settings.algorithm !== 'kmeans',
    };
  }
  const input = (file: 'x' | 'y') => ({
    key: keys.raw(dataset, file),
    versionId: `${file}-v1`,
    etag: `"${file}etag"`,
    size: 100,
    lastModified: '2026-01-01T00:00:00.000Z',
  });
  return {
    schemaVersion: '1.0',
    dataset,
    run,
    createdAt: '2026-01-01T00:00:00.000Z',
    bucket: testConfig.bucket,
    inputs: { x: input('x'), y: input('y') },
    rows: { total: 150, train: 105, validation: 30, test: 15 },
    featureCount: options.featureCount ?? 4,
    headerDropped: { x: true, y: true },
    labels: options.labels ?? LABELS.multiclass,
    settings,
    channels: channels as RunManifest['channels'],
    ...(settings.algorithm === 'kmeans' ? { testLabels: keys.testLabels(dataset, run) } : {}),
  };
}
