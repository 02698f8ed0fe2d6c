import { round } from './baseline';
import type { DecisionOutcome, MetricName } from './decision';
import { metricValue } from './decision';
import type { Metrics } from './metrics';
import type { EvaluationReport } from './report';

/**
 * The evaluation of a job as the catalog entry and the notifications carry it
 * (`evaluation`): the decision and why, with the figures when it was scored.
 */
export interface Verdict {
  decision: DecisionOutcome | 'evaluation-failed' | 'not-evaluated';
  /** Why, in words, e.g. "accuracy 0.953 on 30 held-out rows; ...: promoted". */
  summary: string;
  reason: string;
  /** What the owner can do, for failures. */
  hint?: string;
  metric?: MetricName;
  testRows?: number;
  metrics?: Metrics;
  baseline?: { description: string; metrics: Metrics };
  champion?: { job: string; metrics: Metrics };
  /** Why the dataset's champion was not scored on these rows. */
  championSkipped?: string;
  /** `s3://<bucket>/evaluation/<dataset>/<job>/evaluation.json`. */
  evaluationUri?: string;
}

const DECISION_WORDS: Record<Verdict['decision'], string> = {
  promoted: 'promoted',
  'kept-champion': 'the champion stays',
  'pending-approval': 'waiting for approval',
  'not-better-than-baseline': 'not promoted: no better than guessing',
  'evaluation-failed': 'not evaluated',
  'not-evaluated': 'not evaluated',
};

/**
 * The verdict of a scored evaluation, from its report. `supersededBy` names a
 * model trained later that became the champion while this one was scored: a
 * promotion then keeps that champion, since the pointer never moves back.
 */
export function verdictOfReport(
  report: EvaluationReport,
  evaluationUri: string,
  championSkipped?: string,
  supersededBy?: string,
): Verdict {
  const r = report.sagedrop;
  const { metric } = r.decision;
  const value = metricValue(r.metrics, metric);
  const base = metricValue(r.baseline.metrics, metric);
  const parts = [`${metric} ${round(value ?? Number.NaN)} on ${r.testRows} held-out rows`];
  parts.push(`${r.baseline.description} scores ${round(base ?? Number.NaN)}`);
  if (r.champion) {
    const current = metricValue(r.champion.metrics, metric);
    parts.push(`the current champion scores ${round(current ?? Number.NaN)} on the same rows`);
  } else if (championSkipped) {
    parts.push(`the champion was not compared (${championSkipped})`);
  }
  const superseded = supersededBy !== undefined && r.decision.decision === 'promoted';
  const decision = superseded ? 'kept-champion' : r.decision.decision;
  const outcome = superseded
    ? `not promoted: ${supersededBy}, trained later, is the champion already`
    : DECISION_WORDS[decision];
  const verdict: Verdict = {
    decision,
    summary: `${parts.join('; ')}: ${outcome}`,
    reason: superseded
      ? `${r.decision.reason} A model trained later, ${supersededBy}, became the champion while this one was scored, and the champion never moves back to an older model.`
      : r.decision.reason,
    metric,
    testRows: r.testRows,
    metrics: r.metrics,
    baseline: r.baseline,
    evaluationUri,
  };
  if (r.champion) verdict.champion = r.champion;
  if (championSkipped) verdict.championSkipped = championSkipped;
  return verdict;
}

/** The verdict of an evaluation that could not score the models. */
export function failedVerdict(reason: string, hint: string): Verdict {
  return { decision: 'evaluation-failed', summary: `not evaluated: ${reason}`, reason, hint };
}

/** The verdict of a job that is not evaluated at all (no test rows, an unreadable output format). */
export function notEvaluatedVerdict(reason: string): Verdict {
  return { decision: 'not-evaluated', summary: `not evaluated: ${reason}`, reason };
}
