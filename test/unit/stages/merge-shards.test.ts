import { PassThrough, type Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  firstRowEnd,
  lastRowEnd,
  partFileName,
  planShards,
  ShardedSink,
  type ShardPlan,
} from '../../../lib/stages/merge-shards';

const bytes = (text: string) => new TextEncoder().encode(text);

const inputs = {
  bytes: { x: 900_000, y: 100_000 },
  compressed: false,
  labelInTraining: true,
  validationFraction: 0.1,
  testFraction: 0.1,
  shardBytes: 300_000,
};

/** Writes `chunks` through a ShardedSink and answers each part's text. */
async function shard(plan: ShardPlan, chunks: string[]): Promise<string[]> {
  const parts: string[][] = [];
  const sink = new ShardedSink(
    plan,
    (index): Writable => {
      const part = new PassThrough();
      parts[index] = [];
      part.on('data', (chunk: Buffer) => parts[index]?.push(chunk.toString()));
      return part;
    },
    1024,
  );
  for (const chunk of chunks) sink.write(bytes(chunk));
  await new Promise<void>((resolve, reject) =>
    sink.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return parts.map((p) => p.join(''));
}

describe('planShards', () => {
  it('plans parts of equal target size from the input sizes and the channel fractions', () => {
    const plans = planShards(inputs);
    // train holds about 80% of 1 MB: three parts of about 267 kB, none over 300 kB.
    expect(plans.train).toEqual({ parts: 3, targetBytes: 266_667, capBytes: 300_000 });
    expect(plans.validation).toBeUndefined();
    expect(plans.test).toBeUndefined();
  });

  it('counts only x for k-means, whose channels hold no label', () => {
    expect(planShards({ ...inputs, labelInTraining: false }).train?.parts).toBe(3);
    expect(
      planShards({ ...inputs, bytes: { x: 300_000, y: 900_000 }, labelInTraining: false }).train,
    ).toBeUndefined();
  });

  it('writes every channel of a gzip upload as parts of at most the shard size', () => {
    const plans = planShards({ ...inputs, compressed: true });
    expect(plans.train).toEqual({ parts: 1, targetBytes: 300_000, capBytes: 300_000 });
    expect(plans.test).toEqual({ parts: 1, targetBytes: 300_000, capBytes: 300_000 });
    expect(planShards({ ...inputs, compressed: true, testFraction: 0 }).test).toBeUndefined();
  });

  it('names parts part-00000.csv upwards', () => {
    expect([0, 1, 12345].map(partFileName)).toEqual(['part-00000.csv', 'part-00001.csv', 'part-12345.csv']);
  });
});

describe('row boundaries', () => {
  it('finds the last row end at or before a limit, not counting a newline inside quotes', () => {
    const chunk = bytes('1,"a\nb"\n2,c\n3,d\n');
    expect(lastRowEnd(chunk, 5)).toBe(0);
    expect(lastRowEnd(chunk, 8)).toBe(8);
    expect(lastRowEnd(chunk, 13)).toBe(12);
    expect(lastRowEnd(chunk, 100)).toBe(16);
    expect(lastRowEnd(chunk, 0)).toBe(0);
    expect(lastRowEnd(bytes('1,2\n3,4\n'), 7)).toBe(4);
    expect(firstRowEnd(chunk)).toBe(8);
    expect(firstRowEnd(bytes('1,2'))).toBe(3);
  });
});

describe('ShardedSink', () => {
  it('cuts chunks at row ends so each part holds its target, the last planned part up to the cap', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')},x\n`);
    // 20 rows of 5 bytes in chunks of 7 rows: targets of 30 bytes (6 rows), the third part up to 40.
    const chunks = [rows.slice(0, 7), rows.slice(7, 14), rows.slice(14)].map((r) => r.join(''));
    const parts = await shard({ parts: 3, targetBytes: 30, capBytes: 40 }, chunks);
    expect(parts.map((p) => p.length)).toEqual([30, 30, 40]);
    expect(parts.join('')).toBe(rows.join(''));
  });

  it('rolls over past the plan at the cap and puts a row larger than a part in a part of its own', async () => {
    const big = `${'9'.repeat(50)}\n`;
    const parts = await shard({ parts: 1, targetBytes: 20, capBytes: 20 }, [
      '1,1\n2,2\n',
      big,
      '3,3\n4,4\n5,5\n6,6\n7,7\n',
    ]);
    expect(parts).toEqual(['1,1\n2,2\n', big, '3,3\n4,4\n5,5\n6,6\n7,7\n']);
  });
});
