import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DatasetRejectedError } from '../../../lib/csv/errors';
import { type InputPlan, type InspectOptions, inspectInputs, mergeInputs } from '../../../lib/csv/inspect';
import { mergeStreams } from '../../../lib/csv/merge';
import type { MergeOptions, OutputFile } from '../../../lib/csv/types';
import { bytes, chunks, type Input, OPTIONS } from './harness';

const INSPECT: InspectOptions = {
  xFile: 'x.csv',
  yFile: 'y.csv',
  settingsFile: 'sagedrop.json',
  numeric: 'numeric',
};

/** Inspects and merges like the merge stage, every input in `size`-byte chunks. */
async function inspectAndMerge(
  x: Input,
  y: Input,
  options: Partial<InspectOptions> = {},
  size = 7,
): Promise<{ plan: InputPlan; train: string; rows: number }> {
  const opts = { ...INSPECT, ...options };
  const open = (input: Input) => () => chunks(bytes(input), size);
  const plan = await inspectInputs(open(x), open(y), opts);
  const inputs = mergeInputs(open(x)(), open(y)(), plan, opts);
  const parts: Buffer[] = [];
  const mergeOptions: MergeOptions = {
    ...OPTIONS,
    numeric: opts.numeric,
    droppedColumns: { x: plan.x.indexColumn ? 1 : 0, y: plan.y.indexColumn ? 1 : 0 },
  };
  const summary = await mergeStreams(
    inputs.x,
    inputs.y,
    (_file: OutputFile) =>
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          parts.push(Buffer.from(chunk));
          callback();
        },
      }),
    mergeOptions,
  );
  return { plan, train: Buffer.concat(parts).toString(), rows: summary.rows };
}

async function rejection(promise: Promise<unknown>): Promise<DatasetRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatasetRejectedError);
  return error as DatasetRejectedError;
}

/** Yields every chunk in the same buffer, overwritten each time, when asked to borrow; else fresh chunks. */
function reusing(data: Buffer, size: number) {
  return (options?: { borrowChunks?: boolean }) =>
    (async function* () {
      const borrow = options?.borrowChunks === true;
      const shared = Buffer.alloc(size);
      for (let at = 0; at < data.length; at += size) {
        const length = data.copy(shared, 0, at, at + size);
        yield borrow ? shared.subarray(0, length) : Buffer.from(shared.subarray(0, length));
        shared.fill(0x3f);
      }
    })();
}

describe('inspectInputs and mergeInputs', () => {
  it('reads the first 64 KiB of each file to tell its format, and a compressed one from its start again', async () => {
    const rows = Array.from({ length: 40_000 }, (_, k) => `${k},${(k * 7919) % 10007}.${k % 97}`);
    const x = Buffer.from(`a,b\n${rows.join('\n')}\n`);
    const y = Buffer.from(`label\n${rows.map((_, k) => String(k % 3)).join('\n')}\n`);
    for (const compressed of [false, true]) {
      const asked: { file: string; firstBytes?: number }[] = [];
      const open = (file: string, data: Buffer) => (options?: { firstBytes?: number }) => {
        asked.push({
          file,
          ...(options?.firstBytes === undefined ? {} : { firstBytes: options.firstBytes }),
        });
        const whole = compressed ? gzipSync(data) : data;
        // A store honouring firstBytes: exactly the prefix asked for.
        return chunks(
          options?.firstBytes === undefined ? whole : whole.subarray(0, options.firstBytes),
          4096,
        );
      };
      const plan = await inspectInputs(open('x', x), open('y', y), INSPECT);
      expect(plan.featureCount).toBe(2);
      expect(plan.labelRows).toBe(40_000);
      expect(plan.x.compression).toBe(compressed ? 'gzip' : 'none');
      expect(asked).toEqual(
        compressed
          ? [
              { file: 'x', firstBytes: 65536 },
              { file: 'x' },
              { file: 'y', firstBytes: 65536 },
              { file: 'y' },
              { file: 'y' },
            ]
          : [{ file: 'x', firstBytes: 65536 }, { file: 'y', firstBytes: 65536 }, { file: 'y' }],
      );
    }
  });

  it('reads the labels of a y whose reader reuses one buffer, as a file reader lending its buffers does', async () => {
    const labels = Array.from({ length: 3000 }, (_, k) => ['setosa', 'versicolor', 'virginica'][k % 3]);
    const x = Buffer.from(`length\n${labels.map((_, k) => `${k}.5`).join('\n')}\n`);
    const y = Buffer.from(`species\n${labels.join('\n')}\n`);
    const plan = await inspectInputs(reusing(x, 64), reusing(y, 13), INSPECT);
    expect(plan.labelRows).toBe(3000);
    expect(plan.labels.classes).toEqual(['setosa', 'versicolor', 'virginica']);
  });

  it('drops the index column pandas writes in both files, checks they agree and says so', async () => {
    const x = ',a,b\n0,1.5,2\n1,3.5,4\n2,5.5,6\n';
    const y = ',target\n0,1\n1,0\n2,1\n';
    const { plan, train } = await inspectAndMerge(x, y);
    expect(train).toBe('1,1.5,2\n0,3.5,4\n1,5.5,6\n');
    expect(plan.x.indexColumn).toBe(true);
    expect(plan.y.indexColumn).toBe(true);
    expect(plan.inferences.filter((i) => i.about === 'index').map((i) => i.said)).toEqual([
      expect.stringMatching(/^x\.csv: column 1 dropped: .*empty header cell.*"indexColumn": "keep"/),
      expect.stringMatching(/^y\.csv: column 1 dropped/),
    ]);
  });

  it('rejects index columns that differ, naming the first row that differs', async () => {
    const x = ',a\n0,1.5\n1,2.5\n2,3.5\n';
    const y = ',target\n0,1\n2,0\n1,1\n';
    const error = await rejection(inspectAndMerge(x, y));
    expect(error.message).toBe(
      'x.csv row 3 has index 1 but y.csv row 3 has index 2: the files were shuffled, sorted or filtered differently, so row by row they do not belong together',
    );
  });

  it("names the column of the user's file when a value after a dropped index column is wrong", async () => {
    const error = await rejection(inspectAndMerge(',a,b\n0,1,2\n1,3,oops\n', ',t\n0,1\n1,0\n'));
    expect(error.message).toBe('x.csv row 3, column 3: "oops" is not a number');
  });

  it('keeps the index column when "indexColumn": "keep" is set', async () => {
    const { train } = await inspectAndMerge(',a\n0,1.5\n1,2.5\n', 'target\n1\n0\n', { indexColumn: 'keep' });
    expect(train).toBe('1,0,1.5\n0,1,2.5\n');
  });

  it('reads semicolon files with decimal commas and writes comma-separated rows', async () => {
    const x = 'a;b;name\r\n1,5;2;x\r\n-0,25;1e3;"y;z"\r\n';
    const y = 'target\r\n2,5\r\n3\r\n';
    const { plan, train } = await inspectAndMerge(x, y, { numeric: 'any' });
    expect(plan.x.delimiter).toBe(';');
    expect(plan.y.delimiter).toBe(';');
    expect(plan.labels.task).toBe('regression');
    expect(train).toBe('2.5,1.5,2,x\n3,-0.25,1e3,y;z\n');
    expect(plan.inferences.map((i) => i.about)).toEqual([
      'delimiter',
      'decimal',
      'decimal',
      'header',
      'task',
    ]);
  });

  it('reads tab-separated files, quoting values that hold a comma', async () => {
    const { plan, train } = await inspectAndMerge('a\tb\n1\tp,q\n3\t4\n', 'y\n0\n1\n', { numeric: 'any' });
    expect(plan.x.delimiter).toBe('\t');
    expect(train).toBe('0,1,"p,q"\n1,3,4\n');
  });

  it('rejects a file whose delimiter cannot be told, naming the delimiters tried', async () => {
    const error = await rejection(inspectAndMerge('a,b;c\n1;2,3,4\n5,6;7;8;9\n', 'y\n0\n1\n'));
    expect(error.message).toMatch(/^x\.csv: cannot tell its delimiter: tried comma, semicolon, tab/);
  });

  it('encodes text labels as 0..N-1 in sorted order and keeps the mapping', async () => {
    const { plan, train } = await inspectAndMerge(
      'a\n1\n2\n3\n4\n',
      'species\nvirginica\nsetosa\nversicolor\nsetosa\n',
    );
    expect(plan.labels).toMatchObject({
      task: 'classification',
      classes: ['setosa', 'versicolor', 'virginica'],
    });
    expect(train).toBe('2,1\n0,2\n1,3\n0,4\n');
  });

  it('encodes labels 1..3 as 0..2 and leaves labels 0..2 as written', async () => {
    const shifted = await inspectAndMerge('a\n1\n2\n3\n', '3\n1\n2\n');
    expect(shifted.plan.labels.classes).toEqual(['1', '2', '3']);
    expect(shifted.train).toBe('2,1\n0,2\n1,3\n');
    const plain = await inspectAndMerge('a\n1\n2\n3\n', '2\n0\n1\n');
    expect(plain.plan.labels.encoding).toBeUndefined();
    expect(plain.train).toBe('2,1\n0,2\n1,3\n');
  });

  it('encodes True/False as 1/0 and takes a first text row as a header only when x has one', async () => {
    const { plan, train } = await inspectAndMerge('1\n2\n3\n', 'True\nFalse\nTrue\n');
    expect(plan.y.header).toBe(false);
    expect(plan.labels.classes).toEqual(['False', 'True']);
    expect(train).toBe('1,1\n0,2\n1,3\n');
  });

  it('reads whole numbers with many values, or any fractions, as a regression target', async () => {
    const labels = Array.from({ length: 30 }, (_, i) => String(i)).join('\n');
    const features = Array.from({ length: 30 }, (_, i) => String(i * 2)).join('\n');
    const { plan } = await inspectAndMerge(features, labels);
    expect(plan.labels.task).toBe('regression');
    expect(plan.labels.reason).toMatch(/more than 20 distinct values; set "task": "classification"/);
  });

  it('reads gzip inputs as they stream', async () => {
    const { plan, train } = await inspectAndMerge(gzipSync('a,b\n1,2\n3,4\n'), gzipSync('y\n0\n1\n'));
    expect(plan.x.compression).toBe('gzip');
    expect(train).toBe('0,1,2\n1,3,4\n');
  });

  it('names a ZIP archive (an xlsx) for what it is', async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5]);
    const error = await rejection(inspectAndMerge(zip, 'y\n0\n'));
    expect(error.message).toBe('x.csv is a ZIP archive (an Excel .xlsx workbook is one), not a CSV file');
  });
});
