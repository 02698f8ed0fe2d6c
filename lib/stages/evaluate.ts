import type { DescribeTransformJobResponse } from '@aws-sdk/client-sagemaker';
import type { ScoringEvent } from '../events/scoring';
import { keys, parseEvaluationOutputUri, s3Uri } from '../layout';
import type { Logger } from '../logger';
import { advanceChampion, type ChampionPointer, readChampion } from '../models/champion';
import { decide, metricValue } from '../models/decision';
import {
  commitEvaluationPlan,
  type EvaluationPlan,
  planEvaluation,
  plannedModels,
  readEvaluationPlan,
  startScoring,
} from '../models/plan';
import { PredictionFormatError } from '../models/predictions';
import { buildEvaluationReport, type EvaluationReport } from '../models/report';
import { fitBaseline, scoreTestRows } from '../models/score';
import { evaluationTransformPrefix } from '../models/transform';
import { failedVerdict, notEvaluatedVerdict, type Verdict, verdictOfReport } from '../models/verdict';
import { type EvaluatedDetail, SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import { type CatalogEntry, readCatalogEntry, recordEvaluation } from '../training/catalog';
import { finishedEvent } from './complete';
import type { CompleteDeps, EvaluateDeps, Invocation } from './deps';
import { serveChampion, serveDepsOf } from './endpoint';

/**
 * The event says a transform finished but DescribeTransformJob does not agree
 * yet. Retryable: Describe catches up within seconds.
 */
export class TransformNotFinishedError extends Error {
  override readonly name = 'TransformNotFinishedError';
  readonly code = 'TRANSFORM_NOT_FINISHED';
}

export type EvaluateOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'waiting'; dataset: string; job: string; pending: string[] }
  | { outcome: 'evaluated'; dataset: string; job: string; decision: Verdict['decision']; notified: boolean };

const TERMINAL = new Set(['Completed', 'Failed', 'Stopped']);

/**
 * For a Completed job: plans its evaluation and starts scoring (the job's
 * model and, when comparable, the champion's, on the run's test rows), or
 * says why it is not evaluated. The "Training Completed" notification then
 * waits for the verdict; `undefined` means scoring started.
 */
export async function startEvaluation(
  deps: CompleteDeps,
  entry: CatalogEntry,
  log: Logger,
): Promise<Verdict | undefined> {
  if (!deps.scorer || entry.status !== 'Completed') return undefined;
  if (entry.evaluation) return entry.evaluation;
  const outcome = await planEvaluation(deps.store, deps.config, entry);
  if ('skipped' in outcome) {
    log.info('model not evaluated', { reason: outcome.skipped });
    return (
      (await recordEvaluation(deps.store, entry.dataset, entry.job, notEvaluatedVerdict(outcome.skipped))) ??
      undefined
    );
  }
  const plan = await commitEvaluationPlan(deps.store, outcome.plan);
  await startScoring(deps.scorer, deps.config, plan);
  log.info('scoring started', {
    transforms: plannedModels(plan).map((m) => m.transformJob),
    champion: plan.champion?.job,
    championSkipped: plan.championSkipped,
  });
  return undefined;
}

function failureOf(
  plan: EvaluationPlan,
  described: DescribeTransformJobResponse[],
): { reason: string; hint: string } | undefined {
  const models = plannedModels(plan);
  for (let i = 0; i < models.length; i += 1) {
    const d = described[i] as DescribeTransformJobResponse;
    if (d.TransformJobStatus === 'Completed') continue;
    const model = models[i];
    const whose = model === plan.challenger ? 'the new model' : `the champion ${model?.job}`;
    return {
      reason: `the batch transform ${d.TransformJobName} scoring ${whose} ${d.TransformJobStatus === 'Stopped' ? 'was stopped' : 'failed'}: ${d.FailureReason ?? 'no reason given'}`,
      hint:
        "The champion stays. The transform job's logs (below) give the cause; a quota or capacity problem " +
        'passes with time: upload x.csv and y.csv again to train and evaluate a new model.',
    };
  }
  return undefined;
}

async function computeReport(deps: EvaluateDeps, plan: EvaluationPlan): Promise<EvaluationReport> {
  const task = plan.challenger.kind.task;
  const baseline = await fitBaseline(deps.store, task, plan.train);
  const scored = await scoreTestRows(deps.store, task, plan.test, baseline, plannedModels(plan));
  const [challenger, champion] = scored.models;
  if (!challenger) throw new Error('no challenger metrics');
  const decision = decide({
    challenger,
    baseline: scored.baseline,
    ...(plan.champion && champion ? { champion: { job: plan.champion.job, metrics: champion } } : {}),
    settings: plan.promotion,
  });
  return buildEvaluationReport({
    schemaVersion: '1.0',
    dataset: plan.dataset,
    job: plan.job,
    run: plan.run,
    testRows: scored.rows,
    metrics: challenger,
    baseline: { description: baseline.description, metrics: scored.baseline },
    ...(plan.champion && champion ? { champion: { job: plan.champion.job, metrics: champion } } : {}),
    decision,
  });
}

/** Writes the report unless one exists, and returns the stored one: racing evaluations agree. */
async function storeReport(deps: EvaluateDeps, plan: EvaluationPlan, report: EvaluationReport) {
  const key = keys.evaluationReport(plan.dataset, plan.job);
  const { created } = await deps.store.put(key, `${JSON.stringify(report, null, 2)}\n`, {
    contentType: 'application/json',
    ifAbsent: true,
  });
  if (created) return report;
  return JSON.parse((await deps.store.getText(key)) ?? JSON.stringify(report)) as EvaluationReport;
}

function championPointerOf(
  entry: CatalogEntry,
  plan: EvaluationPlan,
  report: EvaluationReport,
  by: ChampionPointer['promotedBy'],
  now: Invocation['now'] = () => new Date(),
): ChampionPointer {
  const pointer: ChampionPointer = {
    schemaVersion: '1.0',
    dataset: plan.dataset,
    run: plan.run,
    job: plan.job,
    trainingEndedAt: plan.trainingEndedAt,
    catalogKey: keys.catalogEntry(plan.dataset, plan.job),
    algorithm: entry.algorithm,
    image: plan.challenger.image,
    modelArtifact: plan.challenger.modelArtifact,
    modelName: plan.challenger.modelName,
    task: plan.challenger.kind.task,
    kind: plan.challenger.kind,
    featureCount: plan.featureCount,
    metric: report.sagedrop.decision.metric,
    metrics: report.sagedrop.metrics,
    evaluationKey: keys.evaluationReport(plan.dataset, plan.job),
    promotedBy: by,
    promotedAt: now().toISOString(),
  };
  if (entry.modelPackageArn) pointer.modelPackageArn = entry.modelPackageArn;
  return pointer;
}

function evaluatedEvent(
  entry: CatalogEntry,
  verdict: Verdict,
  bucket: string,
  promoted: boolean,
): EvaluatedDetail {
  const detail: EvaluatedDetail = {
    schemaVersion: SCHEMA_VERSION,
    dataset: entry.dataset,
    job: entry.job,
    decision: verdict.decision,
    summary: verdict.summary,
    reason: verdict.reason,
  };
  if (entry.run) detail.run = entry.run;
  if (verdict.hint) detail.hint = verdict.hint;
  if (verdict.metric && verdict.metrics) {
    detail.metric = verdict.metric;
    const value = metricValue(verdict.metrics, verdict.metric);
    if (value !== undefined) detail.value = value;
    const base = verdict.baseline && metricValue(verdict.baseline.metrics, verdict.metric);
    if (base !== undefined) detail.baselineValue = base;
    const champ = verdict.champion && metricValue(verdict.champion.metrics, verdict.metric);
    if (champ !== undefined) detail.championValue = champ;
  }
  if (verdict.champion) detail.championJob = verdict.champion.job;
  if (verdict.testRows !== undefined) detail.testRows = verdict.testRows;
  if (verdict.metrics) detail.metrics = verdict.metrics;
  if (verdict.baseline) detail.baseline = verdict.baseline;
  if (verdict.champion) detail.champion = verdict.champion;
  if (verdict.evaluationUri) detail.evaluationUri = verdict.evaluationUri;
  if (entry.modelPackageArn) detail.modelPackageArn = entry.modelPackageArn;
  if (promoted) detail.championUri = s3Uri(bucket, keys.catalogChampion(entry.dataset));
  return detail;
}

/**
 * Ends an evaluation whose transforms all finished: the report (computed
 * once, stored complete or not at all), the catalog entry's `evaluation`,
 * the champion and the registry approval on promotion, then "Training
 * Completed" with the verdict and "Model Evaluated", each once. Every step
 * is idempotent, so duplicates and racing invocations end the same.
 */
async function finishEvaluation(
  deps: EvaluateDeps,
  plan: EvaluationPlan,
  described: DescribeTransformJobResponse[],
  invocation: Invocation,
  log: Logger,
): Promise<EvaluateOutcome> {
  const { store, config } = deps;
  const entry = await readCatalogEntry(store, plan.dataset, plan.job);
  if (!entry)
    throw new Error(
      `${keys.catalogEntry(plan.dataset, plan.job)} is missing: the complete stage writes it before scoring`,
    );
  let verdict: Verdict;
  let report: EvaluationReport | undefined;
  const evaluationUri = s3Uri(config.bucket, keys.evaluationReport(plan.dataset, plan.job));
  const failure = failureOf(plan, described);
  if (entry.evaluation) {
    // Recorded by an earlier attempt, after its champion move: finish the rest from it.
    verdict = entry.evaluation;
  } else if (failure) {
    verdict = failedVerdict(failure.reason, failure.hint);
  } else {
    const stored = await store.getText(keys.evaluationReport(plan.dataset, plan.job));
    try {
      report = stored
        ? (JSON.parse(stored) as EvaluationReport)
        : await storeReport(deps, plan, await computeReport(deps, plan));
      verdict = verdictOfReport(report, evaluationUri, plan.championSkipped);
      if (verdict.decision === 'promoted') {
        // The champion moves before the verdict is recorded, so a recorded "promoted" is never untrue.
        const move = await advanceChampion(
          store,
          championPointerOf(entry, plan, report, 'evaluation', invocation.now),
        );
        log.info('champion', { move });
        if (move === 'newer-champion') {
          const current = await readChampion(store, plan.dataset);
          verdict = verdictOfReport(
            report,
            evaluationUri,
            plan.championSkipped,
            current?.job ?? 'another model',
          );
        }
      }
    } catch (error) {
      if (!(error instanceof PredictionFormatError)) throw error;
      verdict = failedVerdict(
        `the predictions could not be read: ${error.message}`,
        'The champion stays. This is a mismatch between the model and its output format: report it with the job name.',
      );
    }
  }
  const recorded = (await recordEvaluation(store, plan.dataset, plan.job, verdict)) ?? verdict;
  const promoted = recorded.decision === 'promoted';
  if (promoted && entry.modelPackageArn && deps.registry) {
    await deps.registry.setApproval(entry.modelPackageArn, 'Approved', recorded.summary);
  }
  const completed = finishedEvent({ ...entry, evaluation: recorded }, config.bucket);
  const notified = await notifyOnce(
    store,
    deps.notifier,
    completed,
    `finished-${plan.job}`,
    invocation.requestId,
    invocation.now,
  );
  await notifyOnce(
    store,
    deps.notifier,
    { detailType: 'Model Evaluated', detail: evaluatedEvent(entry, recorded, config.bucket, promoted) },
    `evaluated-${plan.job}`,
    invocation.requestId,
    invocation.now,
  );
  log.info('model evaluated', { decision: recorded.decision, summary: recorded.summary, notified });
  await keepEndpointOnChampion(deps, plan.dataset, log);
  return {
    outcome: 'evaluated',
    dataset: plan.dataset,
    job: plan.job,
    decision: recorded.decision,
    notified,
  };
}

/**
 * The dataset's opt-in endpoint follows its champion and its newest run's
 * settings: checked after every evaluation (promoted or not, so a removed
 * or changed setting takes effect with the next run) and every approval.
 * Last, after the notifications: a retry of a failed endpoint call repeats
 * only idempotent work.
 */
async function keepEndpointOnChampion(deps: EvaluateDeps, dataset: string, log: Logger): Promise<void> {
  if (!deps.endpoints) return;
  const result = await serveChampion(serveDepsOf({ ...deps, endpoints: deps.endpoints }, log), dataset);
  if (result) log.info('endpoint', { ...result });
}

/**
 * Handles a "SageMaker Transform Job State Change" of this stack's
 * evaluation transforms: once every transform of the evaluation has ended,
 * whichever event arrives last (or first, for duplicates) finishes it.
 */
export async function evaluateTransformEvent(
  deps: EvaluateDeps,
  event: Extract<ScoringEvent, { kind: 'transform' }>,
  invocation: Invocation,
): Promise<EvaluateOutcome> {
  const { config, logger } = deps;
  if (!event.job.startsWith(evaluationTransformPrefix(config.jobPrefix))) {
    return { outcome: 'ignored', reason: `${event.job} is not an evaluation transform of this stack` };
  }
  if (!event.terminal) return { outcome: 'ignored', reason: `status ${event.status} is not terminal` };
  const described = await deps.scorer.describeTransformJob(event.job);
  if (!TERMINAL.has(described.TransformJobStatus ?? '')) {
    throw new TransformNotFinishedError(
      `The event says transform job ${event.job} is ${event.status} but DescribeTransformJob says ${described.TransformJobStatus}: retry`,
    );
  }
  const origin = parseEvaluationOutputUri(described.TransformOutput?.S3OutputPath ?? '');
  if (!origin || origin.bucket !== config.bucket) {
    return {
      outcome: 'ignored',
      reason: `${event.job} does not write an evaluation in bucket ${config.bucket}`,
    };
  }
  const plan = await readEvaluationPlan(deps.store, origin.dataset, origin.job);
  if (!plan) return { outcome: 'ignored', reason: `no evaluation plan for job ${origin.job}` };
  const log = logger.child({ dataset: plan.dataset, run: plan.run, job: plan.job });
  const all = await Promise.all(
    plannedModels(plan).map((m) =>
      m.transformJob === event.job
        ? Promise.resolve(described)
        : deps.scorer.describeTransformJob(m.transformJob),
    ),
  );
  const pending = all
    .filter((d) => !TERMINAL.has(d.TransformJobStatus ?? ''))
    .map((d) => d.TransformJobName ?? '');
  if (pending.length > 0) {
    log.info('waiting for the other transform', { pending });
    return { outcome: 'waiting', dataset: plan.dataset, job: plan.job, pending };
  }
  return finishEvaluation(deps, plan, all, invocation, log);
}

/** `{ dataset, job }` of a model artifact this stack wrote (`s3://<bucket>/models/<dataset>/<job>/output/model.tar.gz`). */
function artifactOrigin(
  uri: string | undefined,
  bucket: string,
): { dataset: string; job: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/models\/(.+)\/([^/]+)\/output\/model\.tar\.gz$/.exec(uri ?? '');
  if (!match || match[1] !== bucket) return undefined;
  return { dataset: match[2] as string, job: match[3] as string };
}

/**
 * Handles a "SageMaker Model Package State Change" to Approved: a person
 * approved an evaluated model (with `"approval": "manual"`, or overruling the
 * verdict), so it becomes the champion unless a model trained later already
 * is. Approvals sagedrop made itself find the champion already in place.
 */
export async function approveModelPackage(
  deps: EvaluateDeps,
  event: Extract<ScoringEvent, { kind: 'approval' }>,
  invocation: Invocation,
): Promise<EvaluateOutcome> {
  const { store, config } = deps;
  if (event.status !== 'Approved')
    return { outcome: 'ignored', reason: `status ${event.status} is not Approved` };
  const origin = artifactOrigin(event.modelDataUrl, config.bucket);
  if (!origin)
    return {
      outcome: 'ignored',
      reason: `${event.modelPackageArn} holds no model of bucket ${config.bucket}`,
    };
  const [plan, entry, reportText] = await Promise.all([
    readEvaluationPlan(store, origin.dataset, origin.job),
    readCatalogEntry(store, origin.dataset, origin.job),
    store.getText(keys.evaluationReport(origin.dataset, origin.job)),
  ]);
  if (!plan || !entry || entry.modelPackageArn !== event.modelPackageArn) {
    return { outcome: 'ignored', reason: `${event.modelPackageArn} is not an evaluated model of this stack` };
  }
  if (entry.evaluation?.decision === 'promoted') {
    // sagedrop approved it itself when it promoted it: the champion moved then, and was announced.
    return { outcome: 'ignored', reason: `${origin.job} was approved by its own promotion` };
  }
  const championUri = s3Uri(config.bucket, keys.catalogChampion(origin.dataset));
  let promoted = false;
  let reason: string;
  if (!reportText) {
    reason = `The model was approved, but it has no evaluation report (${entry.evaluation?.summary ?? 'not evaluated'}), so the champion was not moved.`;
  } else {
    const report = JSON.parse(reportText) as EvaluationReport;
    const move = await advanceChampion(
      store,
      championPointerOf(entry, plan, report, 'approval', invocation.now),
    );
    if (move === 'already') return { outcome: 'ignored', reason: `${origin.job} is the champion already` };
    promoted = move === 'moved';
    reason = promoted
      ? `Approved in the model registry: ${origin.job} is the champion of "${origin.dataset}" now (${entry.evaluation?.summary ?? 'evaluated'}).`
      : `Approved in the model registry, but a model trained later is the champion of "${origin.dataset}": the champion did not move back.`;
  }
  const notified = await notifyOnce(
    store,
    deps.notifier,
    {
      detailType: 'Model Approved',
      detail: {
        schemaVersion: SCHEMA_VERSION,
        dataset: origin.dataset,
        job: origin.job,
        modelPackageArn: event.modelPackageArn,
        promoted,
        reason,
        championUri,
      },
    },
    `approved-${origin.job}`,
    invocation.requestId,
    invocation.now,
  );
  if (promoted) await keepEndpointOnChampion(deps, origin.dataset, deps.logger);
  deps.logger.info('model approval handled', {
    dataset: origin.dataset,
    job: origin.job,
    promoted,
    notified,
  });
  return {
    outcome: 'evaluated',
    dataset: origin.dataset,
    job: origin.job,
    decision: promoted ? 'promoted' : (entry.evaluation?.decision ?? 'not-evaluated'),
    notified,
  };
}
