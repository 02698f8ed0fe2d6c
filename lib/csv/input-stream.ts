import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetRejectedError } from './errors';

/** What an input's first bytes say it is, when it is not text sagedrop reads. */
const SIGNATURES: { bytes: number[]; what: string; hint: string }[] = [
  {
    bytes: [0x50, 0x4b, 0x03, 0x04],
    what: 'a ZIP archive (an Excel .xlsx workbook is one)',
    hint: 'Save the sheet as "CSV UTF-8 (comma delimited)" (or unzip the archive) and upload the .csv, or gzip it as .csv.gz.',
  },
  {
    bytes: [0xd0, 0xcf, 0x11, 0xe0],
    what: 'an Excel .xls workbook (an OLE2 file)',
    hint: 'Save the sheet as "CSV UTF-8 (comma delimited)" and upload the .csv.',
  },
  {
    bytes: [0x42, 0x5a, 0x68],
    what: 'a bzip2 archive',
    hint: 'Upload the file uncompressed, or compressed with gzip as x.csv.gz / y.csv.gz.',
  },
  {
    bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
    what: 'an xz archive',
    hint: 'Upload the file uncompressed, or compressed with gzip as x.csv.gz / y.csv.gz.',
  },
  {
    bytes: [0x28, 0xb5, 0x2f, 0xfd],
    what: 'a zstd archive',
    hint: 'Upload the file uncompressed, or compressed with gzip as x.csv.gz / y.csv.gz.',
  },
  {
    bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
    what: 'a 7z archive',
    hint: 'Upload the file uncompressed, or compressed with gzip as x.csv.gz / y.csv.gz.',
  },
  {
    bytes: [0x50, 0x41, 0x52, 0x31],
    what: 'a Parquet file',
    hint: 'Write it as CSV (pandas: df.to_csv("x.csv", index=False)) and upload that.',
  },
  {
    bytes: [0x25, 0x50, 0x44, 0x46],
    what: 'a PDF document',
    hint: 'Upload the data as a CSV file.',
  },
  {
    bytes: [0xff, 0xfe],
    what: 'UTF-16 text (what Excel writes as "Unicode Text")',
    hint: 'Save it as "CSV UTF-8 (comma delimited)" and upload it again.',
  },
  {
    bytes: [0xfe, 0xff],
    what: 'UTF-16 text',
    hint: 'Save it as UTF-8 CSV and upload it again.',
  },
];

const GZIP = [0x1f, 0x8b];

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((byte, k) => head[k] === byte);
}

/** Names an input that is not CSV text by its first bytes; `undefined` for text (or gzip). */
export function binaryKind(head: Uint8Array): { what: string; hint: string } | undefined {
  for (const signature of SIGNATURES) if (startsWith(head, signature.bytes)) return signature;
  // NUL bytes never occur in CSV text; any other binary file has plenty of them.
  const sample = head.subarray(0, 4096);
  if (sample.includes(0)) {
    return { what: 'a binary file, not text', hint: 'Upload the data as a CSV text file (UTF-8).' };
  }
  return undefined;
}

/** How an input arrived: gzip-compressed or as it is. */
export type Compression = 'gzip' | 'none';

/** Reads the first chunks of `source` until `bytes` are in hand (or it ends). */
async function firstBytes(
  iterator: AsyncIterator<Uint8Array>,
  bytes: number,
): Promise<{ head: Uint8Array[]; total: number; done: boolean }> {
  const head: Uint8Array[] = [];
  let total = 0;
  while (total < bytes) {
    // A source may reuse a chunk's buffer once the next is asked for: keep a copy of the last.
    const last = head.length - 1;
    if (last >= 0) head[last] = (head[last] as Uint8Array).slice();
    const next = await iterator.next();
    if (next.done) return { head, total, done: true };
    head.push(next.value);
    total += next.value.length;
  }
  return { head, total, done: false };
}

/**
 * The text of an input: gzip (told by its magic bytes, whatever the name) is
 * decompressed as it streams, never to disk; any other binary or compressed
 * input is rejected, named for what it is. `onCompression` learns which it was.
 */
export async function* decodedInput(
  source: AsyncIterable<Uint8Array>,
  file: string,
  onCompression?: (compression: Compression) => void,
): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    const { head, done } = await firstBytes(iterator, 8);
    const start = head.length === 1 ? (head[0] as Uint8Array) : Buffer.concat(head);
    const rest: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => (done ? Promise.resolve({ done: true, value: undefined }) : iterator.next()),
        return: async () => {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
      }),
    };
    async function* whole(): AsyncGenerator<Uint8Array> {
      for (const chunk of head) yield chunk;
      yield* rest;
    }
    if (startsWith(start, GZIP)) {
      onCompression?.('gzip');
      yield* gunzipped(whole(), file);
    } else {
      const kind = binaryKind(start);
      if (kind)
        throw new DatasetRejectedError(
          'NOT_CSV',
          `${file} is ${kind.what}, not a CSV file`,
          { file },
          kind.hint,
        );
      onCompression?.('none');
      yield* whole();
    }
    finished = true;
  } finally {
    if (!finished) await iterator.return?.();
  }
}

/** Copies of the chunks: zlib may still hold one when the next is asked for. */
async function* copied(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) yield chunk.slice();
}

async function* gunzipped(source: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const input = Readable.from(copied(source), { objectMode: false });
  const unzip = createGunzip();
  input.on('error', (error) => unzip.destroy(error));
  input.pipe(unzip);
  let first = true;
  try {
    for await (const chunk of unzip as AsyncIterable<Buffer>) {
      if (first) {
        first = false;
        const kind = binaryKind(chunk);
        if (kind) {
          throw new DatasetRejectedError(
            'NOT_CSV',
            `${file} is gzip-compressed ${kind.what}, not a CSV file`,
            { file },
            kind.hint,
          );
        }
      }
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new DatasetRejectedError(
        'GZIP_CORRUPT',
        `${file} starts like a gzip file but cannot be decompressed (${(error as Error).message})`,
        { file },
        `Compress ${file} again with gzip (the upload may have been cut short) and upload it again.`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    input.destroy();
    unzip.destroy();
  }
}
