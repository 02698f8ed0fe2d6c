import { createReadStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { keys } from '../../lib/layout';
import { startLocalStack } from '../../lib/local/runtime';
import type { ObjectStore } from '../../lib/ports';
import type { CommandIO } from '../command';
import { createProgressPrinter } from './local-progress';

export interface LocalRunInput {
  /** The S3 server's state directory. */
  dir: string;
  dataset: string;
  x: string;
  y: string;
  settings?: string;
  /** Copy every object of the bucket to this directory as plain files when done. */
  exportTo?: string;
}

export interface LocalRunResult {
  exitCode: number;
  catalogKey?: string;
}

async function exportBucket(store: ObjectStore, target: string): Promise<number> {
  await rm(target, { recursive: true, force: true });
  let count = 0;
  for await (const ref of store.list('')) {
    const path = join(target, ...ref.key.split('/'));
    await mkdir(dirname(path), { recursive: true });
    const chunks: Uint8Array[] = [];
    for await (const chunk of store.read(ref)) chunks.push(chunk);
    await writeFile(path, Buffer.concat(chunks));
    count += 1;
  }
  return count;
}

/**
 * Runs one pair of files through the local stack as a user's upload would:
 * settings (if any), x.csv, y.csv into `raw/<dataset>/`, then every function
 * the uploads trigger until the pipeline is quiet. Prints each step and the
 * outcome; exit code 0 when a model was trained and catalogued, 1 otherwise.
 */
export async function runPairLocally(io: CommandIO, input: LocalRunInput): Promise<LocalRunResult> {
  const printer = createProgressPrinter(io);
  const stack = await startLocalStack({ dir: input.dir, onStep: printer.onStep });
  printer.attach(stack);
  try {
    io.out(`local S3 server ${stack.endpoint}, bucket ${stack.bucket}`);
    const uploads: [string, string][] = [];
    if (input.settings) uploads.push([input.settings, keys.raw(input.dataset, 'settings')]);
    uploads.push([input.x, keys.raw(input.dataset, 'x')], [input.y, keys.raw(input.dataset, 'y')]);
    for (const [file, key] of uploads) {
      await new Upload({
        client: stack.client,
        params: { Bucket: stack.bucket, Key: key, Body: createReadStream(file) },
      }).done();
      io.out(`uploaded ${file} to s3://${stack.bucket}/${key}`);
    }
    await stack.waitForIdle();
    await printer.flush();
    const mine = stack.notifications.filter((n) => n.event.detail.dataset === input.dataset);
    const rejected = mine.find((n) => n.event.detailType === 'Dataset Rejected');
    const finished = mine.filter(
      (n) => n.event.detailType.startsWith('Training ') && n.event.detailType !== 'Training Started',
    );
    for (const failure of stack.failures) {
      const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
      io.err(`${failure.fn} function failed ${failure.attempts} times: ${message}`);
    }
    let result: LocalRunResult = { exitCode: 1 };
    if (rejected && rejected.event.detailType === 'Dataset Rejected') {
      const { message, hint } = rejected.event.detail;
      io.err(`dataset rejected: ${message.replace(/\.$/, '')}. ${hint}`);
    } else {
      const catalogKey = printer.catalogKeys.find((key) => key.startsWith(`catalog/${input.dataset}/`));
      if (catalogKey) {
        io.out(`catalog entry s3://${stack.bucket}/${catalogKey}:`);
        io.out(JSON.stringify(JSON.parse((await stack.store.getText(catalogKey)) ?? 'null'), null, 2));
      }
      const completed = finished.some((n) => n.event.detailType === 'Training Completed');
      if (!completed && finished.length === 0)
        io.err('the pipeline stopped without training a model (see above)');
      result = completed && catalogKey ? { exitCode: 0, catalogKey } : { exitCode: 1 };
    }
    if (input.exportTo) {
      const count = await exportBucket(stack.store, input.exportTo);
      io.out(
        `the bucket's ${count} objects are in ${input.exportTo}/ (raw/, train/, models/, catalog/, errors/, notifications/)`,
      );
    }
    return result;
  } finally {
    await stack.stop();
  }
}
