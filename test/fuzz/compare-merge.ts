import { isDeepStrictEqual } from 'node:util';
import { DatasetRejectedError } from '../../lib/csv/errors';
import type { MergeOptions } from '../../lib/csv/types';
import { referenceMerge } from '../support/reference-merge';
import { runMerge } from '../unit/csv/harness';

/** How the engine handled an input: like the reference, or a clean rejection where the reference rejects too. */
export type Verdict = 'matched' | 'rejectedCleanly';

/** The engine disagreed with the reference, threw something else, or hung. */
export class UnexpectedMergeError extends Error {
  override readonly name = 'UnexpectedMergeError';
}

const HANG_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnexpectedMergeError(`the merge did not finish within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const zero = (value: number | undefined) => (value === undefined ? undefined : value + 0);

/**
 * Runs the engine (with the given chunkings) and the reference on the same
 * input. Accepted by both: outputs and summary must be equal. Rejected by
 * both: the file and row must be the same. Anything else is unexpected.
 */
export async function compareWithReference(
  x: Uint8Array,
  y: Uint8Array,
  options: MergeOptions,
  split: { x: number[]; y: number[] },
): Promise<Verdict> {
  let expected: ReturnType<typeof referenceMerge> | DatasetRejectedError;
  try {
    expected = referenceMerge(x, y, options);
  } catch (error) {
    if (!(error instanceof DatasetRejectedError)) throw error;
    expected = error;
  }
  let actual: Awaited<ReturnType<typeof runMerge>> | DatasetRejectedError;
  try {
    actual = await withTimeout(runMerge(x, y, options, split), HANG_MS);
  } catch (error) {
    if (!(error instanceof DatasetRejectedError)) {
      throw new UnexpectedMergeError(`the engine threw ${String(error)}`, { cause: error });
    }
    actual = error;
  }
  const describe = () =>
    `x=${JSON.stringify(Buffer.from(x).toString('latin1'))} y=${JSON.stringify(Buffer.from(y).toString('latin1'))} options=${JSON.stringify(options)} split=${JSON.stringify(split)}`;
  if (expected instanceof DatasetRejectedError || actual instanceof DatasetRejectedError) {
    if (!(expected instanceof DatasetRejectedError)) {
      throw new UnexpectedMergeError(
        `the engine rejected what the reference accepts (${actual instanceof Error ? actual.message : ''}): ${describe()}`,
      );
    }
    if (!(actual instanceof DatasetRejectedError)) {
      throw new UnexpectedMergeError(
        `the engine accepted what the reference rejects (${expected.message}): ${describe()}`,
      );
    }
    if (actual.location.file !== expected.location.file || actual.location.row !== expected.location.row) {
      throw new UnexpectedMergeError(
        `rejected at ${JSON.stringify(actual.location)} (${actual.message}) but the reference says ${JSON.stringify(expected.location)} (${expected.message}): ${describe()}`,
      );
    }
    return 'rejectedCleanly';
  }
  const got = {
    outputs: actual.outputs,
    rows: actual.summary.rows,
    featureCount: actual.summary.featureCount,
    headerDropped: actual.summary.headerDropped,
    labels: {
      ...actual.summary.labels,
      min: zero(actual.summary.labels.min),
      max: zero(actual.summary.labels.max),
    },
  };
  const want = {
    outputs: expected.outputs,
    rows: expected.rows,
    featureCount: expected.featureCount,
    headerDropped: expected.headerDropped,
    labels: { ...expected.labels, min: zero(expected.labels.min), max: zero(expected.labels.max) },
  };
  if (!isDeepStrictEqual(got, want)) {
    throw new UnexpectedMergeError(
      `output differs: got ${JSON.stringify(got)} want ${JSON.stringify(want)}: ${describe()}`,
    );
  }
  return 'matched';
}
