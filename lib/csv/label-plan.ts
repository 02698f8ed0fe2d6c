import { DatasetRejectedError } from './errors';
import { isNumberText } from './scan-tables';

/** What a run learns: classes, or a number. */
export type Task = 'classification' | 'regression';

/** Whole-number labels with at most this many distinct values are classes. */
export const MAX_INTEGER_CLASSES = 20;
/** Most classes sagedrop encodes (text labels with more distinct values are rejected). */
export const MAX_CLASSES = 1000;

/** The rule, as the README, the manifest and the notification state it. */
export const TASK_RULE =
  `labels that are text or true/false, or whole numbers with at most ${MAX_INTEGER_CLASSES} distinct values, ` +
  'are classes; any other numbers are a regression target';

const BOOLEAN = /^(true|false)$/i;
const INTEGER = /^[+-]?\d+(\.0*)?$/;

/** The labels of y.csv as the inspection saw them, in constant memory. */
export class LabelScan {
  /** Distinct labels as written, up to `MAX_CLASSES + 1`. */
  readonly distinct = new Set<string>();
  rows = 0;
  allNumbers = true;
  allIntegers = true;
  allBooleans = true;
  /** A label that is not a number, for messages. */
  firstText: string | undefined;

  /** Notes one label; an empty one is left to the merge, which rejects or keeps it by the numeric policy. */
  note(text: string): void {
    this.rows += 1;
    if (text === '') return;
    // A value seen before changes nothing but the count (most labels repeat).
    if (this.distinct.has(text)) return;
    if (this.distinct.size <= MAX_CLASSES) this.distinct.add(text);
    if (this.allBooleans && !BOOLEAN.test(text)) this.allBooleans = false;
    if (!this.allNumbers) return;
    if (!isNumberText(text)) {
      this.allNumbers = false;
      this.allIntegers = false;
      this.firstText = text;
      return;
    }
    if (this.allIntegers && !INTEGER.test(text)) this.allIntegers = false;
  }

  /** Notes a label equal to one noted before: only the count changes. */
  noteRepeat(): void {
    this.rows += 1;
  }

  /** Distinct values, counting `1` and `1.0` once when every label is a number. */
  distinctValues(): number {
    if (!this.allNumbers) return this.distinct.size;
    return new Set([...this.distinct].map((text) => Number(text))).size;
  }
}

/** The task of a run, why, and how labels are written to the channels. */
export interface LabelPlan {
  task: Task;
  /** Why, in words a user can check; names the setting that overrides it. */
  reason: string;
  /** Classification only: the label of class i as written in y.csv, in code order. */
  classes?: string[];
  /** Label as written -> the code written to the channels; absent when labels are written as they are. */
  encoding?: Map<string, string>;
}

function describeClasses(classes: string[]): string {
  const shown = classes.slice(0, 10).map((name, code) => `${JSON.stringify(name)} -> ${code}`);
  return `${shown.join(', ')}${classes.length > 10 ? `, … (${classes.length} classes)` : ''}`;
}

/** Orders distinct labels into classes: numbers by value, false before true, text by code point. */
function orderClasses(scan: LabelScan): { classes: string[]; codes: Map<string, string>; order: string } {
  const texts = [...scan.distinct];
  const codes = new Map<string, string>();
  const classes: string[] = [];
  let key: (text: string) => string;
  let order: string;
  if (scan.allNumbers) {
    texts.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
    key = (text) => String(Number(text));
    order = 'in increasing order';
  } else if (scan.allBooleans) {
    texts.sort(
      (a, b) => Number(a.toLowerCase() === 'true') - Number(b.toLowerCase() === 'true') || (a < b ? -1 : 1),
    );
    key = (text) => text.toLowerCase();
    order = 'false before true';
  } else {
    texts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    key = (text) => text;
    order = 'in sorted order';
  }
  const byKey = new Map<string, number>();
  for (const text of texts) {
    let code = byKey.get(key(text));
    if (code === undefined) {
      code = classes.length;
      byKey.set(key(text), code);
      classes.push(scan.allNumbers ? key(text) : text);
    }
    codes.set(text, String(code));
  }
  return { classes, codes, order };
}

/**
 * Decides the task from the labels (`TASK_RULE`) unless `task` is set, and
 * for a classification encodes the classes as 0..N-1 in a stated order. The
 * encoding is left out when the labels already are those codes, as written.
 * Throws `DatasetRejectedError` when a classification would have more than
 * `MAX_CLASSES` classes.
 */
export function planLabels(
  scan: LabelScan,
  task: Task | undefined,
  yFile: string,
  settingsFile: string,
): LabelPlan {
  const override = (other: Task) => `set "task": "${other}" in ${settingsFile} to change it`;
  if (task === 'regression') {
    return { task, reason: `"task": "regression" is set in ${settingsFile}` };
  }
  let why: string;
  if (task === 'classification') why = `"task": "classification" is set in ${settingsFile}`;
  else if (scan.allNumbers && (!scan.allIntegers || scan.distinctValues() > MAX_INTEGER_CLASSES)) {
    const what = scan.allIntegers
      ? `whole numbers with more than ${MAX_INTEGER_CLASSES} distinct values`
      : 'numbers that are not all whole';
    return {
      task: 'regression',
      reason: `the labels in ${yFile} are ${what}; ${override('classification')}`,
    };
  } else if (scan.allNumbers) {
    why = `the labels in ${yFile} are whole numbers with ${scan.distinctValues()} distinct values (at most ${MAX_INTEGER_CLASSES} are classes)`;
  } else if (scan.allBooleans) why = `the labels in ${yFile} are true/false`;
  else why = `the labels in ${yFile} are text (e.g. ${JSON.stringify(scan.firstText ?? '')})`;
  if (scan.distinct.size > MAX_CLASSES) {
    throw new DatasetRejectedError(
      'TOO_MANY_CLASSES',
      `${yFile} has more than ${MAX_CLASSES} distinct labels, too many classes to train a classifier on`,
      { file: yFile },
      scan.allNumbers
        ? `For a numeric target remove "task": "classification" from ${settingsFile}.`
        : `Labels that are text are classes: give ${yFile} at most ${MAX_CLASSES} different labels, or numeric labels for a regression.`,
    );
  }
  const { classes, codes, order } = orderClasses(scan);
  const identity = [...codes].every(([text, code]) => text === code);
  const plan: LabelPlan = {
    task: 'classification',
    reason: `${why}; classes are numbered ${order}: ${describeClasses(classes)}; ${override('regression')}`,
    classes,
  };
  if (!identity) plan.encoding = codes;
  return plan;
}
