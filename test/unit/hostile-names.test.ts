import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  datasetNameProblem,
  keys,
  PREFIX,
  parseChannelUri,
  parseManifestKey,
  parseRawKey,
  s3Uri,
} from '../../lib/layout';
import { silentLogger } from '../../lib/logger';
import { resolveSettings, type SettingsDefaults } from '../../lib/settings/dataset';
import { SettingsError } from '../../lib/settings/errors';
import { handleRawUpload } from '../../lib/stages/merge';
import { runIdFor } from '../../lib/stages/pairing';
import { JOB_NAME_PATTERN, trainingJobName } from '../../lib/training/job-name';
import { buildTrainingRequest } from '../../lib/training/request';
import { testConfig } from '../support/config';
import { makeManifest } from '../support/manifests';
import { MemoryStore } from '../support/memory-store';
import { RecordingNotifier } from '../support/notifier';

const PREFIX_OF_STACK = 'sagedrop-prod';

/** Folder names users really produce, and names built to break things. */
const HOSTILE_DATASETS = [
  'my data',
  ' leading and trailing ',
  'données clients',
  'donne\u0301es clients', // the same text, decomposed (NFD)
  'データ',
  '🚀 rockets',
  'a..b',
  '..hidden',
  'trailing..',
  '...',
  'Case',
  'case',
  'CASE',
  'ds_1',
  'ds-1',
  'ds 1',
  'ds.1',
  'ds--1',
  '-',
  '---',
  '%2F',
  'plus+sign',
  'q?a#b&c=d',
  'quote\'"`',
  '<script>',
  'x'.repeat(100),
  'é'.repeat(100),
  '字'.repeat(85),
  '🚀'.repeat(63),
  `${'a'.repeat(99)}b`,
  `${'a'.repeat(99)}c`,
];

const RUNS = ['20260101T120000Z-3f2a9c01de', '20260101T120000Z-3f2a9c01df', 'Run-X', 'run_x', '..', 'é'];

/** Datasets a user may create: valid folder names under raw/. */
const datasetName = fc
  .string({
    unit: fc.constantFrom('a', 'Z', '0', ' ', '-', '_', '.', 'é', 'e\u0301', '字', '🚀', '+', '%'),
    minLength: 1,
    maxLength: 100,
  })
  .filter((name) => datasetNameProblem(name) === undefined && name !== 'default' && !name.includes('/'));

describe('hostile dataset folder names', () => {
  it('are valid datasets whenever the layout says so', () => {
    for (const name of HOSTILE_DATASETS) expect(datasetNameProblem(name), name).toBeUndefined();
  });

  it('always give valid SageMaker job names that start with the stack prefix', () => {
    for (const dataset of HOSTILE_DATASETS) {
      for (const run of RUNS) {
        const name = trainingJobName(PREFIX_OF_STACK, dataset, run);
        expect(name, `${dataset} / ${run}`).toMatch(JOB_NAME_PATTERN);
        expect(name.startsWith(`${PREFIX_OF_STACK}-`)).toBe(true);
      }
    }
  });

  it('never share a job name between two datasets, even ignoring case as SageMaker does', () => {
    const seen = new Map<string, string>();
    for (const dataset of HOSTILE_DATASETS) {
      for (const run of RUNS) {
        const name = trainingJobName(PREFIX_OF_STACK, dataset, run).toLowerCase();
        const owner = `${dataset} / ${run}`;
        expect(seen.get(name) ?? owner, `${name} is shared`).toBe(owner);
        seen.set(name, owner);
      }
    }
  });

  it('give valid, distinct job names for any folder a user can create (property)', () => {
    fc.assert(
      fc.property(datasetName, datasetName, fc.string({ minLength: 1, maxLength: 40 }), (a, b, run) => {
        const first = trainingJobName(PREFIX_OF_STACK, a, run);
        expect(first).toMatch(JOB_NAME_PATTERN);
        if (a !== b)
          expect(first.toLowerCase()).not.toBe(trainingJobName(PREFIX_OF_STACK, b, run).toLowerCase());
      }),
      { numRuns: 2000 },
    );
  });

  it('keep every key inside its own folder of the layout, with no "." or ".." segment', () => {
    fc.assert(
      fc.property(datasetName, (dataset) => {
        const run = '20260101T120000Z-3f2a9c01de';
        const job = trainingJobName(PREFIX_OF_STACK, dataset, run);
        const built = [
          keys.runPrefix(dataset, run),
          ...CHANNELS.map((channel) => keys.channel(dataset, run, channel)),
          keys.manifest(dataset, run),
          keys.inputClaim(dataset, 'x', 'v-1'),
          keys.modelArtifact(dataset, job),
          keys.checkpoints(dataset, job),
          keys.catalogEntry(dataset, job),
          keys.catalogLatest(dataset),
          keys.errorReport(dataset, run),
          keys.notification(dataset, 'started-x'),
        ];
        for (const key of built) {
          const segments = key.split('/');
          expect(segments).not.toContain('..');
          expect(segments).not.toContain('.');
          expect(segments[1]).toBe(dataset);
          expect(Object.values(PREFIX)).toContain(`${segments[0]}/`);
        }
        expect(parseRawKey(keys.raw(dataset, 'x'))).toEqual({ dataset, file: 'x' });
        expect(parseManifestKey(keys.manifest(dataset, run))).toEqual({ dataset, run });
        const uri = s3Uri(testConfig.bucket, keys.channelPrefix(dataset, run, 'validation'));
        expect(parseChannelUri(uri)).toEqual({
          bucket: testConfig.bucket,
          dataset,
          run,
          channel: 'validation',
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('that differ only in case or Unicode normalisation stay two datasets with two jobs', () => {
    const run = '20260101T120000Z-3f2a9c01de';
    for (const [a, b] of [
      ['Case', 'case'],
      ['données', 'donne\u0301es'],
      ['ds_1', 'ds-1'],
    ] as const) {
      expect(keys.manifest(a, run)).not.toBe(keys.manifest(b, run));
      expect(trainingJobName(PREFIX_OF_STACK, a, run).toLowerCase()).not.toBe(
        trainingJobName(PREFIX_OF_STACK, b, run).toLowerCase(),
      );
    }
  });
});

describe('uploads into folders that cannot be datasets', () => {
  const keyAtLimit = `raw/${'f'.repeat(1024 - 'raw/'.length - '/x.csv'.length)}/x.csv`;
  const deepAtLimit = `raw/a/${'b/'.repeat(505)}x.csv`.slice(0, 1024);

  it.each([
    ['raw/../x.csv'],
    ['raw/./x.csv'],
    ['raw/_inputs/x.csv'],
    ['raw/default/y.csv'],
    [`raw/${'x'.repeat(101)}/x.csv`],
    ['raw/tab\there/x.csv'],
    ['raw/back\\slash/x.csv'],
    [keyAtLimit],
  ])('%s is rejected with a report and nothing under train/', async (key) => {
    expect(Buffer.byteLength(keyAtLimit)).toBe(1024);
    const store = new MemoryStore();
    const notifier = new RecordingNotifier();
    const deps = { config: testConfig, store, notifier, logger: silentLogger };
    const ref = await store.upload(key, '1,2\n');
    const outcome = await handleRawUpload(deps, { key, etag: ref.etag }, { requestId: 'request-1' });
    expect(outcome.outcome).toBe('rejected');
    const written = store.keys().filter((k) => k !== key);
    expect(
      written.every((k) => k.startsWith('errors/_invalid/') || k.startsWith('notifications/_invalid/')),
    ).toBe(true);
    expect(written.filter((k) => k.startsWith('errors/'))).toHaveLength(1);
    expect(notifier.sent.map((e) => e.detailType)).toEqual(['Dataset Rejected']);
  });

  it('ignores a 1024-byte key nested deeper than a dataset folder, saying so once in its folder', async () => {
    expect(deepAtLimit.length).toBeLessThanOrEqual(1024);
    expect(parseRawKey(deepAtLimit)).toBeUndefined();
    const store = new MemoryStore();
    await store.upload(deepAtLimit, '1\n');
    const notifier = new RecordingNotifier();
    const deps = { config: testConfig, store, notifier, logger: silentLogger };
    const outcome = await handleRawUpload(deps, { key: deepAtLimit }, { requestId: 'request-1' });
    expect(outcome.outcome).toBe('ignored');
    const folder = deepAtLimit.split('/')[1] ?? '';
    expect(notifier.sent.map((e) => [e.detailType, e.detail.dataset])).toEqual([['Upload Ignored', folder]]);
    // Nothing but the record of that notification, in the layout's place and under S3's key limit.
    const written = store.keys().filter((k) => k !== deepAtLimit);
    expect(written).toEqual([
      expect.stringMatching(new RegExp(`^notifications/${folder}/ignored-[0-9a-f]+\\.json$`)),
    ]);
  });

  it('gives run ids that are valid in keys and job names for hostile datasets', async () => {
    const store = new MemoryStore();
    for (const dataset of HOSTILE_DATASETS.slice(0, 8)) {
      const x = await store.upload(keys.raw(dataset, 'x'), '1\n');
      const y = await store.upload(keys.raw(dataset, 'y'), '1\n');
      const run = runIdFor(x, y, undefined);
      expect(run).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{10}$/);
      expect(trainingJobName(PREFIX_OF_STACK, dataset, run)).toMatch(JOB_NAME_PATTERN);
    }
  });
});

const defaults = (allowCustomImages: boolean): SettingsDefaults => ({
  ...testConfig.defaults,
  allowCustomImages,
});
const FILE = 'raw/hostile/sagedrop.json';

describe('hostile settings files', () => {
  it.each([
    ['role', '{"role": "arn:aws:iam::999999999999:role/attacker"}'],
    ['roleArn', '{"roleArn": "arn:aws:iam::999999999999:role/attacker"}'],
    ['bucket', '{"bucket": "someone-elses-bucket"}'],
    ['outputPath', '{"outputPath": "s3://someone-elses-bucket/"}'],
    ['output', '{"output": "s3://someone-elses-bucket/"}'],
    ['outputLocation', '{"outputLocation": "s3://someone-elses-bucket/"}'],
    ['OutputDataConfig', '{"OutputDataConfig": {"S3OutputPath": "s3://evil/"}}'],
    ['RoleArn', '{"RoleArn": "arn:aws:iam::999999999999:role/attacker"}'],
    ['__proto__', '{"__proto__": {"role": "x"}}'],
    ['constructor', '{"constructor": {"prototype": {"role": "x"}}}'],
  ])('cannot set %s', (key, text) => {
    expect(() => resolveSettings(defaults(true), text, FILE)).toThrow(SettingsError);
    expect(() => resolveSettings(defaults(true), text, FILE)).toThrow(key);
  });

  it('cannot choose an image when the stack does not allow custom images', () => {
    const text = '{"trainingImage": "999999999999.dkr.ecr.us-east-1.amazonaws.com/miner:latest"}';
    expect(() => resolveSettings(defaults(false), text, FILE)).toThrow(/trainingImage.*not allowed/);
    expect(resolveSettings(defaults(true), text, FILE).algorithm).toBe('custom');
  });

  it('never change the role, the bucket or the output location of the job, whatever they hold (property)', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.constantFrom('s3://evil/', 'arn:aws:iam::999999999999:role/attacker', '../../'),
    );
    const settingsFile = fc.dictionary(
      fc.constantFrom(
        'algorithm',
        'hyperparameters',
        'instanceType',
        'instanceCount',
        'spot',
        'trainingImage',
        'role',
        'bucket',
        'outputPath',
        'validationFraction',
        'testFraction',
        'splitSeed',
      ),
      fc.oneof(value, fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), value)),
    );
    fc.assert(
      fc.property(settingsFile, fc.boolean(), (file, allowCustomImages) => {
        let settings: ReturnType<typeof resolveSettings>;
        try {
          settings = resolveSettings(defaults(allowCustomImages), JSON.stringify(file), FILE);
        } catch (error) {
          expect(error).toBeInstanceOf(SettingsError);
          return;
        }
        if (!allowCustomImages) expect(settings.trainingImage).toBeUndefined();
        if (settings.algorithm === 'kmeans') settings.hyperparameters.k ??= '2';
        const manifest = makeManifest({ dataset: 'hostile', settings });
        let request: ReturnType<typeof buildTrainingRequest>['request'];
        try {
          request = buildTrainingRequest(manifest, testConfig).request;
        } catch (error) {
          expect((error as Error).name).toBe('TrainingConfigError');
          return;
        }
        expect(request.RoleArn).toBe(testConfig.sagemakerRoleArn);
        expect(request.OutputDataConfig?.S3OutputPath).toBe(
          s3Uri(testConfig.bucket, keys.modelsPrefix('hostile')),
        );
        for (const channel of request.InputDataConfig ?? []) {
          expect(parseChannelUri(channel.DataSource?.S3DataSource?.S3Uri ?? '')?.bucket).toBe(
            testConfig.bucket,
          );
        }
        if (!allowCustomImages) {
          expect(request.AlgorithmSpecification?.TrainingImage).toMatch(
            /\.amazonaws\.com\/(kmeans|linear-learner|sagemaker-xgboost):/,
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});
