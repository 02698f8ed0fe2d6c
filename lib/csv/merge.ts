import { detectHeaders, readLeadingRows } from './header';
import { InputCursor, Next } from './input-cursor';
import { MergeEngine, Step } from './merge-engine';
import { commitRecord, parseRecord, RowStaging } from './record-parser';
import { blankFirstRow, emptyFile, headerOnly, labelColumns, rowCountMismatch } from './rejections';
import type { MergeOptions, MergeSummary, OpenOutput, OutputFile } from './types';

export { DISTINCT_LABEL_CAP } from './labels';
export { MAX_ROW_BYTES } from './rejections';

async function peekSettled(cursor: InputCursor): Promise<Next> {
  for (;;) {
    const next = cursor.peek();
    if (next !== Next.NeedMore) return next;
    await cursor.more();
  }
}

/** Drops the header row at the cursor; returns its column count. */
async function dropHeader(cursor: InputCursor): Promise<number> {
  const staging = new RowStaging();
  for (;;) {
    const record = parseRecord(cursor, 'any', staging, false);
    if (record !== undefined) {
      commitRecord(cursor, record);
      return record.fields;
    }
    await cursor.more();
  }
}

/**
 * Checks both inputs have rows, detects and drops headers (see `detectHeaders`
 * for the rule) and returns what the row loop needs to know.
 */
async function readHeaders(
  x: InputCursor,
  y: InputCursor,
  options: MergeOptions,
): Promise<{ headerDropped: { x: boolean; y: boolean }; xColumns: number }> {
  for (const cursor of [x, y]) {
    const next = await peekSettled(cursor);
    if (next === Next.End) throw emptyFile(cursor.file);
    if (next === Next.Blank) throw blankFirstRow(cursor.file);
  }
  const xRows = await readLeadingRows(x);
  const yRows = await readLeadingRows(y);
  const headerDropped = detectHeaders(xRows, yRows, options.numeric);
  let xColumns = xRows[0]?.length ?? -1;
  if (headerDropped.x) {
    xColumns = await dropHeader(x);
    if ((await peekSettled(x)) === Next.End) throw headerOnly(x.file);
  }
  if (headerDropped.y) {
    const columns = await dropHeader(y);
    if (columns > 1) throw labelColumns(y.file, 1, columns + y.columnOffset);
    if ((await peekSettled(y)) === Next.End) throw headerOnly(y.file);
  }
  return { headerDropped, xColumns };
}

/**
 * Merges features `x` and labels `y` into SageMaker's CSV training channels,
 * streaming both inputs in lockstep: memory stays bounded by the chunk sizes
 * and the longest row, whatever the file sizes.
 *
 * Row i of y is joined to row i of x, label first (`label,f1,…,fn`, LF line
 * ends, no header), as `pd.concat([y, x], axis=1).to_csv(header=False,
 * index=False)` writes it, in every channel; without `labelInTraining` (k-means)
 * rows are features only and the test rows' labels go to `test-labels` in the
 * same order. Rows are split by a hash of `splitSeed` and
 * the row index, so the same input and settings give the same split, with
 * order kept within each output. Values are copied byte for byte; quoted
 * fields are written unquoted unless they contain a comma, quote, CR or LF.
 *
 * Accepts RFC 4180 quoting, LF, CRLF or CR line ends (mixed too), a UTF-8 BOM,
 * a header row in either file, a missing final newline and trailing blank
 * lines. Throws `DatasetRejectedError` naming file, row and column (rows are
 * 1-based and count the header, as a spreadsheet shows them) for: empty
 * files, different row counts, ragged rows, a y with more than one column,
 * unterminated quotes, text after a closing quote, bytes that are not UTF-8
 * and values the numeric policy does not allow (see `NUMBER_PATTERN`: no NaN,
 * infinity or surrounding spaces; labels may never be empty under a numeric
 * policy). Outputs are opened by `open` on their first row and ended on
 * success; on rejection the caller aborts whatever was opened. A chunk of
 * `x` or `y` is never read after the engine asks for the next one, so the
 * sources may reuse their buffers.
 */
export async function mergeStreams(
  x: AsyncIterable<Uint8Array>,
  y: AsyncIterable<Uint8Array>,
  open: OpenOutput,
  options: MergeOptions,
): Promise<MergeSummary> {
  const xCursor = new InputCursor(x, options.xFile);
  const yCursor = new InputCursor(y, options.yFile);
  xCursor.columnOffset = options.droppedColumns?.x ?? 0;
  yCursor.columnOffset = options.droppedColumns?.y ?? 0;
  let finished = false;
  try {
    const { headerDropped, xColumns } = await readHeaders(xCursor, yCursor, options);
    const engine = new MergeEngine(xCursor, yCursor, open, options);
    engine.expectedColumns = xColumns;
    for (;;) {
      const step = engine.run();
      if (step === Step.Done) break;
      if (step === Step.NeedX) await xCursor.more();
      else if (step === Step.NeedY) await yCursor.more();
      else if (step === Step.Flush) await engine.pendingFlush?.flush(engine.pendingRoom);
      else if (step === Step.Mismatch) {
        const xEnded = xCursor.peek() === Next.End;
        const longer = xEnded ? yCursor : xCursor;
        const shorter = xEnded ? xCursor : yCursor;
        const extraRow = longer.row + 1;
        const longerRows = engine.dataRows + (await longer.countRemainingRows());
        throw rowCountMismatch(
          { file: longer.file, rows: longerRows, headerDropped: xEnded ? headerDropped.y : headerDropped.x },
          {
            file: shorter.file,
            rows: engine.dataRows,
            headerDropped: xEnded ? headerDropped.x : headerDropped.y,
          },
          extraRow,
        );
      }
    }
    const rowsPerFile: MergeSummary['rowsPerFile'] = {};
    const bytesPerFile: MergeSummary['bytesPerFile'] = {};
    for (const sink of engine.sinks) {
      if (!sink.opened) continue;
      rowsPerFile[sink.file as OutputFile] = sink.rows;
      bytesPerFile[sink.file as OutputFile] = sink.bytes;
      await sink.finish();
    }
    finished = true;
    return {
      rows: engine.dataRows,
      rowsPerFile,
      bytesPerFile,
      featureCount: engine.expectedColumns,
      headerDropped,
      labels: engine.labels.summary(engine.dataRows),
    };
  } finally {
    if (!finished) await Promise.allSettled([xCursor.close(), yCursor.close()]);
  }
}
