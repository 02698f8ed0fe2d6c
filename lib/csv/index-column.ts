import { DatasetRejectedError } from './errors';

/** Header cells pandas writes above its index: empty (`to_csv()`), or `Unnamed: 0` (a CSV read back and written again). */
const INDEX_HEADERS = new Set(['', 'Unnamed: 0']);
const WHOLE_NUMBER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether the first column is an index, and why. */
export interface IndexDecision {
  drop: boolean;
  why: string;
}

/** `0,1,…,n-1`: pandas' default column names. */
function isDefaultNames(cells: string[]): boolean {
  return cells.every((cell, k) => cell === String(k));
}

/**
 * Tells an index column from the first rows of a file (`rows[0]` its first
 * record): the first header cell is empty or `Unnamed: 0` (what pandas writes
 * above the row index), the other header cells are names (no numbers except
 * pandas' default names 0, 1, …), and the cells below it are whole numbers.
 * `setting` (`"indexColumn"`) forces the answer.
 */
export function detectIndexColumn(
  rows: string[][],
  setting: 'keep' | 'drop' | undefined,
  settingsFile: string,
): IndexDecision {
  if (setting === 'keep') return { drop: false, why: `"indexColumn": "keep" is set in ${settingsFile}` };
  if (setting === 'drop') return { drop: true, why: `"indexColumn": "drop" is set in ${settingsFile}` };
  const [header, ...below] = rows;
  if (header === undefined || header.length < 2 || below.length === 0) return { drop: false, why: '' };
  const first = header[0] as string;
  if (!INDEX_HEADERS.has(first)) return { drop: false, why: '' };
  const names = header.slice(1);
  if (!isDefaultNames(names) && names.some((name) => NUMBER.test(name))) return { drop: false, why: '' };
  if (!below.every((row) => WHOLE_NUMBER.test(row[0] ?? ''))) return { drop: false, why: '' };
  const values = below.slice(0, 3).map((row) => row[0]);
  const cell = first === '' ? 'an empty header cell' : 'the header "Unnamed: 0"';
  return {
    drop: true,
    why:
      `its first column has ${cell} above whole numbers (${values.join(', ')}, …), the row index pandas writes ` +
      `unless told index=False; set "indexColumn": "keep" in ${settingsFile} to train on it`,
  };
}

interface Entry {
  value: string;
  row: number;
}

/** A queue that drops what it has handed out now and then, so memory stays bounded by the lag between the files. */
class Queue {
  private items: Entry[] = [];
  private head = 0;

  get empty(): boolean {
    return this.head === this.items.length;
  }

  push(entry: Entry): void {
    this.items.push(entry);
  }

  shift(): Entry {
    const entry = this.items[this.head++] as Entry;
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return entry;
  }
}

/**
 * Checks, while both files stream, that the index columns of x and y agree
 * row by row: different values mean the files were shuffled, sorted or
 * filtered differently, and joining row i with row i would pair the wrong
 * labels. Also rejects an index value that is not a whole number.
 */
export class IndexAgreement {
  private readonly pending = { x: new Queue(), y: new Queue() };

  constructor(
    private readonly xFile: string,
    private readonly yFile: string,
    private readonly settingsFile: string,
  ) {}

  /** A dropped index value of x (`side` x) or y, at `row` of its file. */
  note(side: 'x' | 'y', value: string, row: number): void {
    const file = side === 'x' ? this.xFile : this.yFile;
    if (!WHOLE_NUMBER.test(value)) {
      throw new DatasetRejectedError(
        'INDEX_NOT_WHOLE_NUMBER',
        `${file} row ${row}, column 1: ${JSON.stringify(value.slice(0, 40))} is not a whole number, but column 1 was taken as an index column`,
        { file, row, column: 1 },
        `If column 1 is data, set "indexColumn": "keep" in ${this.settingsFile}; if it is pandas' index, write the file again with index=False.`,
      );
    }
    const other = side === 'x' ? this.pending.y : this.pending.x;
    if (other.empty) {
      this.pending[side].push({ value, row });
      return;
    }
    const partner = other.shift();
    const [xEntry, yEntry] = side === 'x' ? [{ value, row }, partner] : [partner, { value, row }];
    if (Number(xEntry.value) !== Number(yEntry.value)) {
      throw new DatasetRejectedError(
        'INDEX_MISMATCH',
        `${this.xFile} row ${xEntry.row} has index ${xEntry.value} but ${this.yFile} row ${yEntry.row} has index ${yEntry.value}: ` +
          'the files were shuffled, sorted or filtered differently, so row by row they do not belong together',
        { file: this.yFile, row: yEntry.row, column: 1 },
        'Write x.csv and y.csv from the same rows in the same order (e.g. X.to_csv("x.csv") and y.to_csv("y.csv") right after the same split), then upload both again.',
      );
    }
  }
}
