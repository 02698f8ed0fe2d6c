import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/settings/errors';
import {
  JOB_NAME_PATTERN,
  MAX_JOB_PREFIX_LENGTH,
  stackNamePrefix,
  trainingJobName,
} from '../../../lib/training/job-name';
import { modelPackageGroupName } from '../../../lib/training/model-package';

/** Stack prefixes as `sagedrop-<stage>` makes them: lower-case words joined by single hyphens. */
const prefixes = fc
  .array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 1, maxLength: 6 })
  .map((words) => words.join('-'))
  .filter((p) => p.length <= MAX_JOB_PREFIX_LENGTH);

/** Dataset names as users make folders: Unicode, spaces, dots, punctuation, up to 100 characters. */
const datasets = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
  fc.stringMatching(/^[a-zA-Z0-9 ._-]{1,100}$/),
  fc.constantFrom(
    'iris',
    'Iris',
    'IRIS',
    'my data',
    'my-data',
    'my_data',
    'my.data',
    'my--data',
    'é',
    'e',
    'ë',
  ),
);
const runs = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,2}$/),
  fc.stringMatching(/^\d{8}[Tt]\d{6}[Zz]-[0-9a-fA-F]{10}$/),
  fc.constantFrom(
    '20260101T000002Z-ebf17e02ab',
    '20260101t000002z-ebf17e02ab',
    '20260101T000002Z-EBF17E02AB',
  ),
  fc.string({ minLength: 1, maxLength: 40 }),
);

describe('trainingJobName', () => {
  it('is always a valid SageMaker name starting with the stack prefix', () => {
    fc.assert(
      fc.property(prefixes, datasets, runs, (prefix, dataset, run) => {
        const name = trainingJobName(prefix, dataset, run);
        expect(name).toMatch(JOB_NAME_PATTERN);
        expect(name.length).toBeLessThanOrEqual(63);
        expect(name.startsWith(`${prefix}--`)).toBe(true);
        expect(trainingJobName(prefix, dataset, run)).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });

  it('never gives two different runs the same name, even ignoring case', () => {
    fc.assert(
      fc.property(prefixes, datasets, datasets, runs, runs, (prefix, d1, d2, r1, r2) => {
        fc.pre(d1 !== d2 || r1 !== r2);
        const a = trainingJobName(prefix, d1, r1).toLowerCase();
        const b = trainingJobName(prefix, d2, r2).toLowerCase();
        expect(a).not.toBe(b);
      }),
      { numRuns: 3000 },
    );
  });

  it('never gives the same name to runs or datasets that differ only in case or separators', () => {
    const variants = (text: string) => [
      text,
      text.toLowerCase(),
      text.toUpperCase(),
      text.replace(/-/g, ' '),
    ];
    fc.assert(
      fc.property(prefixes, datasets, runs, (prefix, dataset, run) => {
        const pairs = new Set<string>();
        const names = new Set<string>();
        for (const d of variants(dataset)) {
          for (const r of variants(run)) {
            pairs.add(JSON.stringify([d, r]));
            names.add(trainingJobName(prefix, d, r).toLowerCase());
          }
        }
        expect(names.size).toBe(pairs.size);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps names apart that only differ where sanitising or cutting would merge them', () => {
    const long = 'x'.repeat(100);
    const datasets = [
      'iris',
      'Iris',
      'my data',
      'my-data',
      'my--data',
      'my_data',
      'my.data',
      'é',
      'e',
      'a-b',
      'a',
      `${long}1`,
      `${long}2`,
      'données',
      'donnees',
      'data 🚀',
      'data 🛸',
    ];
    const names = new Set(datasets.map((d) => trainingJobName('sagedrop', d, 'r1').toLowerCase()));
    names.add(trainingJobName('sagedrop', 'a-b', 'c').toLowerCase());
    names.add(trainingJobName('sagedrop', 'a', 'b-c').toLowerCase());
    expect(names.size).toBe(datasets.length + 2);
  });

  it('reads as prefix, dataset and run when they are already simple', () => {
    expect(trainingJobName('sagedrop', 'iris', '20260101-3f2a')).toBe('sagedrop--iris--20260101-3f2a');
  });

  it("keeps the merge's run ids readable, lower-cased, and hashes look-alikes", () => {
    expect(trainingJobName('sagedrop-dev', 'iris', '20260101T000002Z-ebf17e02ab')).toBe(
      'sagedrop-dev--iris--20260101t000002z-ebf17e02ab',
    );
    expect(trainingJobName('sagedrop-dev', 'iris', '20260101t000002z-ebf17e02ab')).toMatch(
      /---[a-z0-9]{13}$/,
    );
  });

  it('keeps a readable part and adds a hash when it had to change or cut the name', () => {
    const name = trainingJobName('sagedrop', 'Données Clients 2024', 'r1');
    expect(name).toMatch(/^sagedrop--donnees-clients-2024-r1---[a-z0-9]{13}$/);
    const cut = trainingJobName('sagedrop', 'a'.repeat(100), 'r1');
    expect(cut).toHaveLength(63);
    expect(cut).toMatch(/^sagedrop--a+---[a-z0-9]{13}$/);
    expect(trainingJobName('sagedrop', '🚀', 'ü')).toMatch(/^sagedrop--u---[a-z0-9]{13}$/);
    expect(trainingJobName('sagedrop', '🚀', '…')).toMatch(/^sagedrop-----[a-z0-9]{13}$/);
  });

  it('accepts the longest allowed prefix and refuses longer or malformed ones', () => {
    const longest = 'p'.repeat(MAX_JOB_PREFIX_LENGTH);
    expect(trainingJobName(longest, 'a'.repeat(100), 'run')).toMatch(JOB_NAME_PATTERN);
    expect(() => trainingJobName(`${longest}p`, 'iris', 'run')).toThrow(ConfigError);
    expect(() => trainingJobName('sage_drop', 'iris', 'run')).toThrow(/JOB_PREFIX "sage_drop"/);
    expect(() => trainingJobName('', 'iris', 'run')).toThrow(ConfigError);
    expect(() => trainingJobName('sage--drop', 'iris', 'run')).toThrow(ConfigError);
    expect(() => trainingJobName('sagedrop-Dev', 'iris', 'run')).toThrow(/lower-case/);
  });
});

describe('names of different stages', () => {
  it("never start with another stage's prefix, whatever the stage, dataset and run names", () => {
    fc.assert(
      fc.property(prefixes, prefixes, datasets, runs, (mine, theirs, dataset, run) => {
        fc.pre(mine !== theirs);
        const own = stackNamePrefix(mine);
        expect(trainingJobName(theirs, dataset, run).toLowerCase().startsWith(own)).toBe(false);
        expect(modelPackageGroupName(theirs, dataset).toLowerCase().startsWith(own)).toBe(false);
        expect(trainingJobName(mine, dataset, run).startsWith(own)).toBe(true);
        expect(modelPackageGroupName(mine, dataset).startsWith(own)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('keep the stage dev apart from the stage dev-eu, and the dataset eu-iris of dev from iris of dev-eu', () => {
    const dev = stackNamePrefix('sagedrop-dev');
    expect(trainingJobName('sagedrop-dev-eu', 'iris', 'r1').startsWith(dev)).toBe(false);
    expect(modelPackageGroupName('sagedrop-dev', 'eu-iris')).toBe('sagedrop-dev--eu-iris');
    expect(modelPackageGroupName('sagedrop-dev-eu', 'iris')).toBe('sagedrop-dev-eu--iris');
    expect(trainingJobName('sagedrop-dev', 'eu-iris', 'r1')).not.toBe(
      trainingJobName('sagedrop-dev-eu', 'iris', 'r1'),
    );
  });
});
