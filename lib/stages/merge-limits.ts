import { DatasetRejectedError } from '../csv/errors';

/** Lambda gives a function one vCPU's worth of CPU at 1,769 MB, in proportion below that. */
export const LAMBDA_MB_PER_VCPU = 1769;
/**
 * What the merge's reads of x deliver: S3 serves about 85 MB/s per
 * connection, and the S3 store reads a large object over 8 connections
 * (parallel ranged GETs, lib/aws/s3-store.ts).
 */
export const S3_READ_BYTES_PER_SECOND = 8 * 85e6;
/**
 * Input bytes the merge takes per CPU-second from S3 to S3 (engine, HTTP and
 * checksums; one thread), from `npm run bench -- merge-s3` on the development
 * machine, rounded down.
 */
export const MERGE_BYTES_PER_CPU_SECOND = 60e6;
/** Lambda stops a function at 900 s; a minute is kept for the start, the manifest and a slow tail. */
export const MERGE_BUDGET_SECONDS = 840;

/** Bytes of x and y per second one merge invocation sustains at `memoryMb` (the lower of CPU and network). */
export function mergeBytesPerSecond(memoryMb: number): number {
  const vcpu = Math.min(1, memoryMb / LAMBDA_MB_PER_VCPU);
  return Math.min(S3_READ_BYTES_PER_SECOND, MERGE_BYTES_PER_CPU_SECOND * vcpu);
}

/** The largest x plus y one merge invocation handles within Lambda's 15 minutes at `memoryMb`. */
export function maxMergeInputBytes(memoryMb: number): number {
  return Math.floor(mergeBytesPerSecond(memoryMb) * MERGE_BUDGET_SECONDS);
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * Rejects, before any byte is read, a pair too large to merge within Lambda's
 * 15 minutes at `memoryMb`: otherwise it would time out three times (the
 * first try and two retries) and leave nothing but a queued event.
 */
export function checkMergeSize(
  files: { x: string; y: string },
  bytes: { x: number; y: number },
  memoryMb: number,
): void {
  const total = bytes.x + bytes.y;
  const limit = maxMergeInputBytes(memoryMb);
  if (total <= limit) return;
  const faster = mergeBytesPerSecond(memoryMb) < S3_READ_BYTES_PER_SECOND;
  throw new DatasetRejectedError(
    'PAIR_TOO_LARGE',
    `${files.x} and ${files.y} are ${gb(total)} together; one merge handles at most ${gb(limit)} within Lambda's 15 minutes at ${memoryMb} MB (param mergeMemoryMb)`,
    { file: files.x },
    (faster
      ? `Deploy with a larger --param="mergeMemoryMb=..." (up to ${LAMBDA_MB_PER_VCPU} MB speeds the merge up), or split`
      : 'Split') +
      ` the rows into datasets of at most ${gb(limit)} each (raw/<name>-1/, raw/<name>-2/, ...) and upload them; docs/SCALE.md describes merging larger pairs.`,
  );
}
