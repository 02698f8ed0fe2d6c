import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeS3Key, parseS3Notification } from '../../../lib/events/s3';
import { awsFixture } from '../../support/aws-fixtures';
import { s3Notification, s3TestEvent } from '../../support/events';

const sample = JSON.parse(readFileSync(awsFixture('events', 's3-objectcreated-put.sample.json'), 'utf8'));

const withKey = (key: string, eventName = 'ObjectCreated:Put', eventVersion?: string) =>
  s3Notification('mybucket', [key], eventVersion ? { eventName, eventVersion } : { eventName });

describe('parseS3Notification', () => {
  it('reads the documented sample record', () => {
    expect(parseS3Notification(sample)).toEqual([
      {
        bucket: 'mybucket',
        key: 'HappyFace.jpg',
        size: 1024,
        etag: 'd41d8cd98f00b204e9800998ecf8427e',
        versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
        sequencer: '0055AED6DCD90281E5',
        eventName: 'ObjectCreated:Put',
      },
    ]);
  });

  it('decodes URL-encoded keys, with + for space', () => {
    const [record] = parseS3Notification(withKey('raw/my+data+%C3%BC/x.csv'));
    expect(record?.key).toBe('raw/my data ü/x.csv');
    expect(decodeS3Key('a%2Bb+c')).toBe('a+b c');
  });

  it('gives nothing for the s3:TestEvent message and non-creation records', () => {
    expect(parseS3Notification(s3TestEvent())).toEqual([]);
    expect(parseS3Notification(withKey('raw/x.csv', 'ObjectRemoved:Delete'))).toEqual([]);
  });

  it('accepts multipart completions and any 2.x event version', () => {
    const event = withKey('raw/x.csv', 'ObjectCreated:CompleteMultipartUpload', '2.3');
    expect(parseS3Notification(event)).toHaveLength(1);
  });

  it('throws on a payload that is not an S3 notification', () => {
    expect(() => parseS3Notification({ detail: {} })).toThrow();
    const old = withKey('raw/x.csv', 'ObjectCreated:Put', '1.0');
    expect(() => parseS3Notification(old)).toThrow(/2\.x/);
  });
});
