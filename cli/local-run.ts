import { createReadStream } from 'node:fs';
import { link, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Upload } from '@aws-sdk/lib-storage';
import { keys, rawKeyFor } from '../lib/layout';
import { type LocalStack, startLocalStack } from '../lib/local/runtime';
import { createLogger, silentLogger } from '../lib/logger';
import type { ObjectStore } from '../lib/ports';
import { type CommandIO, EXIT } from './command';
import { createProgressPrinter } from './local-progress';
import { formatRejection } from './local-summary';

export interface LocalRunInput {
  /** The S3 server's state directory. */
  dir: string;
  /** Where events that failed every attempt are kept for `sagedrop redrive --local`. */
  failureDir?: string;
  dataset: string;
  x: string;
  y: string;
  settings?: string;
  /** Copy every object of the bucket to this directory as plain files when done. */
  exportTo?: string;
  /** Write the functions' JSON log lines to stderr. */
  verbose?: boolean;
  /** Print each notification's body, not only its subject. Default true. */
  notificationBodies?: boolean;
}

export interface LocalRunResult {
  exitCode: number;
  /** The bucket the run used. */
  bucket: string;
  /** The catalog entry of the run's training job, when it finished (Completed or not). */
  catalogKey?: string;
  entry?: unknown;
}

/**
 * Shows every object of the bucket as a plain file under `target`, replacing
 * what was there. With `objectFile` (where the local server keeps an object's
 * bytes), each file is a hard link to the server's copy, so the folder holds
 * the bucket once; where linking fails, the object is copied.
 */
export async function exportBucket(
  store: ObjectStore,
  target: string,
  objectFile?: (key: string) => string,
): Promise<number> {
  await rm(target, { recursive: true, force: true });
  let count = 0;
  for await (const ref of store.list('')) {
    const segments = ref.key.split('/');
    // A key is a name, not a path: segments like ".." would land outside the folder.
    if (segments.some((s) => s === '' || s === '.' || s === '..')) continue;
    const path = join(target, ...segments);
    await mkdir(dirname(path), { recursive: true });
    const linked = objectFile
      ? await link(objectFile(ref.key), path).then(
          () => true,
          () => false,
        )
      : false;
    if (!linked) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of store.read(ref)) chunks.push(chunk);
      await writeFile(path, Buffer.concat(chunks));
    }
    count += 1;
  }
  return count;
}

/** The catalog entry of the run's job, or why there is none (on stderr). */
async function outcome(
  io: CommandIO,
  stack: LocalStack,
  dataset: string,
): Promise<Omit<LocalRunResult, 'bucket'>> {
  const mine = stack.notifications.filter((n) => n.event.detail.dataset === dataset);
  for (const { event } of mine) {
    if (event.detailType === 'Dataset Rejected') {
      io.err(formatRejection(event.detail.message, event.detail.hint));
      return { exitCode: EXIT.failed };
    }
    if (event.detailType === 'Training Failed To Start') {
      io.err(`training did not start: ${event.detail.reason} ${event.detail.hint}`);
      return { exitCode: EXIT.failed };
    }
  }
  const job = stack.trainer.jobNames().at(-1);
  if (!job) {
    io.err('no training job started: the merge did not finish (see the errors above)');
    return { exitCode: EXIT.internal };
  }
  const catalogKey = keys.catalogEntry(dataset, job);
  const text = await stack.store.getText(catalogKey);
  if (text === undefined) {
    io.err(
      `training job ${job} has no catalog entry: the complete function did not finish (see the errors above)`,
    );
    return { exitCode: EXIT.internal };
  }
  const entry: unknown = JSON.parse(text);
  const status = (await stack.trainer.describeTrainingJob(job)).TrainingJobStatus;
  return { exitCode: status === 'Completed' ? EXIT.ok : EXIT.failed, catalogKey, entry };
}

/**
 * Runs one pair of files through the local stack as a user's upload would:
 * settings (if any), x.csv, y.csv into `raw/<dataset>/`, then every function
 * the uploads trigger until the pipeline is quiet. Prints each step and the
 * outcome; exit code 0 when a model was trained and catalogued, 1 otherwise.
 */
export async function runPairLocally(io: CommandIO, input: LocalRunInput): Promise<LocalRunResult> {
  const printer = createProgressPrinter(io, { notificationBodies: input.notificationBodies ?? true });
  const stack = await startLocalStack({
    dir: input.dir,
    ...(input.failureDir
      ? {
          failureDir: input.failureDir,
          redriveCommand: `npx sagedrop redrive --local --dir ${dirname(input.failureDir)}`,
        }
      : {}),
    onStep: printer.onStep,
    logger: input.verbose ? createLogger({ level: 'debug', write: io.err }) : silentLogger,
  });
  printer.attach(stack);
  const earlier = new Set(stack.failures.map((f) => f.requestId));
  try {
    io.out(`local S3 server ${stack.endpoint}, bucket ${stack.bucket}`);
    const uploads: [string, string][] = [];
    if (input.settings) uploads.push([input.settings, keys.raw(input.dataset, 'settings')]);
    uploads.push(
      [input.x, rawKeyFor(input.dataset, 'x', input.x)],
      [input.y, rawKeyFor(input.dataset, 'y', input.y)],
    );
    for (const [file, key] of uploads) {
      await new Upload({
        client: stack.client,
        params: { Bucket: stack.bucket, Key: key, Body: createReadStream(file) },
      }).done();
      io.out(`uploaded ${file} to s3://${stack.bucket}/${key}`);
    }
    await stack.waitForIdle();
    await printer.flush();
    // Failures an earlier run left in the folder are not this run's.
    const failed = stack.failures.filter((f) => !earlier.has(f.requestId));
    for (const failure of failed) {
      const message = failure.error instanceof Error ? failure.error.message : String(failure.error);
      io.err(`${failure.fn} function failed ${failure.attempts} times: ${message}`);
    }
    let result = await outcome(io, stack, input.dataset);
    if (failed.length > 0 && input.failureDir) {
      io.err(
        `${failed.length} failed event(s) are kept in ${input.failureDir}: fix the cause, then replay them with \`npx sagedrop redrive --local --dir ${dirname(input.failureDir)}\``,
      );
      // The pipeline did not say no to the data: something it needed failed, and the events wait for a redrive.
      if (result.exitCode !== EXIT.ok) result = { ...result, exitCode: EXIT.unavailable };
    }
    if (input.exportTo) {
      const count = await exportBucket(stack.store, input.exportTo, (key) => stack.s3.objectFile(key));
      io.out(
        `the bucket's ${count} objects are in ${input.exportTo}/ (raw/, train/, models/, catalog/, errors/, notifications/), as read-only links to the local server's copy`,
      );
    }
    return { ...result, bucket: stack.bucket };
  } finally {
    await stack.stop();
  }
}
