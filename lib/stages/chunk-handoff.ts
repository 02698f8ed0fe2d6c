import { Writable } from 'node:stream';

/**
 * A Writable read as an async iterable, each chunk handed over as it is (no
 * copy, unlike a PassThrough). A chunk's write callback runs only when the
 * reader asks for the next chunk or stops: with a reader that is done with a
 * chunk by then, the writer may reuse the chunk's memory once its callback has
 * run. Destroying it (the writer failed) makes the reader throw.
 */
export class ChunkHandoff extends Writable implements AsyncIterable<Uint8Array> {
  private written: { chunk: Uint8Array; done: (error?: Error | null) => void } | undefined;
  private held: ((error?: Error | null) => void) | undefined;
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(highWaterMark: number) {
    super({ highWaterMark });
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.written = { chunk, done };
    this.wakeReader();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.ended = true;
    this.wakeReader();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.failure = error ?? new Error('the output was closed before it was finished');
    // Writable fails pending writes itself; a chunk's memory must not be reused after this.
    this.written = undefined;
    this.held = undefined;
    this.wakeReader();
    done(error);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    try {
      for (;;) {
        this.releaseHeld();
        while (this.written === undefined) {
          if (this.failure !== undefined) throw this.failure;
          if (this.ended) return;
          await new Promise<void>((resolve) => {
            this.wake = resolve;
          });
        }
        if (this.failure !== undefined) throw this.failure;
        const { chunk, done } = this.written;
        this.written = undefined;
        this.held = done;
        yield chunk;
      }
    } finally {
      this.releaseHeld();
    }
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = undefined;
    held?.();
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
