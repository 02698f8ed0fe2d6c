import type { Writable } from 'node:stream';
import type { MergeSummary, OpenOutput, OutputFile } from '../../lib/csv/types';
import { DatasetRejectedError } from '../../lib/errors';
import type { MergeEngine } from '../../lib/stages/merge';

async function text(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

function write(sink: Writable, line: string): Promise<void> {
  return sink.write(line) ? Promise.resolve() : new Promise((resolve) => sink.once('drain', resolve));
}

/** A naive stand-in for the CSV engine: whole-file, LF only, no quoting, no header detection. */
export const testEngine: MergeEngine = async (x, y, open: OpenOutput, options) => {
  const xs = (await text(x)).split('\n').filter((l) => l !== '');
  const ys = (await text(y)).split('\n').filter((l) => l !== '');
  if (xs.length !== ys.length) {
    throw new DatasetRejectedError(
      `${options.yFile} has ${ys.length} rows but ${options.xFile} has ${xs.length}`,
      { file: options.yFile },
      'Give both files one row per example.',
    );
  }
  const summary: MergeSummary = {
    rows: xs.length,
    rowsPerFile: {},
    bytesPerFile: {},
    featureCount: xs[0]?.split(',').length ?? 0,
    headerDropped: { x: false, y: false },
    labels: { distinct: [...new Set(ys)].sort(), moreDistinct: false, numeric: true, integer: true },
  };
  const sinks = new Map<OutputFile, Writable>();
  const emit = async (file: OutputFile, line: string) => {
    let sink = sinks.get(file);
    if (!sink) {
      sink = open(file);
      sinks.set(file, sink);
    }
    summary.rowsPerFile[file] = (summary.rowsPerFile[file] ?? 0) + 1;
    summary.bytesPerFile[file] = (summary.bytesPerFile[file] ?? 0) + Buffer.byteLength(line);
    await write(sink, line);
  };
  for (let i = 0; i < xs.length; i++) {
    const row = xs[i] ?? '';
    const label = ys[i] ?? '';
    if (options.numeric !== 'any' && row.split(',').some((v) => Number.isNaN(Number(v)))) {
      throw new DatasetRejectedError(
        `${options.xFile} row ${i + 1} is not numeric`,
        { file: options.xFile, row: i + 1 },
        'Use numbers.',
      );
    }
    const r = (i * 7919) % 100;
    if (r < options.testFraction * 100) {
      await emit('test', `${row}\n`);
      await emit('test-labels', `${label}\n`);
    } else if (r < (options.testFraction + options.validationFraction) * 100) {
      await emit('validation', options.labelInTraining ? `${label},${row}\n` : `${row}\n`);
    } else {
      await emit('train', options.labelInTraining ? `${label},${row}\n` : `${row}\n`);
    }
  }
  for (const sink of sinks.values()) sink.end();
  return summary;
};
