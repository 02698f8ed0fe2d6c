import { DatasetRejectedError } from './errors';

/** The field separators sagedrop reads. */
export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** How a delimiter is named to users and in `sagedrop.json`. */
export const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/** Rows of the start of a file the delimiter is told from. */
export const SNIFF_ROWS = 20;

/**
 * Splits the first `maxRows` records of `text` on `delimiter`, honouring
 * double quotes (a delimiter or line break inside quotes belongs to the
 * value). Blank lines are skipped; an unfinished last record is left out
 * unless `complete` (the text is the whole file).
 */
export function splitRecords(
  text: string,
  delimiter: string,
  maxRows: number,
  complete: boolean,
): string[][] {
  const rows: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let any = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i += 1) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else inQuotes = false;
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      any = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (any || field !== '') {
        fields.push(field);
        rows.push(fields);
      }
      fields = [];
      field = '';
      any = false;
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
    } else {
      field += ch;
      any = true;
    }
  }
  if (complete && !inQuotes && rows.length < maxRows && (any || field !== '')) {
    fields.push(field);
    rows.push(fields);
  }
  return rows;
}

/** What the delimiter of a file is, and why. */
export interface DelimiterChoice {
  delimiter: Delimiter;
  /** Columns of the first row with it. */
  columns: number;
  /** How it was decided, for the manifest and the notification. */
  why: string;
}

/**
 * Tells the delimiter of a file from its first rows (`head`, decoded; `complete`
 * when it is the whole file): a candidate fits when it splits every sampled
 * row into the same number (2 or more) of fields. Tab wins over semicolon and
 * semicolon over comma when several fit, because a comma-separated file rarely
 * has the same number of tabs or semicolons on every row, while a semicolon
 * file with decimal commas often has the same number of commas. A file where
 * none appears has one column (returned as comma). A file where some appear
 * but none fits is rejected naming the delimiters tried, unless only one
 * appears in the first row (then it is taken, and the merge reports the row
 * that differs).
 */
export function detectDelimiter(head: string, file: string, complete: boolean): DelimiterChoice {
  const fits: DelimiterChoice[] = [];
  const inFirstRow: DelimiterChoice[] = [];
  for (const delimiter of DELIMITERS) {
    const rows = splitRecords(head, delimiter, SNIFF_ROWS, complete);
    const first = rows[0];
    if (first === undefined || first.length < 2) continue;
    const columns = first.length;
    inFirstRow.push({ delimiter, columns, why: '' });
    if (rows.every((row) => row.length === columns)) fits.push({ delimiter, columns, why: '' });
  }
  const sampled = Math.min(SNIFF_ROWS, splitRecords(head, '\u0000', SNIFF_ROWS, complete).length);
  const preferred = [...fits].sort((a, b) => rank(b.delimiter) - rank(a.delimiter))[0];
  if (preferred) {
    const others = fits.filter((f) => f !== preferred).map((f) => DELIMITER_NAMES[f.delimiter]);
    return {
      ...preferred,
      why:
        `it splits each of the first ${sampled} rows into ${preferred.columns} fields` +
        (others.length > 0
          ? ` (${others.join(' and ')} fit too; ${DELIMITER_NAMES[preferred.delimiter]} is preferred)`
          : ''),
    };
  }
  if (inFirstRow.length === 0)
    return { delimiter: ',', columns: 1, why: 'no comma, semicolon or tab: one column' };
  if (inFirstRow.length === 1) {
    const only = inFirstRow[0] as DelimiterChoice;
    return { ...only, why: `it is the only delimiter in the first row` };
  }
  const tried = DELIMITERS.map((d) => DELIMITER_NAMES[d]).join(', ');
  throw new DatasetRejectedError(
    'DELIMITER_UNKNOWN',
    `${file}: cannot tell its delimiter: tried ${tried}, and none splits the first ${sampled} rows into the same number of columns`,
    { file, row: 1 },
    `Save ${file} as CSV with one delimiter (comma, semicolon or tab) and the same number of columns on every row, ` +
      'or set "delimiter" in sagedrop.json (",", ";" or "\\t").',
  );
}

function rank(delimiter: Delimiter): number {
  return delimiter === '\t' ? 2 : delimiter === ';' ? 1 : 0;
}
