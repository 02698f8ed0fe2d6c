import { groupThousands } from '../format';
import type { PredictionsFailedDetail, PredictionsReadyDetail, PredictionsRejectedDetail } from './events';
import { type Backend, fields, metricLines, transformLogsLine, whereLine, wrap } from './render';

/** The email body of `Predictions Ready`. */
export function renderPredictionsReady(d: PredictionsReadyDetail): string[] {
  return [
    `The predictions for ${d.input} are ready: ${groupThousands(d.rows)} rows scored by the champion of "${d.dataset}".`,
    '',
    ...fields([
      ['Predictions', d.outputUri],
      ['Record', d.recordUri],
      ['Columns added', d.columns.join(', ')],
      ['Model', `${d.job} (${d.algorithm})`],
      ['Judged on', d.metric],
      ['Transform job', d.transformJob],
    ]),
    '',
    "The model's metrics on its held-out rows:",
    ...metricLines(d.metrics),
  ];
}

/** The email body of `Predictions Rejected`. */
export function renderPredictionsRejected(d: PredictionsRejectedDetail): string[] {
  const where = whereLine(d);
  return [
    `sagedrop could not score ${d.input}. Nothing was written under predictions/.`,
    '',
    ...fields([
      ['Problem', d.message],
      ['Where', where],
      ['Code', d.code],
      ['Full report', d.reportUri],
    ]),
    '',
    'What to do:',
    ...wrap(d.hint),
    '',
    'The uploaded file stays where it is.',
  ];
}

/** The email body of `Predictions Failed`. */
export function renderPredictionsFailed(d: PredictionsFailedDetail, backend: Backend): string[] {
  return [
    `The batch transform scoring ${d.input} ${d.status === 'Stopped' ? 'was stopped' : 'failed'}. Nothing was written under predictions/.`,
    '',
    ...fields([
      ['Reason', d.reason],
      ['Model', d.job],
      ['Transform job', d.transformJob],
    ]),
    '',
    'What to do:',
    ...wrap(d.hint),
    '',
    transformLogsLine(d.transformJob, backend),
  ];
}
