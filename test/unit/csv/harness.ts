import { Writable } from 'node:stream';
import { DatasetRejectedError } from '../../../lib/csv/errors';
import { mergeStreams } from '../../../lib/csv/merge';
import type { MergeOptions, MergeSummary, OutputFile } from '../../../lib/csv/types';

export const OPTIONS: MergeOptions = {
  xFile: 'x.csv',
  yFile: 'y.csv',
  validationFraction: 0,
  testFraction: 0,
  splitSeed: 'seed',
  numeric: 'numeric',
  labelInTraining: true,
};

export type Input = string | Uint8Array;

export function bytes(input: Input): Uint8Array {
  return typeof input === 'string' ? new TextEncoder().encode(input) : input;
}

/** Yields `data` in pieces: one size repeated, or the sizes in turn (cycled). */
export async function* chunks(
  data: Uint8Array,
  sizes: number | number[] = 1 << 16,
): AsyncGenerator<Uint8Array> {
  const list = typeof sizes === 'number' ? [sizes] : sizes;
  let at = 0;
  let k = 0;
  while (at < data.length) {
    const size = Math.max(1, list[k % list.length] as number);
    yield data.slice(at, at + size);
    at += size;
    k += 1;
  }
}

export interface MergeRun {
  outputs: Partial<Record<OutputFile, string>>;
  summary: MergeSummary;
  /** Outputs in the order they were opened. */
  opened: OutputFile[];
  /** Outputs whose Writable was ended. */
  ended: OutputFile[];
}

/** Runs the engine on whole or chunked inputs and collects every output as text. */
export async function runMerge(
  x: Input,
  y: Input,
  options: Partial<MergeOptions> = {},
  split: { x?: number | number[]; y?: number | number[] } = {},
): Promise<MergeRun> {
  const parts: Partial<Record<OutputFile, Buffer[]>> = {};
  const opened: OutputFile[] = [];
  const ended: OutputFile[] = [];
  const summary = await mergeStreams(
    chunks(bytes(x), split.x),
    chunks(bytes(y), split.y),
    (file) => {
      opened.push(file);
      const list: Buffer[] = [];
      parts[file] = list;
      return new Writable({
        write(chunk: Buffer, _encoding, callback) {
          list.push(Buffer.from(chunk));
          callback();
        },
        final(callback) {
          ended.push(file);
          callback();
        },
      });
    },
    { ...OPTIONS, ...options },
  );
  await new Promise((resolve) => setImmediate(resolve));
  const outputs: Partial<Record<OutputFile, string>> = {};
  for (const [file, list] of Object.entries(parts))
    outputs[file as OutputFile] = Buffer.concat(list).toString();
  return { outputs, summary, opened, ended };
}

/** The rejection the engine throws for these inputs (fails the test when it accepts them). */
export async function rejection(
  x: Input,
  y: Input,
  options: Partial<MergeOptions> = {},
  split: { x?: number | number[]; y?: number | number[] } = {},
): Promise<DatasetRejectedError> {
  try {
    await runMerge(x, y, options, split);
  } catch (error) {
    if (error instanceof DatasetRejectedError) return error;
    throw error;
  }
  throw new Error('expected the merge to reject its input');
}
