import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { datasetNameProblem, keys } from '../../../lib/layout';
import { useLocalS3 } from '../../support/s3-server';

const s3 = useLocalS3();

describe('the local S3 server, as local mode uses it', () => {
  it('lists more than 1000 keys under one prefix, as S3 pages them', async () => {
    const { client, server, store } = s3();
    const puts = Array.from({ length: 1001 }, (_, i) =>
      client.send(
        new PutObjectCommand({ Bucket: server.bucket, Key: `many/${String(i).padStart(4, '0')}`, Body: '1' }),
      ),
    );
    for (let i = 0; i < puts.length; i += 100) await Promise.all(puts.slice(i, i + 100));
    const listed: string[] = [];
    for await (const ref of store.list('many/')) listed.push(ref.key);
    expect(listed).toHaveLength(1001);
  });

  it('stores uploads into any folder the layout accepts as a dataset, long Unicode names included', async () => {
    const { client, server, store } = s3();
    const dataset = '字'.repeat(85);
    expect(datasetNameProblem(dataset)).toBeUndefined();
    expect(datasetNameProblem(`${dataset}字`)).toMatch(/longer than 255 bytes/);
    await client.send(
      new PutObjectCommand({ Bucket: server.bucket, Key: keys.raw(dataset, 'x'), Body: '1\n' }),
    );
    expect(await store.getText(keys.raw(dataset, 'x'))).toBe('1\n');
  });
});
