import { describe, expect, it } from 'vitest';
import { datasetNameProblem, keys, parseManifestKey, parseRawKey } from '../../lib/layout';

describe('parseRawKey', () => {
  it('puts files directly under raw/ in the default dataset', () => {
    expect(parseRawKey('raw/x.csv')).toEqual({ dataset: 'default', file: 'x' });
    expect(parseRawKey('raw/y.csv')).toEqual({ dataset: 'default', file: 'y' });
    expect(parseRawKey('raw/sagedrop.json')).toEqual({ dataset: 'default', file: 'settings' });
  });

  it('takes the folder under raw/ as the dataset', () => {
    expect(parseRawKey('raw/iris/x.csv')).toEqual({ dataset: 'iris', file: 'x' });
    expect(parseRawKey('raw/my data ü/y.csv')).toEqual({ dataset: 'my data ü', file: 'y' });
  });

  it('ignores other files, other prefixes and deeper folders', () => {
    expect(parseRawKey('raw/iris/notes.txt')).toBeUndefined();
    expect(parseRawKey('raw/iris/X.csv')).toBeUndefined();
    expect(parseRawKey('raw/a/b/x.csv')).toBeUndefined();
    expect(parseRawKey('train/iris/x.csv')).toBeUndefined();
    expect(parseRawKey('raw/')).toBeUndefined();
  });

  it('flags folders that cannot be datasets instead of letting them escape or collide', () => {
    expect(parseRawKey('raw/../x.csv')?.problem).toMatch(/not a folder name/);
    expect(parseRawKey('raw/./x.csv')?.problem).toMatch(/not a folder name/);
    expect(parseRawKey('raw/default/x.csv')?.problem).toMatch(/reserved/);
    expect(parseRawKey('raw/_inputs/x.csv')?.problem).toMatch(/reserved/);
    expect(parseRawKey(`raw/${'a'.repeat(101)}/x.csv`)?.problem).toMatch(/longer than 100/);
    expect(parseRawKey(`raw/${'字'.repeat(86)}/x.csv`)?.problem).toMatch(/longer than 255 bytes/);
    expect(parseRawKey('raw/a\tb/x.csv')?.problem).toMatch(/control characters/);
  });
});

describe('datasetNameProblem', () => {
  it('accepts spaces, unicode and dots inside a name', () => {
    for (const name of ['iris', 'sales 2026', 'données', '数据', 'v1.2', 'a..b']) {
      expect(datasetNameProblem(name)).toBeUndefined();
    }
  });
});

describe('keys', () => {
  it('places every artefact of a run under its dataset and run', () => {
    expect(keys.raw('default', 'x')).toBe('raw/x.csv');
    expect(keys.raw('iris', 'settings')).toBe('raw/iris/sagedrop.json');
    expect(keys.channel('iris', 'r1', 'validation')).toBe('train/iris/r1/validation/validation.csv');
    expect(keys.manifest('iris', 'r1')).toBe('train/iris/r1/manifest.json');
    expect(keys.inputClaim('iris', 'y', 'tok')).toBe('train/iris/_inputs/y/tok.json');
    expect(keys.modelArtifact('iris', 'job')).toBe('models/iris/job/output/model.tar.gz');
    expect(keys.catalogEntry('iris', 'job')).toBe('catalog/iris/job.json');
    expect(keys.errorReport('iris', 'r1')).toBe('errors/iris/r1.json');
  });

  it('round-trips manifest keys and rejects look-alikes', () => {
    expect(parseManifestKey(keys.manifest('my data', '20260101T000000Z-ab'))).toEqual({
      dataset: 'my data',
      run: '20260101T000000Z-ab',
    });
    expect(parseManifestKey('train/iris/r1/train/manifest.json')).toBeUndefined();
    expect(parseManifestKey('train/iris/_inputs/manifest.json')).toBeUndefined();
    expect(parseManifestKey('raw/iris/r1/manifest.json')).toBeUndefined();
  });
});
