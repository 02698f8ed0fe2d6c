import type { Writable } from 'node:stream';
import type { Channel } from '../layout';

/** Files the merge writes for a run, besides nothing else. */
export type OutputFile = Channel | 'test-labels';

export interface MergeOptions {
  /** Names used in error messages, e.g. `raw/iris/x.csv`. */
  xFile: string;
  yFile: string;
  validationFraction: number;
  testFraction: number;
  /** Same seed and input, same split. */
  splitSeed: string;
  /** `numeric`: every value a number; `numeric-or-empty`: empty fields allowed (missing values); `any`: no check. */
  numeric: 'numeric' | 'numeric-or-empty' | 'any';
  /** False for unsupervised algorithms (k-means): every channel is features only, test labels apart. */
  labelInTraining: boolean;
  /** Columns dropped before the engine (an index column), so messages name the columns of the user's file. */
  droppedColumns?: { x: number; y: number };
  /**
   * The Writables `open` returns are done with a chunk once its write callback
   * has run (true of fs write streams; not of a PassThrough, which hands the
   * chunk on): the engine may then reuse its output buffers, which saves a
   * page fault per 4 KiB written. Default false.
   */
  reuseWrittenChunks?: boolean;
}

/**
 * Opens the sink for one output file. Called lazily, on the first row that goes
 * there, so a channel that receives no rows is never written. The engine writes
 * with backpressure and calls `end()` on every sink it opened when it succeeds;
 * on rejection it throws and leaves aborting the sinks to the caller.
 */
export type OpenOutput = (file: OutputFile) => Writable;

/** What the labels look like: the train stage derives hyperparameters from it. */
export interface LabelSummary {
  /** Distinct label values as written, sorted, at most `DISTINCT_LABEL_CAP`. */
  distinct: string[];
  /** True when there are more distinct values than `distinct` lists. */
  moreDistinct: boolean;
  numeric: boolean;
  /** Every label an integer (e.g. `0`, `1.0`, `2`). */
  integer: boolean;
  min?: number;
  max?: number;
}

export interface MergeSummary {
  /** Data rows read from each file (headers and trailing blank lines excluded). */
  rows: number;
  /** Rows per written output file. */
  rowsPerFile: Partial<Record<OutputFile, number>>;
  bytesPerFile: Partial<Record<OutputFile, number>>;
  featureCount: number;
  headerDropped: { x: boolean; y: boolean };
  labels: LabelSummary;
}
