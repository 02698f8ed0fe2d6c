import type { Verdict } from './checks';
import type { ReliabilityReport } from './harness';
import type { IdenticalKind } from './plan';

/** Lost, duplicated and partial findings over a set of datasets. */
export interface Damage {
  lost: number;
  duplicated: number;
  partial: number;
}

export interface FuzzFigure {
  name: string;
  inputs: number;
  /** Accepted, with the reference's result. */
  matched: number;
  /** Rejected with the library's own error. */
  rejectedCleanly: number;
  /** Inputs that threw unexpectedly, hung, or disagreed with the reference. */
  failures: number;
  examples: string[];
}

function damageOf(verdicts: Verdict[]): Damage {
  return verdicts.reduce<Damage>(
    (sum, v) => ({
      lost: sum.lost + v.lost.length,
      duplicated: sum.duplicated + v.duplicated.length,
      partial: sum.partial + v.partial.length,
    }),
    { lost: 0, duplicated: 0, partial: 0 },
  );
}

/** Everything that makes a run fail, as sentences; empty when the run is clean. */
export function problemsOf(report: ReliabilityReport, fuzz: FuzzFigure[]): string[] {
  const problems: string[] = [];
  for (const v of report.verdicts) {
    for (const [what, list] of Object.entries({
      lost: v.lost,
      duplicated: v.duplicated,
      partial: v.partial,
      escaped: v.escaped,
    })) {
      for (const item of list) problems.push(`${v.dataset}: ${what}: ${item}`);
    }
  }
  for (const item of report.layoutProblems) problems.push(`layout: ${item}`);
  if (report.ignored.notified !== report.ignored.uploads)
    problems.push(
      `"Upload Ignored": ${report.ignored.notified} notifications for ${report.ignored.uploads} ignored uploads`,
    );
  for (const item of report.onFailure.unexpected) problems.push(`on-failure queue (unexpected): ${item}`);
  for (const item of report.onFailure.missing)
    problems.push(`persistent fault for ${item} left no on-failure record`);
  for (const f of fuzz) {
    if (f.failures > 0)
      problems.push(`fuzz ${f.name}: ${f.failures} unexpected, e.g. ${f.examples[0] ?? ''}`);
  }
  return problems;
}

const IDENTICAL_ROWS: [IdenticalKind, string][] = [
  ['x-again', 'x.csv alone'],
  ['pair-again', 'x.csv, then y.csv'],
  ['pair-again-at-once', 'x.csv and y.csv at once'],
];

const pad = (text: string | number, width: number) => String(text).padStart(width);
const row = (label: string, count: number, damage?: Damage) =>
  `  ${label.padEnd(40)}${pad(count, 9)}${damage ? `${pad(damage.lost, 7)}${pad(damage.duplicated, 12)}${pad(damage.partial, 9)}` : ''}`;

/** The figures `npm run reliability` prints, one line each. */
export function formatReport(report: ReliabilityReport, fuzz: FuzzFigure[]): string[] {
  const all = damageOf(report.verdicts);
  const touched = (names: Set<string> | undefined) =>
    damageOf(report.verdicts.filter((v) => names?.has(v.dataset)));
  const replayed = report.replayed.s3 + report.replayed.eventBridge + report.replayed.late;
  // EventBridge duplicates are counted with the replayed events, not again here.
  const faults = Object.entries(report.faults)
    .filter(([kind]) => kind !== 'eventbridge-duplicate')
    .reduce((sum, [, count]) => sum + count, 0);
  const escaped = report.verdicts.reduce((n, v) => n + v.escaped.length, 0) + report.layoutProblems.length;
  const header = `  ${''.padEnd(40)}${pad('count', 9)}${pad('lost', 7)}${pad('duplicated', 12)}${pad('partial', 9)}`;
  const lines = [
    `sagedrop reliability: seed ${report.seed}, ${report.datasets} datasets, ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `  checked: ${report.totals.runs} runs, jobs and catalog entries; ${report.totals.rejections} rejections; ` +
      `${report.totals.notifications} notifications sent; ${report.totals.jobRequests} CreateTrainingJob calls reached SageMaker`,
    '',
    'Events replayed',
    header,
    row('total', replayed, all),
    row('S3 events delivered more than once', report.replayed.s3),
    row('EventBridge events delivered again', report.replayed.eventBridge),
    row('old events replayed after the fact', report.replayed.late),
    '',
    'Concurrent races',
    header,
    row(
      `x/y merges at once (${report.races.datasets} datasets)`,
      report.races.xy,
      touched(report.touched.race),
    ),
    row('same upload handled twice at once', report.races.duplicate),
    '',
    'Identical bytes uploaded again, each time after the last settled (x alone must start no run)',
    `  ${''.padEnd(40)}${pad('count', 9)}${pad('lost', 7)}${pad('duplicated', 12)}${pad('partial', 9)}${pad('runs', 7)}`,
    ...IDENTICAL_ROWS.map(([kind, label]) => {
      const figure = report.identical[kind];
      return `${row(`${label} (${figure.datasets} datasets)`, figure.uploads, touched(report.touched[kind]))}${pad(figure.runsExpected, 7)}`;
    }),
    '',
    'Faults injected',
    header,
    row('total (EventBridge duplicates excluded)', faults, all),
    ...Object.entries(report.faults).map(([kind, count]) => row(kind, count, touched(report.touched[kind]))),
    '',
    'Fuzz inputs',
    `  ${''.padEnd(40)}${pad('count', 9)}${pad('matched', 9)}${pad('rejected', 10)}${pad('unexpected', 12)}`,
    ...fuzz.map(
      (f) =>
        `  ${f.name.padEnd(40)}${pad(f.inputs, 9)}${pad(f.matched, 9)}${pad(f.rejectedCleanly, 10)}${pad(f.failures, 12)}`,
    ),
    '',
    'Failures and limits',
    `  Lambda attempts retried: ${report.lambdaRetries}`,
    `  uploads the pipeline never reads: ${report.ignored.uploads}, "Upload Ignored" notifications: ${report.ignored.notified}`,
    `  on-failure queue: ${report.onFailure.expected} expected (persistent faults), ${report.onFailure.unexpected.length} unexpected, ${report.onFailure.missing.length} silent`,
    `  names, keys, roles, buckets, outputs, images outside the stack's bounds: ${escaped}`,
  ];
  return lines;
}
