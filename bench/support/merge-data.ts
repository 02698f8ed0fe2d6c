import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, readSync, statSync } from 'node:fs';
import { channelOf, seedHash, splitCuts } from '../../lib/csv/split';

const CHUNK = 1024 * 1024;
export const FEATURES = 20;

/** Deterministic features in [-100, 100) with up to 5 decimals (trailing zeros dropped) and labels 0-9. */
export async function generate(xPath: string, yPath: string, rows: number, seed: number): Promise<void> {
  let state = seed >>> 0 || 1;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const x = createWriteStream(xPath, { highWaterMark: CHUNK });
  const y = createWriteStream(yPath, { highWaterMark: CHUNK });
  let xText = '';
  let yText = '';
  for (let row = 0; row < rows; row += 1) {
    let line = '';
    for (let feature = 0; feature < FEATURES; feature += 1) {
      const value = (random() * 200 - 100).toFixed(5).replace(/\.?0+$/, '');
      line += feature === 0 ? value : `,${value}`;
    }
    xText += `${line}\n`;
    yText += `${Math.floor(random() * 10)}\n`;
    if (xText.length > CHUNK) {
      const xOk = x.write(xText);
      const yOk = y.write(yText);
      xText = '';
      yText = '';
      if (!xOk) await once(x, 'drain');
      if (!yOk) await once(y, 'drain');
    }
  }
  x.end(xText);
  y.end(yText);
  await Promise.all([once(x, 'close'), once(y, 'close')]);
}

/** Lines of a file, read synchronously in chunks (LF endings, as the merge writes them). */
export class LineReader {
  private readonly fd: number;
  private buf = Buffer.alloc(CHUNK);
  private pos = 0;
  private end = 0;
  private eof = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  next(): string | undefined {
    for (;;) {
      const lf = this.buf.indexOf(0x0a, this.pos);
      if (lf >= 0 && lf < this.end) {
        const line = this.buf.toString('latin1', this.pos, lf);
        this.pos = lf + 1;
        return line;
      }
      if (this.eof) {
        if (this.pos === this.end) return undefined;
        const line = this.buf.toString('latin1', this.pos, this.end);
        this.pos = this.end;
        return line;
      }
      const rest = this.end - this.pos;
      if (rest * 2 > this.buf.length) {
        const bigger = Buffer.alloc(this.buf.length * 2);
        this.buf.copy(bigger, 0, this.pos, this.end);
        this.buf = bigger;
      } else {
        this.buf.copy(this.buf, 0, this.pos, this.end);
      }
      this.pos = 0;
      this.end = rest;
      const read = readSync(this.fd, this.buf, rest, this.buf.length - rest, null);
      if (read === 0) this.eof = true;
      this.end += read;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The lines of several files (a channel's parts), one file after the other. */
export class PartsReader {
  private readonly readers: LineReader[];
  private at = 0;

  constructor(paths: string[]) {
    this.readers = paths.map((path) => new LineReader(path));
  }

  next(): string | undefined {
    for (; this.at < this.readers.length; this.at += 1) {
      const line = (this.readers[this.at] as LineReader).next();
      if (line !== undefined) return line;
    }
    return undefined;
  }

  close(): void {
    for (const reader of this.readers) reader.close();
  }
}

/** Each channel's files in order: one, or its parts when it was written sharded. */
export interface ChannelFiles {
  train: string[];
  validation: string[];
  test: string[];
  /** Present when the test channel holds features only (its labels beside it). */
  testLabels?: string;
}

/**
 * Whether the channels hold exactly the rows of `joined` (`label,features`
 * lines, e.g. paste's output), each where the seeded split puts it, in order:
 * train and validation rows whole, test rows whole too or, with a test-labels
 * file, as features with their label there; nothing missing, nothing extra. Returns a description
 * of the first difference, or undefined when they match.
 */
export function checkChannels(
  joined: string,
  files: ChannelFiles,
  split: { seed: string; testFraction: number; validationFraction: number },
): string | undefined {
  const seed = seedHash(split.seed);
  const cuts = splitCuts(split.testFraction, split.validationFraction);
  const expected = new LineReader(joined);
  const readers = {
    train: new PartsReader(files.train),
    validation: new PartsReader(files.validation),
    test: new PartsReader(files.test),
  };
  const labels = files.testLabels === undefined ? undefined : new LineReader(files.testLabels);
  try {
    for (let row = 0; ; row += 1) {
      const line = expected.next();
      if (line === undefined) break;
      const channel = channelOf(seed, cuts, row);
      const got = readers[channel].next();
      if (channel === 'test' && labels !== undefined) {
        const comma = line.indexOf(',');
        const label = labels.next();
        if (got !== line.slice(comma + 1) || label !== line.slice(0, comma)) {
          return `row ${row + 1}: test holds ${JSON.stringify(`${label},${got}`)}, expected ${JSON.stringify(line)}`;
        }
      } else if (got !== line) {
        return `row ${row + 1}: ${channel} holds ${JSON.stringify(got)}, expected ${JSON.stringify(line)}`;
      }
    }
    const all = labels === undefined ? readers : { ...readers, 'test-labels': labels };
    for (const [name, reader] of Object.entries(all)) {
      if (reader.next() !== undefined) return `${name} has rows beyond the input's`;
    }
    return undefined;
  } finally {
    for (const reader of [expected, ...Object.values(readers)]) reader.close();
    labels?.close();
  }
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function fileSize(path: string): number {
  return statSync(path).size;
}
