import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { groupThousands } from '../lib/format';
import { formatBytes } from '../lib/notifications/render';
import type { CommandIO } from './command';

const PART_SIZE = 8 * 1024 * 1024;
/** Files at least this big get a progress bar (on a terminal). */
const PROGRESS_FROM_BYTES = 5 * 1024 * 1024;

/** What an upload's bytes are, as S3 records them. */
function contentTypeOf(key: string): string {
  if (key.endsWith('.gz')) return 'application/gzip';
  return key.endsWith('.json') ? 'application/json' : 'text/csv';
}

/** One frame of the progress bar: the share sent, and the bytes in binary units (MiB, as counted). */
export function progressBar(name: string, loaded: number, total: number): string {
  const width = 30;
  const fraction = total > 0 ? Math.min(1, loaded / total) : 0;
  const filled = Math.round(fraction * width);
  return `\r${name} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(loaded)} of ${formatBytes(total)}`;
}

/**
 * Uploads `file` to `s3://bucket/key` in parts, with a progress bar on a
 * terminal for large files, and says what went where.
 */
export async function uploadFile(
  client: S3Client,
  bucket: string,
  key: string,
  file: string,
  io: CommandIO,
): Promise<void> {
  const size = (await stat(file)).size;
  const upload = new Upload({
    client,
    params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentType: contentTypeOf(key) },
    partSize: PART_SIZE,
    queueSize: 4,
    leavePartsOnError: false,
  });
  const showProgress = process.stderr.isTTY === true && size >= PROGRESS_FROM_BYTES;
  if (showProgress) {
    upload.on('httpUploadProgress', ({ loaded }) => {
      process.stderr.write(progressBar(basename(file), loaded ?? 0, size));
    });
  }
  await upload.done();
  if (showProgress) process.stderr.write('\n');
  io.err(`uploaded ${file} (${groupThousands(size)} bytes) to s3://${bucket}/${key}`);
}
