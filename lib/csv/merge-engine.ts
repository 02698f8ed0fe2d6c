import {
  FAST_CONTENT,
  FAST_DONE,
  FAST_FLUSH,
  type FastContext,
  MAX_BATCH_ROWS,
  mergeFastRows,
  TEST,
  TEST_LABELS,
  TRAIN,
  VALIDATION,
} from './fast-rows';
import { type InputCursor, Next } from './input-cursor';
import { LabelStats } from './labels';
import { OutputSink } from './output-sink';
import { commitRecord, fieldText, type ParsedRecord, parseRecord, RowStaging } from './record-parser';
import { labelColumns, notNumeric, raggedRow } from './rejections';
import {
  buildFinalAccept,
  buildRowTransitions,
  buildTransitions,
  COMMA,
  LF,
  MAX_BLOCK_COLUMNS,
  type NumericPolicy,
  QUOTE,
} from './scan-tables';
import * as split from './split';
import type { MergeOptions, OpenOutput, OutputFile } from './types';

// Called once per row: a module-local copy, not the import (a getter per call under tsx).
const { seedHash, splitCuts, splitPoint } = split;

/** What the synchronous part of the merge needs before it can go on. */
export const Step = {
  Row: 0,
  NeedX: 1,
  NeedY: 2,
  Flush: 3,
  Done: 4,
  Mismatch: 5,
} as const;
export type Step = (typeof Step)[keyof typeof Step];

const SINK_FILES: OutputFile[] = ['train', 'validation', 'test', 'test-labels'];

/** Rows handled by the general path after the fast path met a row it does not handle. */
const FAST_BACKOFF_ROWS = 32;

/**
 * The row loop of the merge. `run()` is synchronous and returns when it needs
 * input, a flush or is done; the async driver (`mergeStreams`) provides it.
 *
 * Two paths produce identical output. The fast path (`mergeFastRows`) takes
 * batches of rows when every byte is plain (no quote, CR inside a row,
 * non-ASCII byte, blank row or rejected value) and copies them with memcpy.
 * Anything else goes through `parseRecord`, one row at a time, which also
 * produces every rejection; a batch that fails validation is retried smaller
 * until the row that needs the general path is reached.
 */
export class MergeEngine implements FastContext {
  readonly sinks: OutputSink[];
  readonly labels = new LabelStats();
  /** Row pairs merged so far. */
  dataRows = 0;
  pendingFlush: OutputSink | undefined;
  pendingRoom = 0;

  readonly transitions: Int32Array;
  readonly finalAccept: Uint8Array;
  rowTransitions: Int32Array | undefined;
  readonly labelled: boolean;
  private columns = -1;
  private readonly policy: NumericPolicy;
  private readonly seed: number;
  private readonly testCut: number;
  private readonly validationCut: number;
  private readonly xStaging = new RowStaging();
  private readonly yStaging = new RowStaging();
  private fastBackoff = 0;
  private batchLimit = MAX_BATCH_ROWS;

  constructor(
    readonly x: InputCursor,
    readonly y: InputCursor,
    open: OpenOutput,
    options: MergeOptions,
  ) {
    this.policy = options.numeric;
    this.labelled = options.labelInTraining;
    this.transitions = buildTransitions(options.numeric);
    this.finalAccept = buildFinalAccept(options.numeric);
    this.seed = seedHash(options.splitSeed);
    const cuts = splitCuts(options.testFraction, options.validationFraction);
    this.testCut = cuts.test;
    this.validationCut = cuts.validation;
    this.sinks = SINK_FILES.map((file) => new OutputSink(file, open, options.reuseWrittenChunks === true));
  }

  /** Columns of x, from its first row (header or not); -1 until known. */
  get expectedColumns(): number {
    return this.columns;
  }

  set expectedColumns(columns: number) {
    this.columns = columns;
    this.rowTransitions =
      columns > 0 && columns <= MAX_BLOCK_COLUMNS ? buildRowTransitions(this.policy, columns) : undefined;
  }

  run(): Step {
    for (;;) {
      if (this.fastBackoff > 0) {
        this.fastBackoff -= 1;
      } else if (this.columns > 0) {
        const fast = mergeFastRows(this, this.batchLimit);
        if (fast === FAST_DONE) {
          this.batchLimit = Math.min(MAX_BATCH_ROWS, this.batchLimit * 2);
          continue;
        }
        if (fast === FAST_FLUSH) return Step.Flush;
        if (fast < 0) {
          // Some row of the batch is not plain: retry smaller batches to find it.
          this.batchLimit = Math.max(1, -fast >> 3);
          continue;
        }
        if (fast === FAST_CONTENT) this.fastBackoff = FAST_BACKOFF_ROWS;
      }
      const step = this.generalRow();
      if (step !== Step.Row) return step;
    }
  }

  channelOf(index: number): number {
    const point = splitPoint(this.seed, index);
    return point < this.testCut ? TEST : point < this.validationCut ? VALIDATION : TRAIN;
  }

  needRoom(sink: OutputSink, bytes: number): boolean {
    if (sink.hasRoom(bytes)) return false;
    this.pendingFlush = sink;
    this.pendingRoom = bytes;
    return true;
  }

  /** One row pair through `parseRecord`: every case the fast path declines, and every rejection. */
  private generalRow(): Step {
    const { x, y, policy } = this;
    const yNext = y.peek();
    if (yNext === Next.NeedMore) return Step.NeedY;
    const xNext = x.peek();
    if (xNext === Next.NeedMore) return Step.NeedX;
    if (yNext === Next.End || xNext === Next.End) return yNext === xNext ? Step.Done : Step.Mismatch;

    let yRecord: ParsedRecord | undefined;
    if (yNext === Next.Blank) {
      if (policy !== 'any') throw notNumeric(y.file, y.row + 1, 1 + y.columnOffset, '', policy, true);
      this.yStaging.length = 0;
    } else {
      yRecord = parseRecord(y, policy, this.yStaging, true);
      if (yRecord === undefined) return Step.NeedY;
      if (yRecord.fields > 1) throw labelColumns(y.file, y.row + 1, yRecord.fields + y.columnOffset);
    }
    let xRecord: ParsedRecord | undefined;
    if (xNext === Next.Blank) {
      if (this.expectedColumns !== 1)
        throw raggedRow(x.file, x.row + 1, 1 + x.columnOffset, this.expectedColumns + x.columnOffset, true);
      if (policy === 'numeric') throw notNumeric(x.file, x.row + 1, 1 + x.columnOffset, '', policy, false);
      this.xStaging.length = 0;
    } else {
      xRecord = parseRecord(x, policy, this.xStaging, false);
      if (xRecord === undefined) return Step.NeedX;
      if (this.expectedColumns < 0) this.expectedColumns = xRecord.fields;
      if (xRecord.fields !== this.expectedColumns) {
        throw raggedRow(
          x.file,
          x.row + 1,
          xRecord.fields + x.columnOffset,
          this.expectedColumns + x.columnOffset,
          false,
        );
      }
    }
    if (!this.writeGeneralRow()) return Step.Flush;

    if (yRecord === undefined) y.takeBlank();
    else commitRecord(y, yRecord);
    if (xRecord === undefined) x.takeBlank();
    else commitRecord(x, xRecord);
    const label = this.yStaging;
    this.labels.noteText(
      yRecord === undefined ? '' : fieldText(label.bytes, 0, label.length),
      yRecord?.firstIsNumber ?? false,
    );
    return Step.Row;
  }

  /** Writes the staged row pair to its channel; false (nothing written) when a sink must flush first. */
  private writeGeneralRow(): boolean {
    const label = this.yStaging;
    const features = this.xStaging;
    const channel = this.channelOf(this.dataRows);
    const sink = this.sinks[channel] as OutputSink;
    const withLabel = this.labelled;
    const labelsApart = !withLabel && channel === TEST;
    const rowBytes = label.length + features.length + 4;
    if (this.needRoom(sink, rowBytes)) return false;
    if (labelsApart && this.needRoom(this.sinks[TEST_LABELS] as OutputSink, label.length + 3)) return false;
    if (withLabel) {
      copyLine(sink, label, false);
      sink.buf[sink.pos - 1] = COMMA;
      copyLine(sink, features, false);
    } else {
      copyLine(sink, features, this.expectedColumns === 1);
    }
    sink.rows += 1;
    sink.open();
    if (labelsApart) {
      const labels = this.sinks[TEST_LABELS] as OutputSink;
      copyLine(labels, label, true);
      labels.rows += 1;
      labels.open();
    }
    this.dataRows += 1;
    return true;
  }
}

/** Appends a staged line and LF; a line that is one empty field is written `""`, as Python's csv does. */
function copyLine(sink: OutputSink, line: RowStaging, singleField: boolean): void {
  const out = sink.buf;
  let o = sink.pos;
  if (singleField && line.length === 0) {
    out[o++] = QUOTE;
    out[o++] = QUOTE;
  } else {
    out.set(line.bytes.subarray(0, line.length), o);
    o += line.length;
  }
  out[o++] = LF;
  sink.pos = o;
}
