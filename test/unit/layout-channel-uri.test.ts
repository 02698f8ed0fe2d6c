import { describe, expect, it } from 'vitest';
import { keys, parseChannelUri, parseS3Uri, s3Uri } from '../../lib/layout';

describe('parseChannelUri', () => {
  it('reads back the channel URIs the train stage builds, whatever the dataset name', () => {
    for (const dataset of ['iris', 'default', 'my data (2026)', 'Fleur é']) {
      const uri = s3Uri('bucket', keys.channelPrefix(dataset, 'r1', 'validation'));
      expect(parseChannelUri(uri)).toEqual({ bucket: 'bucket', dataset, run: 'r1', channel: 'validation' });
    }
  });

  it('accepts a channel URI without the trailing slash or with a file name', () => {
    expect(parseChannelUri('s3://b/train/iris/r1/train')).toMatchObject({ dataset: 'iris', run: 'r1' });
    expect(parseChannelUri('s3://b/train/iris/r1/train/train.csv')).toMatchObject({ channel: 'train' });
  });

  it.each([
    ['S3Uri'],
    ['s3://b/raw/iris/x.csv'],
    ['s3://b/train/iris/r1/other/'],
    ['s3://b/train/iris/_inputs/x/'],
    ['s3://b/train/iris/'],
  ])('gives undefined for %s', (uri) => {
    expect(parseChannelUri(uri)).toBeUndefined();
  });
});

describe('parseS3Uri', () => {
  it('splits bucket and key', () => {
    expect(parseS3Uri('s3://b/models/iris/j/output/model.tar.gz')).toEqual({
      bucket: 'b',
      key: 'models/iris/j/output/model.tar.gz',
    });
    expect(parseS3Uri('https://b.s3.amazonaws.com/k')).toBeUndefined();
  });
});
