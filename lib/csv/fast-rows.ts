import type { InputCursor } from './input-cursor';
import type { LabelStats } from './labels';
import type { OutputSink } from './output-sink';
import { validateRowRuns, validateRowsByField } from './row-validation';
import * as scanTables from './scan-tables';

// Module-local copies: an imported binding read in a loop is a property getter
// per read when the code runs as CommonJS through tsx (the CLI), which cost
// more than the loop's own work.
const { COMMA, CR, LF, NUMBER_FINAL } = scanTables;

/** Buffer's indexOf (memchr) works on any Uint8Array and is far faster than TypedArray's. */
const indexOfByte = Buffer.prototype.indexOf as (this: Uint8Array, value: number, from: number) => number;

export const FAST_DONE = 0;
/** Not enough complete rows in the windows: the general path will ask for more input. */
export const FAST_DECLINED = 1;
export const FAST_FLUSH = 2;
/** The next row is not plain: the general path must take it. */
export const FAST_CONTENT = 3;

export const TRAIN = 0;
export const VALIDATION = 1;
export const TEST = 2;
export const TEST_LABELS = 3;

/** Most rows taken in one batch. */
export const MAX_BATCH_ROWS = 4096;
/** Most x bytes taken in one batch, so a batch always fits an output chunk. */
const MAX_BATCH_BYTES = 256 * 1024;

/** What the fast path needs from the engine. */
export interface FastContext {
  readonly x: InputCursor;
  readonly y: InputCursor;
  readonly sinks: OutputSink[];
  readonly labels: LabelStats;
  readonly labelled: boolean;
  /** Per-field transitions (labels; rows of wide files). */
  readonly transitions: Int32Array;
  readonly finalAccept: Uint8Array;
  /** Whole-row transitions for files up to `MAX_BLOCK_COLUMNS` wide, else undefined. */
  readonly rowTransitions: Int32Array | undefined;
  readonly expectedColumns: number;
  dataRows: number;
  channelOf(index: number): number;
  needRoom(sink: OutputSink, bytes: number): boolean;
}

/** Row positions of one batch, reused between batches. */
class Batch {
  readonly xStart = new Int32Array(MAX_BATCH_ROWS);
  readonly xEnd = new Int32Array(MAX_BATCH_ROWS);
  readonly yStart = new Int32Array(MAX_BATCH_ROWS);
  readonly yEnd = new Int32Array(MAX_BATCH_ROWS);
  readonly hash = new Int32Array(MAX_BATCH_ROWS);
  readonly isNumber = new Uint8Array(MAX_BATCH_ROWS);
  readonly channel = new Uint8Array(MAX_BATCH_ROWS);
  rows = 0;
  /** Why gathering stopped before the limit: FAST_DECLINED or FAST_CONTENT. */
  stop = FAST_DECLINED;
  xNext = 0;
  yNext = 0;
}

const batch = new Batch();

/**
 * Collects up to `limit` complete, plain-looking rows: labels validated and
 * hashed, rows located with memchr. Stops at the first row it cannot take.
 */
function gather(ctx: FastContext, limit: number): void {
  const { x, y, transitions: T, finalAccept } = ctx;
  const xb = x.buf;
  const yb = y.buf;
  const xLimit = Math.min(x.end, x.pos + MAX_BATCH_BYTES);
  const yLimit = Math.min(y.end, y.pos + MAX_BATCH_BYTES);
  let xp = x.pos;
  let yp = y.pos;
  let r = 0;
  batch.stop = FAST_DECLINED;
  for (; r < limit; r += 1) {
    let q = yp;
    let s = 0;
    let h = 0;
    let c = 0;
    for (;;) {
      if (q >= yLimit) break;
      c = yb[q] as number;
      if (c === LF || c === CR || c === COMMA) break;
      s = T[s | c] as number;
      h = Math.imul(h ^ c, 16777619);
      q += 1;
    }
    if (q >= yLimit) break;
    if (c === COMMA || q === yp || finalAccept[s >>> 8] === 0) {
      batch.stop = FAST_CONTENT;
      break;
    }
    let yNext = q + 1;
    if (c === CR) {
      if (q + 1 >= yLimit) break;
      if (yb[q + 1] !== LF) {
        batch.stop = FAST_CONTENT;
        break;
      }
      yNext = q + 2;
    }
    const lf = indexOfByte.call(xb, LF, xp);
    if (lf < 0 || lf >= xLimit) break;
    let rowEnd = lf;
    if (rowEnd > xp && xb[rowEnd - 1] === CR) rowEnd -= 1;
    if (rowEnd === xp) {
      batch.stop = FAST_CONTENT;
      break;
    }
    batch.xStart[r] = xp;
    batch.xEnd[r] = rowEnd;
    batch.yStart[r] = yp;
    batch.yEnd[r] = q;
    batch.hash[r] = h;
    batch.isNumber[r] = NUMBER_FINAL[s >>> 8] as number;
    xp = lf + 1;
    yp = yNext;
  }
  batch.rows = r;
  batch.xNext = xp;
  batch.yNext = yp;
}

/** Copies a batch's rows (and labels) to their sinks; room was checked. */
function writeBatch(ctx: FastContext, xb: Uint8Array, yb: Uint8Array, rows: number): void {
  const { sinks, labelled } = ctx;
  const testLabels = sinks[TEST_LABELS] as OutputSink;
  // Rows are copied eight bytes at a time through DataViews rather than with
  // set(subarray()), whose view per row was nearly all the merge's garbage and
  // grew V8's young generation (peak RSS) on long runs. A double read and
  // written back keeps every bit unless it is a NaN, and a NaN needs a byte of
  // 0xF0 or more: rows here are ASCII.
  const from = new DataView(xb.buffer, xb.byteOffset, xb.byteLength);
  const views = sinks.map((sink) => new DataView(sink.buf.buffer, sink.buf.byteOffset, sink.buf.byteLength));
  for (let r = 0; r < rows; r += 1) {
    const channel = batch.channel[r] as number;
    const sink = sinks[channel] as OutputSink;
    const out = sink.buf;
    let o = sink.pos;
    const labelStart = batch.yStart[r] as number;
    const labelEnd = batch.yEnd[r] as number;
    if (labelled) {
      for (let k = labelStart; k < labelEnd; k += 1) out[o++] = yb[k] as number;
      out[o++] = COMMA;
    } else if (channel === TEST) {
      const labelOut = testLabels.buf;
      let t = testLabels.pos;
      for (let k = labelStart; k < labelEnd; k += 1) labelOut[t++] = yb[k] as number;
      labelOut[t++] = LF;
      testLabels.pos = t;
      testLabels.rows += 1;
    }
    const start = batch.xStart[r] as number;
    const end = batch.xEnd[r] as number;
    const to = views[channel] as DataView;
    let k = start;
    for (; k + 8 <= end; k += 8, o += 8) to.setFloat64(o, from.getFloat64(k, true), true);
    for (; k < end; k += 1) out[o++] = xb[k] as number;
    out[o++] = LF;
    sink.pos = o;
    sink.rows += 1;
  }
}

/**
 * Merges up to `limit` plain rows at once, or declines having changed nothing.
 * Plain: complete in the current windows, no quote, no CR but before LF, no
 * non-ASCII byte, no blank row, every value allowed and the right column count.
 */
export function mergeFastRows(ctx: FastContext, limit: number): number {
  const { x, y, sinks } = ctx;
  if (!x.plain() || !y.plain()) return FAST_DECLINED;
  gather(ctx, limit);
  const rows = batch.rows;
  if (rows === 0) return batch.stop;
  const xb = x.buf;
  const yb = y.buf;
  const first = batch.xStart[0] as number;
  const last = batch.xEnd[rows - 1] as number;
  const bytes = last - first + (batch.yNext - y.pos) + 2 * rows;
  const used = [false, false, false, false];
  for (let r = 0; r < rows; r += 1) {
    const channel = ctx.channelOf(ctx.dataRows + r);
    batch.channel[r] = channel;
    used[channel] = true;
  }
  // Unlabelled test rows (k-means) keep their labels apart, in the same order.
  if (used[TEST] && !ctx.labelled) used[TEST_LABELS] = true;
  for (let s = 0; s < used.length; s += 1) {
    if (used[s] && ctx.needRoom(sinks[s] as OutputSink, bytes)) return FAST_FLUSH;
  }
  const valid = ctx.rowTransitions
    ? validateRowRuns(xb, ctx.rowTransitions, batch.xStart, rows, first, batch.xNext)
    : validateRowsByField(
        xb,
        ctx.transitions,
        ctx.finalAccept,
        ctx.expectedColumns - 1,
        batch.xStart,
        batch.xEnd,
        rows,
      );
  if (!valid) return rows === 1 ? FAST_CONTENT : -rows;
  writeBatch(ctx, xb, yb, rows);
  for (let s = 0; s < used.length; s += 1) if (used[s]) (sinks[s] as OutputSink).open();
  const labels = ctx.labels;
  for (let r = 0; r < rows; r += 1) {
    labels.noteAscii(
      yb,
      batch.yStart[r] as number,
      batch.yEnd[r] as number,
      batch.hash[r] as number,
      batch.isNumber[r] === 1,
    );
  }
  x.pos = batch.xNext;
  x.row += rows;
  y.pos = batch.yNext;
  y.row += rows;
  ctx.dataRows += rows;
  return FAST_DONE;
}
