import { setMaxListeners } from 'node:events';

/** Reads one byte range `[start, end)` of the pinned object version; throws on any failure. */
export type FetchRange = (start: number, end: number, signal: AbortSignal) => AsyncIterable<Uint8Array>;

export interface RangedReadOptions {
  /** Bytes per ranged request (S3 recommends 8 or 16 MB). */
  rangeBytes: number;
  /** Ranges in flight at once: memory holds at most this many ranges. */
  concurrency: number;
  /** How often a range that failed mid-way is resumed from its last byte. */
  retries: number;
  /** Errors that must not be retried (the object changed): rethrown at once. */
  isFinal?: (error: unknown) => boolean;
  /** Called with the bytes held in memory each time that changes (tests check the bound). */
  onBuffered?: (bytes: number) => void;
}

class RangeQueue {
  readonly chunks: Uint8Array[] = [];
  done = false;
  failure: unknown;
  private wake: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.notify();
  }

  finish(failure?: unknown): void {
    this.done = true;
    this.failure = failure;
    this.notify();
  }

  waitForMore(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * The bytes `[0, size)` of one object as parallel ranged reads, yielded in
 * order: up to `concurrency` ranges are fetched at once, so memory holds at
 * most `concurrency x rangeBytes` whatever the size. A range whose connection
 * fails part-way is resumed from the first byte not yet received, up to
 * `retries` times; errors `isFinal` says are final end the read at once.
 * Stopping early aborts the requests in flight.
 */
export async function* readRanges(
  size: number,
  fetchRange: FetchRange,
  options: RangedReadOptions,
): AsyncGenerator<Uint8Array> {
  const { rangeBytes, concurrency, retries } = options;
  const count = Math.ceil(size / rangeBytes);
  const abort = new AbortController();
  // Every range in flight listens to the one signal (the SDK adds a listener or two per request).
  setMaxListeners(4 * concurrency + 10, abort.signal);
  const queues: RangeQueue[] = [];
  let buffered = 0;
  const note = (delta: number) => {
    buffered += delta;
    options.onBuffered?.(buffered);
  };

  const fill = async (index: number, queue: RangeQueue) => {
    const end = Math.min(size, (index + 1) * rangeBytes);
    let next = index * rangeBytes;
    for (let attempt = 0; ; attempt += 1) {
      try {
        for await (const chunk of fetchRange(next, end, abort.signal)) {
          if (chunk.length > end - next)
            throw new Error(`range ${next}-${end} returned more bytes than asked`);
          next += chunk.length;
          note(chunk.length);
          queue.push(chunk);
        }
        if (next !== end) throw new Error(`range ended at byte ${next} of ${end}`);
        queue.finish();
        return;
      } catch (error) {
        if (abort.signal.aborted || options.isFinal?.(error) || attempt >= retries) {
          queue.finish(error);
          return;
        }
      }
    }
  };

  const start = (index: number) => {
    const queue = new RangeQueue();
    queues[index] = queue;
    void fill(index, queue);
  };

  try {
    for (let index = 0; index < Math.min(concurrency, count); index += 1) start(index);
    for (let index = 0; index < count; index += 1) {
      const queue = queues[index] as RangeQueue;
      for (;;) {
        const chunk = queue.chunks.shift();
        if (chunk !== undefined) {
          note(-chunk.length);
          yield chunk;
          continue;
        }
        if (queue.done) break;
        await queue.waitForMore();
      }
      if (queue.failure !== undefined) throw queue.failure;
      queues[index] = undefined as unknown as RangeQueue;
      if (index + concurrency < count) start(index + concurrency);
    }
  } finally {
    abort.abort();
  }
}
