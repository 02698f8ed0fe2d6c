import fc from 'fast-check';
import type { MergeOptions } from '../../../lib/csv/types';

/** Arbitraries for CSV datasets that exercise what the merge accepts and (less often) what it rejects. */

const numberText = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('.5', '5.', '+3', '-0.25', '1e5', '2.5E-3', '007', '0', '1.0', '-1'),
);
const oddText = fc.oneof(
  fc.constantFrom('', 'nan', ' 1', 'abc', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'é€', '"', ','),
  fc.string({ maxLength: 6 }),
);

function cell(policy: MergeOptions['numeric']): fc.Arbitrary<string> {
  return policy === 'any'
    ? fc.oneof({ weight: 2, arbitrary: numberText }, { weight: 3, arbitrary: oddText })
    : fc.oneof({ weight: 30, arbitrary: numberText }, { weight: 1, arbitrary: oddText });
}

/** A value as it could appear in a file: quoted when it has to be, sometimes when it does not. */
function written(value: string, quote: boolean): string {
  return quote || /[,\r\n]/.test(value) || value.startsWith('"') ? `"${value.replaceAll('"', '""')}"` : value;
}

const lineEnd = fc.oneof(
  { weight: 6, arbitrary: fc.constant('\n') },
  { weight: 3, arbitrary: fc.constant('\r\n') },
  { weight: 1, arbitrary: fc.constant('\r') },
);

interface FileShape {
  rows: string[][];
  header?: string[];
}

function render(shape: FileShape, extras: { bom: boolean; trailing: string; finalNewline: boolean }) {
  return fc
    .tuple(
      fc.array(lineEnd, { minLength: shape.rows.length + 1, maxLength: shape.rows.length + 1 }),
      fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }),
    )
    .map(([ends, quotes]) => {
      const lines = (shape.header ? [shape.header, ...shape.rows] : shape.rows).map((row, r) =>
        row
          .map((value, c) => written(value, quotes[(r * 7 + c) % 64] === true && (r + c) % 5 === 0))
          .join(','),
      );
      let text = extras.bom ? '\ufeff' : '';
      lines.forEach((line, k) => {
        text += line;
        if (k < lines.length - 1 || extras.finalNewline) text += ends[k] ?? '\n';
      });
      return text + (extras.finalNewline ? extras.trailing : '');
    });
}

const extras = fc.record({
  bom: fc.boolean(),
  trailing: fc.constantFrom('', '', '\n', '\r\n\n'),
  finalNewline: fc.oneof(
    { weight: 4, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
});

export interface Dataset {
  x: string;
  y: string;
  options: MergeOptions;
  xChunks: number[];
  yChunks: number[];
}

/** A pair of files, options and chunkings. */
export const datasets: fc.Arbitrary<Dataset> = fc
  .record({
    policy: fc.constantFrom<MergeOptions['numeric']>('numeric', 'numeric-or-empty', 'any'),
    columns: fc.integer({ min: 1, max: 4 }),
    rows: fc.integer({ min: 0, max: 10 }),
    yExtraRows: fc.oneof(
      { weight: 8, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constantFrom(-1, 1) },
    ),
    xHeader: fc.constantFrom('none', 'none', 'names', 'pandas'),
    yHeader: fc.constantFrom('none', 'none', 'label', 'zero'),
    labelInTraining: fc.boolean(),
    testFraction: fc.constantFrom(0, 0, 0.2, 0.5),
    validationFraction: fc.constantFrom(0, 0.3),
    seed: fc.constantFrom('a', 'seed', 'é'),
  })
  .chain((s) => {
    const xRows = fc.array(
      fc.oneof(
        { weight: 20, arbitrary: fc.array(cell(s.policy), { minLength: s.columns, maxLength: s.columns }) },
        { weight: 1, arbitrary: fc.array(cell(s.policy), { minLength: 0, maxLength: s.columns + 1 }) },
      ),
      { minLength: s.rows, maxLength: s.rows },
    );
    const yCount = Math.max(0, s.rows + s.yExtraRows);
    const yRows = fc.array(
      fc.oneof(
        { weight: 30, arbitrary: cell(s.policy).map((v) => [v]) },
        { weight: 1, arbitrary: fc.tuple(cell(s.policy), cell(s.policy)) },
      ),
      { minLength: yCount, maxLength: yCount },
    );
    const xHeader =
      s.xHeader === 'names'
        ? Array.from({ length: s.columns }, (_, k) => `f${k}`)
        : s.xHeader === 'pandas'
          ? Array.from({ length: s.columns }, (_, k) => String(k))
          : undefined;
    const yHeader = s.yHeader === 'label' ? ['label'] : s.yHeader === 'zero' ? ['0'] : undefined;
    return fc
      .tuple(xRows, yRows, extras, extras)
      .chain(([xr, yr, xe, ye]) =>
        fc.tuple(
          render({ rows: xr, header: xHeader }, xe),
          render({ rows: yr, header: yHeader }, ye),
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
          fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        ),
      )
      .map(([x, y, xChunks, yChunks]) => ({
        x,
        y,
        xChunks,
        yChunks,
        options: {
          xFile: 'x.csv',
          yFile: 'y.csv',
          numeric: s.policy,
          labelInTraining: s.labelInTraining,
          testFraction: s.testFraction,
          validationFraction: s.validationFraction,
          splitSeed: s.seed,
        },
      }));
  });
