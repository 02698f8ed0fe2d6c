import type { Writable } from 'node:stream';
import type { OpenOutput, OutputFile } from './types';

/** Size of the buffers rows are gathered in before they are written. */
export const OUTPUT_CHUNK = 1024 * 1024;
/** Bytes a sink may have queued before the engine waits for it to drain. */
const QUEUE_LIMIT = 2 * 1024 * 1024;

/**
 * Chunks kept for reuse per sink: more than can be in flight (the queue limit
 * plus the one being filled), so a returned chunk is never dropped as garbage
 * and memory stays flat however long the merge runs.
 */
const MAX_SPARE_CHUNKS = QUEUE_LIMIT / OUTPUT_CHUNK + 4;

const EMPTY = new Uint8Array(0);

/**
 * An uninitialised chunk (every byte is written before it is used), as a plain
 * Uint8Array. Skipping calloc's zeroing also lets malloc hand back memory
 * freed by earlier chunks instead of fresh pages, whose first-touch faults
 * were the largest cost of the merge.
 */
function allocateChunk(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, size);
}

/**
 * One output file: rows are written straight into `buf` at `pos` by the
 * engine and handed to the Writable a chunk at a time. A chunk is reused only
 * when the caller says its Writables are done with a chunk once its write
 * callback has run (a PassThrough may still hold it then); otherwise each
 * flush starts a new buffer. The Writable is opened on the first committed row.
 */
export class OutputSink {
  buf: Uint8Array = EMPTY;
  pos = 0;
  rows = 0;
  private written = 0;
  private stream: Writable | undefined;
  private failure: unknown;
  /** Chunks the Writable is done with (only with `reuseWrittenChunks`). */
  private readonly spare: Uint8Array[] = [];

  constructor(
    readonly file: OutputFile,
    private readonly openOutput: OpenOutput,
    private readonly reuseWrittenChunks: boolean,
  ) {}

  /** Whether `bytes` more fit without a flush; allocates the first buffer on demand. */
  hasRoom(bytes: number): boolean {
    if (this.buf === EMPTY) this.buf = this.newChunk(bytes);
    return this.buf.length - this.pos >= bytes;
  }

  private newChunk(room: number): Uint8Array {
    let size = OUTPUT_CHUNK;
    while (size < room * 2) size *= 2;
    const spare = this.spare.pop();
    return spare !== undefined && spare.length >= size ? spare : allocateChunk(size);
  }

  /** Called when a row is committed to this sink. */
  open(): void {
    if (this.stream !== undefined) return;
    const stream = this.openOutput(this.file);
    stream.on('error', (error) => {
      this.failure ??= error;
    });
    this.stream = stream;
  }

  get opened(): boolean {
    return this.stream !== undefined;
  }

  /** Bytes written to the file so far, pending ones included. */
  get bytes(): number {
    return this.written + this.pos;
  }

  /** Hands the gathered rows to the Writable and starts a buffer with room for `room` bytes. */
  async flush(room: number): Promise<void> {
    const pending = this.pos;
    const full = this.buf;
    this.buf = this.newChunk(room);
    this.pos = 0;
    if (pending > 0) await this.write(full, pending);
  }

  /** Writes what is left and ends the Writable (the caller awaits its completion). */
  async finish(): Promise<void> {
    if (this.stream === undefined) return;
    if (this.pos > 0) await this.write(this.buf, this.pos);
    this.buf = EMPTY;
    this.pos = 0;
    this.throwIfFailed();
    this.stream.end();
  }

  private async write(full: Uint8Array, length: number): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) throw new Error(`rows for ${this.file} were gathered before it was opened`);
    this.throwIfFailed();
    this.written += length;
    const chunk = full.subarray(0, length);
    const done = this.reuseWrittenChunks
      ? (error?: Error | null) => {
          if (!error && this.spare.length < MAX_SPARE_CHUNKS) this.spare.push(full);
        }
      : undefined;
    if (!stream.write(chunk, done) && stream.writableLength >= QUEUE_LIMIT) await drained(stream);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: unknown) => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => done();
    const onError = (error: unknown) => done(error);
    const onClose = () => done(new Error('the output stream closed before the merge finished writing'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
