import { Writable } from 'node:stream';
import type { OutputFile } from '../csv/types';

const LF = 0x0a;
const QUOTE = 0x22;

/**
 * How one channel is cut into parts. The split is decided while the merge
 * streams, so the size of a channel is not known when its first part starts.
 * Both ways of deciding are used, each for what it is good at:
 *
 * - The number of parts and their target size come up front from the input
 *   sizes (a channel holds about its fraction of x.csv + y.csv, byte for
 *   byte), so the parts come out about equal. Rolling over at `shardSize`
 *   alone would leave a last part of any size from one row up, and
 *   `ShardedByS3Key` would give the instance that reads it next to nothing.
 * - Rolling over happens by bytes written, at a row boundary, so a part never
 *   grows past its limit however wrong the estimate is: the last planned part
 *   takes what the estimate missed up to `shardSize`, and more rolls over into
 *   further parts.
 *
 * A gzip upload says nothing of its size once decompressed, so its channels
 * are always written as parts of `shardSize` (the last one smaller).
 */
export interface ShardPlan {
  /** Parts the channel is expected to need; 1 writes the single file `<channel>.csv`. */
  parts: number;
  /** Bytes at which a part before the last planned one rolls over. */
  targetBytes: number;
  /** Bytes no part grows past (unless one row alone is larger). */
  capBytes: number;
}

/** What the shard plan of a run's channels is computed from. */
export interface ShardInputs {
  /** Bytes of x.csv and y.csv as stored. */
  bytes: { x: number; y: number };
  /** Either input is gzip-compressed: its decompressed size is unknown. */
  compressed: boolean;
  /** The channels hold the label (all but k-means), so y's bytes count too. */
  labelInTraining: boolean;
  validationFraction: number;
  testFraction: number;
  /** `shardSizeMb` in bytes. */
  shardBytes: number;
}

/** The file name of part `index` of a sharded channel. */
export function partFileName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.csv`;
}

/**
 * The shard plan of every channel of a run, or `undefined` for a channel that
 * is written as one file as before. Test labels are never sharded: they are
 * read whole by the evaluation, never by a training instance.
 */
export function planShards(inputs: ShardInputs): Partial<Record<OutputFile, ShardPlan>> {
  const { bytes, shardBytes } = inputs;
  const rowBytes = bytes.x + (inputs.labelInTraining ? bytes.y : 0);
  const fractions: Record<'train' | 'validation' | 'test', number> = {
    train: Math.max(0, 1 - inputs.validationFraction - inputs.testFraction),
    validation: inputs.validationFraction,
    test: inputs.testFraction,
  };
  const plans: Partial<Record<OutputFile, ShardPlan>> = {};
  for (const [channel, fraction] of Object.entries(fractions) as [
    'train' | 'validation' | 'test',
    number,
  ][]) {
    if (fraction === 0) continue;
    if (inputs.compressed) {
      plans[channel] = { parts: 1, targetBytes: shardBytes, capBytes: shardBytes };
      continue;
    }
    const estimate = rowBytes * fraction;
    if (estimate <= shardBytes) continue;
    const parts = Math.ceil(estimate / shardBytes);
    plans[channel] = { parts, targetBytes: Math.ceil(estimate / parts), capBytes: shardBytes };
  }
  return plans;
}

/**
 * The end (index after the LF) of the last whole row of `chunk` that ends at
 * or before `limit`, or 0 when none does. `chunk` starts at a row boundary (the
 * engine hands its sinks whole rows), so quotes are counted from its start: an
 * LF inside a quoted field is not a row end.
 */
export function lastRowEnd(chunk: Uint8Array, limit: number): number {
  const end = Math.min(limit, chunk.length);
  if (end <= 0) return 0;
  const firstQuote = chunk.indexOf(QUOTE);
  if (firstQuote === -1 || firstQuote >= end) return chunk.lastIndexOf(LF, end - 1) + 1;
  let quoted = false;
  let last = 0;
  for (let i = 0; i < end; i++) {
    const byte = chunk[i];
    if (byte === QUOTE) quoted = !quoted;
    else if (byte === LF && !quoted) last = i + 1;
  }
  return last;
}

/** The end of the first whole row of `chunk` (its length when it holds one row, unterminated). */
export function firstRowEnd(chunk: Uint8Array): number {
  let quoted = false;
  for (let i = 0; i < chunk.length; i++) {
    const byte = chunk[i];
    if (byte === QUOTE) quoted = !quoted;
    else if (byte === LF && !quoted) return i + 1;
  }
  return chunk.length;
}

/** Opens the Writable that uploads part `index` of the channel. */
export type OpenPart = (index: number) => Writable;

/**
 * The engine's sink for one sharded channel: hands whole rows to the upload of
 * the current part and, once the part holds its share, ends it and starts the
 * next. A chunk's write callback runs once every part it was cut into has
 * taken its piece, so the engine may reuse the chunk as before.
 */
export class ShardedSink extends Writable {
  private current: Writable | undefined;
  private index = -1;
  private partBytes = 0;
  private readonly opened: Writable[] = [];

  constructor(
    private readonly plan: ShardPlan,
    private readonly openPart: OpenPart,
    highWaterMark: number,
  ) {
    super({ highWaterMark });
  }

  /** Parts started so far (each holds at least one row). */
  get parts(): number {
    return this.opened.length;
  }

  private limit(): number {
    return this.index < this.plan.parts - 1 ? this.plan.targetBytes : this.plan.capBytes;
  }

  private nextPart(): Writable {
    this.current?.end();
    this.index += 1;
    this.partBytes = 0;
    const part = this.openPart(this.index);
    part.on('error', (error) => this.destroy(error));
    this.opened.push(part);
    this.current = part;
    return part;
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    // One more than the pieces, released below once every piece is handed over: an empty chunk is done at once.
    let waiting = 1;
    let failed = false;
    const pieceDone = (error?: Error | null) => {
      if (failed) return;
      if (error) {
        failed = true;
        done(error);
      } else if (--waiting === 0) done();
    };
    let rest = chunk;
    while (rest.length > 0) {
      const part = this.current ?? this.nextPart();
      const room = this.limit() - this.partBytes;
      let cut = rest.length <= room ? rest.length : lastRowEnd(rest, room);
      if (cut === 0) {
        if (this.partBytes > 0) {
          this.nextPart();
          continue;
        }
        // One row larger than a whole part: it goes whole into a part of its own.
        cut = firstRowEnd(rest);
      }
      waiting += 1;
      part.write(rest.subarray(0, cut), pieceDone);
      this.partBytes += cut;
      rest = rest.subarray(cut);
      if (rest.length > 0) this.nextPart();
    }
    pieceDone();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.current?.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // A sink that finished is destroyed too (autoDestroy): its parts are still being uploaded then.
    if (error) for (const part of this.opened) part.destroy(error);
    done(error);
  }
}
