import { keys, UNKNOWN_DATASET } from '../layout';
import type { Verdict } from '../models/verdict';
import { TRAINING_LOG_GROUP, TRANSFORM_LOG_GROUP } from '../training/failure-advice';
import type {
  ApprovedDetail,
  EndpointUpdatedDetail,
  EvaluatedDetail,
  EventFailedDetail,
  FinishedDetail,
  IgnoredDetail,
  NotStartedDetail,
  PipelineEvent,
  RejectedDetail,
  StartedDetail,
} from './events';
import {
  renderPredictionsFailed,
  renderPredictionsReady,
  renderPredictionsRejected,
} from './render-predictions';

/** SNS rejects subjects longer than 100 characters. */
export const MAX_SUBJECT_LENGTH = 100;

/** Letters NFKD does not take apart, as people write them in ASCII. */
const ASCII_SPELLING: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ø: 'o',
  Ø: 'O',
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  þ: 'th',
  Þ: 'Th',
  ð: 'd',
  Ð: 'D',
  ı: 'i',
};

/** `\u30C7`, or `\u{1F680}` beyond the basic plane: what JSON and JavaScript readers know. */
function escapeCodePoint(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  const hex = code.toString(16).toUpperCase();
  return code > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}

/**
 * An SNS subject, which SNS accepts only as printable ASCII without line
 * breaks, at most 100 characters: accents are dropped (`données` becomes
 * `donnees`), letters with a usual ASCII spelling take it (`ß` is `ss`), and any
 * other character is written as its code point (`データ` becomes
 * `\u30C7\u30FC\u30BF`) rather than lost as `?`. Longer subjects are cut
 * with `...`, between characters.
 */
export function subjectLine(text: string): string {
  const pieces = [...text.normalize('NFC').replace(/\s+/g, ' ').trim()].map((char) => {
    if (/[\x20-\x7e]/.test(char)) return char;
    const plain = char.normalize('NFKD').replace(/\p{M}/gu, '');
    if (/^[\x20-\x7e]+$/.test(plain)) return plain;
    return ASCII_SPELLING[char] ?? escapeCodePoint(char);
  });
  const whole = pieces.join('');
  if (whole.length <= MAX_SUBJECT_LENGTH) return whole;
  // Cut between pieces, so an escape is never left half written.
  let cut = '';
  for (const piece of pieces) {
    if (cut.length + piece.length > MAX_SUBJECT_LENGTH - 3) break;
    cut += piece;
  }
  return `${cut}...`;
}

/** A number as a person reads it: up to 6 significant digits, no exponent for everyday values. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e15)) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

/** Bytes with a binary unit: `512 B`, `12.3 KiB`, `4.1 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `95 s`, `5 min 12 s`, `2 h 3 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `text` wrapped at 76 columns, each line indented by `indent`. */
export function wrap(text: string, indent = '  '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > 76) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

/** `label:  value` lines, aligned, skipping missing values. */
export function fields(rows: [string, string | number | undefined][]): string[] {
  const present = rows.filter(
    (row): row is [string, string | number] => row[1] !== undefined && row[1] !== '',
  );
  const width = Math.max(0, ...present.map(([label]) => label.length)) + 2;
  return present.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`);
}

/** One line per metric, names aligned. */
export function metricLines(metrics: Record<string, number>): string[] {
  const names = Object.keys(metrics).sort();
  if (names.length === 0) return ['The algorithm reported no final metrics.'];
  const width = Math.max(...names.map((n) => n.length)) + 2;
  return names.map((name) => `  ${name.padEnd(width)}${formatNumber(metrics[name] ?? Number.NaN)}`);
}

/** Where the pipeline runs: on AWS, or on this machine (`sagedrop local`, `serve`, `demo`). */
export type Backend = 'aws' | 'local';

export interface RenderOptions {
  /** Local runs bill nothing and log nowhere in CloudWatch: their messages say so. Default `aws`. */
  backend?: Backend;
}

function timeLine(d: FinishedDetail, backend: Backend): string | undefined {
  if (d.trainingSeconds === undefined) return undefined;
  let line = `Trained for ${formatDuration(d.trainingSeconds)}`;
  if (backend === 'local') return `${line} on this machine.`;
  if (d.billableSeconds !== undefined) line += `, billed ${formatDuration(d.billableSeconds)}`;
  if (d.spotSavings !== undefined) line += ` (spot training saved ${Math.round(d.spotSavings * 100)} %)`;
  return `${line}.`;
}

function logsLine(job: string, backend: Backend): string {
  if (backend === 'local') return "Logs: the local trainer's log lines, printed with --verbose.";
  return `Logs: CloudWatch log group ${TRAINING_LOG_GROUP}, streams starting with "${job}/".`;
}

/** Where a batch transform's logs are: CloudWatch on AWS, the local scorer's lines on this machine. */
export function transformLogsLine(transformJob: string | undefined, backend: Backend): string {
  if (backend === 'local') return "Logs: the local scorer's log lines, printed with --verbose.";
  const streams = transformJob ? `, streams starting with "${transformJob}/"` : '';
  return `Logs: CloudWatch log group ${TRANSFORM_LOG_GROUP}${streams}.`;
}

function renderCompleted(d: FinishedDetail, backend: Backend): string[] {
  const model = d.modelArtifact
    ? `${d.modelArtifact}${d.modelArtifactBytes !== undefined ? ` (${formatBytes(d.modelArtifactBytes)})` : ''}`
    : undefined;
  const lines = [
    `The model of dataset "${d.dataset}" is trained.`,
    '',
    ...fields([
      ['Model', model],
      ['Algorithm', d.algorithm],
      ['Training job', d.job],
      ['Run', d.run],
      ['Catalog entry', d.catalogUri],
      ['Model package', d.modelPackageArn],
    ]),
    '',
    'Final metrics:',
    ...metricLines(d.metrics),
  ];
  if (d.evaluation) lines.push('', 'Evaluation:', ...evaluationLines(d.evaluation));
  const time = timeLine(d, backend);
  if (time) lines.push('', time);
  lines.push('', 'What next:');
  if (d.modelPackageArn && d.evaluation?.decision === 'pending-approval') {
    lines.push(...approvalLines(d.modelPackageArn));
  } else if (d.modelPackageArn && d.evaluation?.decision !== 'promoted') {
    lines.push(
      `  - The model is registered in the SageMaker Model Registry (group ${d.modelPackageGroup ?? 'of the dataset'})`,
      '    as "pending manual approval".',
    );
  }
  if (d.evaluation?.decision === 'promoted') {
    lines.push(`  - ${keys.catalogChampion(d.dataset)} names it: it is the model predictions use.`);
  }
  lines.push(
    `  - ${keys.catalogLatest(d.dataset)} names the newest model of the dataset.`,
    `  - To train with other settings, edit ${keys.raw(d.dataset, 'settings')}`,
    '    and upload x.csv and y.csv again.',
  );
  return lines;
}

/** How a person makes a model waiting for approval the champion. */
function approvalLines(modelPackageArn: string): string[] {
  return [
    `  - Approve model package ${modelPackageArn} to make it the champion:`,
    `    aws sagemaker update-model-package --model-package-arn ${modelPackageArn} --model-approval-status Approved`,
    '    (or in SageMaker Studio, Models > Registered models).',
  ];
}

/** The verdict with its figures, then why, each said once. */
function evaluationLines(v: Verdict): string[] {
  const summary = v.summary.charAt(0).toUpperCase() + v.summary.slice(1);
  const lines = wrap(summary.endsWith('.') ? summary : `${summary}.`);
  if (v.reason && !v.summary.includes(v.reason)) lines.push(...wrap(v.reason));
  if (v.hint) lines.push(...wrap(`What to do: ${v.hint}`));
  if (v.evaluationUri) lines.push(`  Report: ${v.evaluationUri}`);
  return lines;
}

function renderEvaluated(d: EvaluatedDetail, backend: Backend): string[] {
  const lines = [
    `The model of dataset "${d.dataset}" was scored on its run's held-out rows.`,
    '',
    ...fields([
      ['Training job', d.job],
      ['Run', d.run],
      ['Model package', d.modelPackageArn],
      ['Champion', d.championUri],
    ]),
    '',
    ...evaluationLines({
      decision: d.decision,
      summary: d.summary,
      reason: d.reason,
      ...(d.hint ? { hint: d.hint } : {}),
      ...(d.evaluationUri ? { evaluationUri: d.evaluationUri } : {}),
    }),
  ];
  if (d.decision === 'pending-approval' && d.modelPackageArn) {
    lines.push('', 'What next:', ...approvalLines(d.modelPackageArn));
  }
  if (d.decision === 'evaluation-failed') lines.push('', transformLogsLine(undefined, backend));
  return lines;
}

function renderApproved(d: ApprovedDetail): string[] {
  return [
    `A model of dataset "${d.dataset}" was approved in the model registry.`,
    '',
    ...fields([
      ['Training job', d.job],
      ['Model package', d.modelPackageArn],
      ['Champion', d.championUri],
    ]),
    '',
    ...wrap(d.reason),
  ];
}

function renderUnfinished(d: FinishedDetail, outcome: string, backend: Backend): string[] {
  const lines = [
    `Training of dataset "${d.dataset}" ${outcome}.`,
    '',
    ...fields([
      [
        'Why',
        d.failureReason ?? (d.status === 'Stopped' ? 'the job was stopped' : 'SageMaker gave no reason'),
      ],
      ['Step', d.failedStep],
      ['Status', d.secondaryStatus && d.secondaryStatus !== d.status ? d.secondaryStatus : undefined],
      ['Training job', d.job],
      ['Run', d.run],
      ['Catalog entry', d.catalogUri],
      ['Partial model', d.modelArtifact],
    ]),
  ];
  if (d.hint) lines.push('', 'What to do:', ...wrap(d.hint));
  const time = timeLine(d, backend);
  if (time) lines.push('', time);
  lines.push('', logsLine(d.job, backend));
  return lines;
}

/** Where in the data a rejection happened: `x.csv, row 12, column 3`, as much of it as is known. */
export function whereLine(d: { file?: string; row?: number; column?: number }): string {
  return [
    d.file,
    d.row !== undefined ? `row ${d.row}` : '',
    d.column !== undefined ? `column ${d.column}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function renderRejected(d: RejectedDetail): string[] {
  const where = whereLine(d);
  return [
    `sagedrop could not use the files of dataset "${d.dataset}". Nothing was trained.`,
    '',
    ...fields([
      ['Problem', d.message],
      ['Where', where],
      ['Run', d.run],
      ['Full report', d.reportUri],
    ]),
    '',
    'What to do:',
    ...wrap(d.hint),
    '',
    'The uploaded files stay where they are. Upload corrected x.csv and y.csv to start again.',
  ];
}

function renderIgnored(d: IgnoredDetail): string[] {
  return [
    `sagedrop will not read ${d.file}: ${d.reason}. Nothing was started.`,
    '',
    ...fields([
      ['File', d.file],
      ['Version', d.versionId],
      ['Files read', d.expected.join(', ')],
    ]),
    '',
    'What to do:',
    ...wrap(d.hint),
    '',
    'The upload stays where it is; sagedrop never changes or deletes it.',
  ];
}

function renderStarted(d: StartedDetail, backend: Backend): string[] {
  return [
    `Training of dataset "${d.dataset}" has started. You will get another message when it ends.`,
    '',
    ...fields([
      ['Algorithm', d.algorithm],
      [
        'Instances',
        `${d.instanceCount} x ${d.instanceType}${backend === 'local' ? ' (trained on this machine in their place)' : ''}`,
      ],
      ['Training job', d.job],
      ['Run', d.run],
      ['Manifest', d.manifestUri],
    ]),
    ...(d.instanceNote ? ['', ...wrap(d.instanceNote)] : []),
    ...(d.task ? ['', `Task: ${d.task}`] : []),
    ...(d.inferences && d.inferences.length > 0
      ? ['', 'How the files were read:', ...d.inferences.map((said) => `  - ${said}`)]
      : []),
    '',
    logsLine(d.job, backend),
  ];
}

function renderNotStarted(d: NotStartedDetail): string[] {
  return [
    `Training of dataset "${d.dataset}" could not start. The merged data is kept.`,
    '',
    ...fields([
      ['Why', d.reason],
      ['Training job', d.job],
      ['Run', d.run],
    ]),
    '',
    'What to do:',
    ...wrap(d.hint),
  ];
}

function renderEndpoint(d: EndpointUpdatedDetail, backend: Backend): string[] {
  const lines = fields([
    ['Endpoint', d.endpoint],
    ['Region', d.region],
    ['Model (training job)', d.job],
  ]);
  if (d.status === 'InService') {
    lines.push(
      '',
      'The endpoint serves the champion. Ask it with:',
      '',
      ...(d.invokeExample ?? '').split('\n').map((l) => `  ${l}`),
    );
    if (backend === 'aws')
      lines.push('', 'Serverless: billed per request and compute time, nothing while idle.');
  } else if (d.status === 'Failed') {
    lines.push(
      '',
      'SageMaker could not bring the endpoint up on the new model:',
      ...wrap(d.failureReason ?? 'no reason given'),
    );
    lines.push(
      '',
      'A model the endpoint served before keeps serving. A new endpoint that failed is deleted (SageMaker',
      'accepts nothing else on a failed endpoint) and created again with the next promotion or run.',
      `Check the memory setting (endpoint.memoryMb in sagedrop.json) and the logs in /aws/sagemaker/Endpoints/${d.endpoint},`,
      'then upload x.csv and y.csv again to train, evaluate and serve a model.',
    );
  } else {
    lines.push(
      '',
      'The "endpoint" setting was removed from sagedrop.json, so the endpoint and its configs are deleted.',
    );
  }
  return lines;
}

const CONDITIONS: Record<string, string> = {
  RetriesExhausted: 'every attempt failed',
  EventAgeExceeded: 'Lambda could not run it before the event expired (throttling)',
};

function renderEventFailed(d: EventFailedDetail): string[] {
  const about = d.dataset === UNKNOWN_DATASET ? 'an event' : `an event of dataset "${d.dataset}"`;
  const attempts =
    d.attempts !== undefined
      ? `${d.attempts}${d.condition ? ` (${CONDITIONS[d.condition] ?? d.condition})` : ''}`
      : d.condition;
  const lines = [
    `The ${d.function} function failed on ${about}. The event is kept in the failure queue.`,
    '',
    ...fields([
      [
        'Function',
        d.functionName && d.functionName !== d.function ? `${d.function} (${d.functionName})` : d.function,
      ],
      ['Key', d.key],
      ['Run', d.run],
      ['Training job', d.job],
      ['Attempts', attempts],
      ['Failed at', d.failedAt],
      ['Last error', d.errorType ? `${d.errorType}: ${d.error}` : d.error],
      ['Request id', d.requestId],
    ]),
    '',
    'What to do:',
    ...wrap(d.hint),
    '',
    d.replayAfter
      ? `Then replay it, from ${d.replayAfter} on (an attempt that timed out may hold the run's claims until then; replaying is safe: a replayed event never does its work twice):`
      : 'Then replay it (replaying is safe: a replayed event never does its work twice):',
    `  ${d.redrive}`,
  ];
  if (d.logGroup) lines.push('', `Logs: CloudWatch log group ${d.logGroup}, lines with the request id.`);
  return lines;
}

/** The subject's status for each decision. */
const EVALUATED_STATUS: Record<EvaluatedDetail['decision'], string> = {
  promoted: 'new champion',
  'kept-champion': 'champion kept',
  'pending-approval': 'model awaits approval',
  'not-better-than-baseline': 'model no better than guessing',
  'evaluation-failed': 'evaluation failed',
  'not-evaluated': 'model not evaluated',
};

function render(event: PipelineEvent, backend: Backend): { status: string; lines: string[] } {
  switch (event.detailType) {
    case 'Training Completed':
      return { status: 'model ready', lines: renderCompleted(event.detail, backend) };
    case 'Training Failed':
      return { status: 'training failed', lines: renderUnfinished(event.detail, 'failed', backend) };
    case 'Training Stopped':
      return { status: 'training stopped', lines: renderUnfinished(event.detail, 'was stopped', backend) };
    case 'Dataset Rejected':
      return { status: 'dataset rejected', lines: renderRejected(event.detail) };
    case 'Upload Ignored':
      return { status: 'upload ignored', lines: renderIgnored(event.detail) };
    case 'Training Started':
      return { status: 'training started', lines: renderStarted(event.detail, backend) };
    case 'Training Failed To Start':
      return { status: 'training could not start', lines: renderNotStarted(event.detail) };
    case 'Endpoint Updated': {
      const status = {
        InService: 'endpoint in service',
        Failed: 'endpoint failed',
        Deleted: 'endpoint deleted',
      };
      return { status: status[event.detail.status], lines: renderEndpoint(event.detail, backend) };
    }
    case 'Model Evaluated':
      return {
        status: EVALUATED_STATUS[event.detail.decision],
        lines: renderEvaluated(event.detail, backend),
      };
    case 'Model Approved':
      return {
        status: event.detail.promoted ? 'champion approved' : 'approval noted',
        lines: renderApproved(event.detail),
      };
    case 'Pipeline Event Failed':
      return { status: `${event.detail.function} failed`, lines: renderEventFailed(event.detail) };
    case 'Predictions Ready':
      return { status: 'predictions ready', lines: renderPredictionsReady(event.detail) };
    case 'Predictions Rejected':
      return { status: 'predictions rejected', lines: renderPredictionsRejected(event.detail) };
    case 'Predictions Failed':
      return { status: 'predictions failed', lines: renderPredictionsFailed(event.detail, backend) };
  }
}

/**
 * The email a person reads for `event`: a subject naming the status and the
 * dataset (the status first, so a long dataset name is what gets cut), and a
 * plain-text body saying what happened, where the results are and what to do.
 */
export function renderMessage(
  event: PipelineEvent,
  options: RenderOptions = {},
): { subject: string; body: string } {
  const { status, lines } = render(event, options.backend ?? 'aws');
  const subject = subjectLine(`sagedrop: ${status}: ${event.detail.dataset}`);
  const footer = ['', '--', `sagedrop event "${event.detailType}" (schema ${event.detail.schemaVersion}).`];
  return { subject, body: `${[...lines, ...footer].join('\n')}\n` };
}
