import { CR, LF, QUOTE } from './scan-tables';

const EMPTY = new Uint8Array(0);

/** Buffer's indexOf (memchr) works on any Uint8Array and is far faster than TypedArray's. */
const indexOfByte = Buffer.prototype.indexOf as (this: Uint8Array, value: number, from: number) => number;

/** What comes next in an input, as `peek` sees it. */
export const Next = {
  /** A record with content starts at `pos`. */
  Record: 0,
  /** A blank line that more data follows: an empty row. */
  Blank: 1,
  /** Nothing but blank lines (or nothing) until the end of the file. */
  End: 2,
  /** Cannot tell yet: call `more()`. */
  NeedMore: 3,
} as const;
export type Next = (typeof Next)[keyof typeof Next];

/**
 * One input file being read: the unread bytes of the current window (`buf`
 * from `pos` to `end`), the rows consumed so far and the line-ending state that
 * spans chunk boundaries. Only the partial record at the end of a window is
 * carried over, so memory stays bounded by the chunk size and the longest row.
 * `buf` may extend past `end` with stale bytes: everything reads up to `end`.
 */
export class InputCursor {
  buf: Uint8Array = EMPTY;
  pos = 0;
  end = 0;
  eof = false;
  /** Rows consumed, as a spreadsheet counts them (header and blank rows included). */
  row = 0;
  /** Columns dropped before the engine (an index column): added to the columns messages name. */
  columnOffset = 0;
  /** The last record ended with CR at the window's end: drop a LF that starts the next chunk. */
  skipLF = false;
  private bomChecked = false;
  /** Blank lines seen but not yet known to be followed by data. */
  private blankRun = 0;
  /** Blank lines known to be followed by data: that many empty rows come next. */
  private confirmedBlank = 0;
  /** Do not look again before this many unread bytes are available (or the end). */
  private wanted = 0;
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly windows: Uint8Array[] = [EMPTY, EMPTY];
  /** The rest of a chunk that `bridge` split, read before the source. */
  private readonly pending: Uint8Array[] = [];

  constructor(
    source: AsyncIterable<Uint8Array>,
    /** Name used in messages, e.g. `raw/iris/x.csv`. */
    readonly file: string,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  /** Asks for at least twice the unread bytes on the next `more()`, so rescans of a long row stay linear. */
  wantMore(): void {
    const unread = this.end - this.pos;
    this.wanted = Math.max(unread * 2, unread + 1);
  }

  /** Reads at least one more chunk (or up to what `wantMore` asked for), or notes the end of input. */
  async more(): Promise<void> {
    this.keepUnread();
    const unread = this.end - this.pos;
    if (unread > 0 && this.wanted === 0 && this.bomChecked) {
      await this.bridge(unread);
      return;
    }
    const chunks: Uint8Array[] = [];
    let total = unread;
    const wanted = Math.max(this.wanted, total + 1);
    while (!this.eof && (total < wanted || (!this.bomChecked && total < 3))) {
      const chunk = await this.nextChunk();
      if (chunk === undefined) break;
      chunks.push(chunk);
      total += chunk.length;
    }
    this.wanted = 0;
    if (chunks.length > 0) this.append(chunks, total);
    if (!this.bomChecked && (total >= 3 || this.eof)) {
      this.bomChecked = true;
      const b = this.buf;
      const p = this.pos;
      if (total >= 3 && b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf) this.pos += 3;
    }
  }

  /**
   * Moves the unread bytes into a window of our own before the source is asked
   * for more: the engine never reads a chunk after asking for the next one, so
   * a source may reuse its buffers.
   */
  private keepUnread(): void {
    const unread = this.end - this.pos;
    if (unread === 0 || this.buf === this.windows[0] || this.buf === this.windows[1]) return;
    let window = this.windows[0] as Uint8Array;
    if (window.length < unread) {
      window = new Uint8Array(Math.max(unread, window.length * 2));
      this.windows[0] = window;
    }
    window.set(this.buf.subarray(this.pos, this.end), 0);
    this.buf = window;
    this.pos = 0;
    this.end = unread;
  }

  /**
   * Joins the partial record left in the window with the next chunk only up to
   * that chunk's first LF; the rest becomes the next window as it is. Copying
   * a few hundred bytes per chunk instead of the whole chunk. If the record
   * goes on past that LF (a quoted line break), the parser asks again and
   * `wantMore` makes the next read a plain join.
   */
  private async bridge(unread: number): Promise<void> {
    const chunk = await this.nextChunk();
    if (chunk === undefined) return;
    const lf = indexOfByte.call(chunk, LF, 0);
    if (lf >= 0 && lf + 1 < chunk.length) {
      this.pending.push(chunk.subarray(lf + 1));
      this.append([chunk.subarray(0, lf + 1)], unread + lf + 1);
    } else {
      this.append([chunk], unread + chunk.length);
    }
  }

  /** The next non-empty piece of input (held-back rest of a chunk first); sets `eof` at the end. */
  private async nextChunk(): Promise<Uint8Array | undefined> {
    for (;;) {
      let chunk = this.pending.pop();
      if (chunk === undefined) {
        const next = await this.iterator.next();
        if (next.done) {
          this.eof = true;
          return undefined;
        }
        chunk = next.value;
        // Plain Uint8Array views only: one element kind keeps the scanning loops monomorphic.
        if (chunk.constructor !== Uint8Array)
          chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      }
      if (this.skipLF && chunk.length > 0) {
        this.skipLF = false;
        if (chunk[0] === LF) chunk = chunk.subarray(1);
      }
      if (chunk.length > 0) return chunk;
    }
  }

  private append(chunks: Uint8Array[], total: number): void {
    const unread = this.end - this.pos;
    if (unread === 0 && chunks.length === 1) {
      this.buf = chunks[0] as Uint8Array;
    } else {
      // Two windows used in turn rather than a new one per chunk: fresh memory
      // costs a page fault per 4 KiB on first touch, which dominated the merge.
      const slot = this.buf === this.windows[0] ? 1 : 0;
      let joined = this.windows[slot] as Uint8Array;
      if (joined.length < total) {
        joined = new Uint8Array(Math.max(total, joined.length * 2));
        this.windows[slot] = joined;
      }
      joined.set(this.buf.subarray(this.pos, this.end), 0);
      let at = unread;
      for (const chunk of chunks) {
        joined.set(chunk, at);
        at += chunk.length;
      }
      this.buf = joined;
    }
    this.pos = 0;
    this.end = total;
  }

  /**
   * Looks at what comes next without consuming a row. Runs of blank lines are
   * consumed into a counter (not kept in memory) until it is known whether
   * data follows them: blank lines at the end of a file are not rows.
   */
  peek(): Next {
    if (this.confirmedBlank > 0) return Next.Blank;
    const b = this.buf;
    let p = this.pos;
    const end = this.end;
    while (p < end) {
      const byte = b[p] as number;
      if (byte === LF) {
        this.blankRun += 1;
        p += 1;
      } else if (byte === CR) {
        this.blankRun += 1;
        p += 1;
        if (p < end) {
          if (b[p] === LF) p += 1;
        } else if (!this.eof) {
          this.skipLF = true;
        }
      } else {
        this.pos = p;
        if (this.blankRun === 0) return Next.Record;
        this.confirmedBlank = this.blankRun;
        this.blankRun = 0;
        return Next.Blank;
      }
    }
    this.pos = p;
    return this.eof ? Next.End : Next.NeedMore;
  }

  /** No blank rows pending: the next row, if any, starts at `pos`. */
  plain(): boolean {
    return this.confirmedBlank === 0 && this.blankRun === 0;
  }

  /** Consumes one confirmed blank row (after `peek` returned `Blank`). */
  takeBlank(): void {
    this.confirmedBlank -= 1;
    this.row += 1;
  }

  /** Data rows left from here to the end of the input (reads it all; quote-aware; nothing kept). */
  async countRemainingRows(): Promise<number> {
    let rows = this.confirmedBlank;
    let blanks = 0;
    let inQuotes = false;
    let closing = false;
    let fieldStart = true;
    let lineHasContent = false;
    let afterCR = false;
    for (;;) {
      const b = this.buf;
      for (let p = this.pos; p < this.end; p += 1) {
        const byte = b[p] as number;
        if (afterCR) {
          afterCR = false;
          if (byte === LF) continue;
        }
        if (inQuotes) {
          if (closing) {
            closing = false;
            if (byte === QUOTE) continue;
            inQuotes = false;
          } else {
            if (byte === QUOTE) closing = true;
            continue;
          }
        }
        if (byte === LF || byte === CR) {
          if (lineHasContent) {
            rows += blanks + 1;
            blanks = 0;
          } else {
            blanks += 1;
          }
          lineHasContent = false;
          fieldStart = true;
          afterCR = byte === CR;
          continue;
        }
        lineHasContent = true;
        if (byte === QUOTE && fieldStart) inQuotes = true;
        fieldStart = byte === 0x2c;
      }
      this.pos = this.end;
      if (this.eof) break;
      await this.more();
    }
    if (lineHasContent) rows += blanks + 1;
    return rows;
  }

  /** Releases the source (e.g. destroys the underlying stream) when the merge stops early. */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}
