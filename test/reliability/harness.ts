import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { CreateTrainingJobRequest } from '@aws-sdk/client-sagemaker';
import { decodeS3Key } from '../../lib/events/s3';
import { keys, PREFIX, parseManifestKey, parseRawKey, type RawFile } from '../../lib/layout';
import type { FailedInvocation } from '../../lib/local/invoker';
import { createRandom } from '../../lib/local/training/random';
import type { TrainingStateChangeEvent } from '../../lib/local/training/training-event';
import { describeIgnoredUpload } from '../../lib/stages/ignored-upload';
import { md5, type Upload, type Verdict, verifyDataset } from './checks';
import { keyAtLimit } from './datasets';
import { type Dose, doseMenu, type FaultKind, uploadPartDose } from './fault-menu';
import { datasetOfRequest, type FaultyStack, startFaultyStack } from './faulty-stack';
import { checkLayout } from './layout-check';
import { type DatasetPlan, type IdenticalKind, planDatasets } from './plan';

export interface ReliabilityOptions {
  seed: number;
  /** Told when each phase ends (progress output). */
  onPhase?: (phase: string) => void;
  /** Ordinary datasets, each raced (x and y at once) and dosed with faults. */
  datasets: number;
  dosesPerDataset: number;
  big: number;
  bigRows: number;
  persistent: number;
  /** Datasets of each kind of identical re-upload (x alone, x then y, both at once), each given its bytes again 3 times. */
  identical: number;
  /** Extra deliveries of each S3 event: 0 up to this many. */
  maxDuplicates: number;
  /** Past events replayed once everything settled. */
  lateReplays: number;
  /** Keys at S3's 1024-byte limit uploaded outside the layout. */
  keysAtLimit: number;
}

/** What one run of the harness did and found. */
export interface ReliabilityReport {
  seed: number;
  datasets: number;
  replayed: { s3: number; eventBridge: number; late: number };
  races: { xy: number; duplicate: number; datasets: number };
  /** Datasets given identical bytes again, by how: datasets, re-uploads, runs the checks expect. */
  identical: Record<IdenticalKind, { datasets: number; uploads: number; runsExpected: number }>;
  faults: Record<FaultKind, number>;
  /** Lambda attempts that failed and were retried. */
  lambdaRetries: number;
  /** Events in the on-failure queue before the redrive, by whether a persistent fault was aimed at them. */
  onFailure: { expected: number; unexpected: string[]; missing: string[] };
  verdicts: Verdict[];
  /** Datasets each fault kind touched, for the per-kind figures. */
  touched: Record<string, Set<string>>;
  layoutProblems: string[];
  /** Uploads under raw/ the pipeline never reads (keys at S3's length limit): each must be told about once. */
  ignored: { uploads: number; notified: number };
  /** What the checks compared against: runs (= jobs = catalog entries) and rejection reports expected, notifications sent. */
  totals: { runs: number; rejections: number; notifications: number; jobRequests: number };
  elapsedMs: number;
}

function datasetOfFailure(failure: FailedInvocation): string | undefined {
  const event = failure.event as {
    Records?: { s3: { object: { key: string } } }[];
    detail?: TrainingStateChangeEvent['detail'];
  };
  const key = event.Records?.[0]?.s3.object.key;
  if (key !== undefined) {
    const decoded = decodeS3Key(key);
    return parseRawKey(decoded)?.dataset ?? parseManifestKey(decoded)?.dataset;
  }
  const channels = (event.detail?.InputDataConfig ?? []) as CreateTrainingJobRequest['InputDataConfig'];
  return datasetOfRequest({ InputDataConfig: channels } as CreateTrainingJobRequest);
}

async function upload(stack: FaultyStack, uploads: Upload[], key: string, body: string): Promise<void> {
  const out = await stack.directClient.send(
    new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body, ContentType: 'text/csv' }),
  );
  uploads.push({ key, etag: out.ETag ?? '', md5: md5(body) });
}

async function uploadRound(
  stack: FaultyStack,
  plan: DatasetPlan,
  round: number,
  uploads: Upload[],
): Promise<void> {
  const files = plan.rounds[round];
  if (!files) return;
  const key = (file: RawFile) =>
    plan.kind === 'invalid-folder' ? `${PREFIX.raw}${plan.name}/${file}.csv` : keys.raw(plan.name, file);
  if (round === 0 && plan.settings !== undefined)
    await upload(stack, uploads, keys.raw(plan.name, 'settings'), plan.settings);
  if (round > 0 && plan.sequential) {
    // As `sagedrop local` and most clients upload: y starts once x is stored, while x's merge runs.
    await upload(stack, uploads, key('x'), files.x);
    if (files.y !== undefined) await upload(stack, uploads, key('y'), files.y);
    return;
  }
  await Promise.all([
    upload(stack, uploads, key('x'), files.x),
    files.y === undefined ? undefined : upload(stack, uploads, key('y'), files.y),
  ]);
}

function installFaults(
  stack: FaultyStack,
  plans: DatasetPlan[],
  menu: Dose[],
  random: () => number,
  report: ReliabilityReport,
) {
  const mark = (dataset: string, kind: FaultKind) => {
    report.faults[kind] += 1;
    const set = report.touched[kind] ?? new Set<string>();
    set.add(dataset);
    report.touched[kind] = set;
  };
  for (const plan of plans) {
    for (const dose of plan.doses) menu[dose]?.install({ stack, dataset: plan.name, random, mark });
    if (plan.big) uploadPartDose(2).install({ stack, dataset: plan.name, random, mark });
    if (plan.persistent === 'merge') {
      stack.proxy.inject({
        kind: 'slowdown-503',
        times: 1_000_000,
        match: (r) => r.operation === 'GetObject' && r.key === keys.raw(plan.name, 'x'),
      });
    } else if (plan.persistent === 'train') {
      stack.sagemaker.throttle({ times: 1_000_000, match: (r) => datasetOfRequest(r) === plan.name });
    } else if (plan.persistent === 'complete') {
      stack.proxy.inject({
        kind: 'http-500',
        times: 1_000_000,
        match: (r) => r.operation === 'PutObject' && r.key.startsWith(`${PREFIX.catalog}${plan.name}/`),
      });
    }
  }
  return mark;
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * One full run: plans datasets, aims faults at them, uploads every first round
 * at once (x and y concurrently, events duplicated), re-uploads the later
 * rounds one settled round at a time, delivers held-back training events out of order, replays old events,
 * redrives the on-failure queue, then reads the bucket and checks every dataset.
 */
export async function runReliability(options: ReliabilityOptions): Promise<ReliabilityReport> {
  const started = Date.now();
  const random = createRandom(options.seed);
  const stack = await startFaultyStack({ seed: options.seed });
  const report: ReliabilityReport = {
    seed: options.seed,
    datasets: 0,
    replayed: { s3: 0, eventBridge: 0, late: 0 },
    races: { xy: 0, duplicate: 0, datasets: 0 },
    identical: {
      'x-again': { datasets: 0, uploads: 0, runsExpected: 0 },
      'pair-again': { datasets: 0, uploads: 0, runsExpected: 0 },
      'pair-again-at-once': { datasets: 0, uploads: 0, runsExpected: 0 },
    },
    faults: {
      'http-500': 0,
      'slowdown-503': 0,
      'reset-get-body': 0,
      'reset-upload-part': 0,
      'lambda-timeout': 0,
      'sns-failure': 0,
      throttling: 0,
      'eventbridge-duplicate': 0,
      'eventbridge-out-of-order': 0,
    },
    lambdaRetries: 0,
    onFailure: { expected: 0, unexpected: [], missing: [] },
    verdicts: [],
    touched: {},
    layoutProblems: [],
    ignored: { uploads: 0, notified: 0 },
    totals: { runs: 0, rejections: 0, notifications: 0, jobRequests: 0 },
    elapsedMs: 0,
  };
  try {
    const menu = doseMenu((job) => stack.jobDataset(job));
    const plans = planDatasets(random, options, menu.length);
    report.datasets = plans.length;
    const mark = installFaults(stack, plans, menu, random, report);
    const held = new Set(plans.filter((p) => p.outOfOrder).map((p) => p.name));
    let holding = true;
    stack.delivery.s3Plan = () => ({
      copies: 1 + Math.floor(random() * (options.maxDuplicates + 1)),
      spreadMs: random() < 0.5 ? 0 : 40,
    });
    stack.delivery.trainingPlan = (event) => {
      const dataset = stack.jobDataset(String(event.detail.TrainingJobName ?? '')) ?? '';
      if (holding && held.has(dataset)) {
        held.delete(dataset);
        mark(dataset, 'eventbridge-out-of-order');
        return { copies: 1, spreadMs: 0, hold: true };
      }
      const copies = 1 + Math.floor(random() * 3);
      for (let extra = 1; extra < copies; extra += 1) mark(dataset, 'eventbridge-duplicate');
      return { copies, spreadMs: random() < 0.5 ? 0 : 40, hold: false };
    };

    const uploads: Upload[] = [];
    await pool(plans, 16, (plan) => uploadRound(stack, plan, 0, uploads));
    options.onPhase?.('first uploads sent');
    for (let i = 0; i < options.keysAtLimit; i += 1) {
      await upload(stack, uploads, keyAtLimit(i, 'x.csv'), '1,2\n');
      await upload(stack, uploads, keyAtLimit(i, 'y.csv'), '1\n');
    }
    await stack.waitForIdle();
    options.onPhase?.('first round settled');
    holding = false;
    const rounds = Math.max(...plans.map((p) => p.rounds.length));
    for (let round = 1; round < rounds; round += 1) {
      await pool(
        plans.filter((p) => p.rounds.length > round),
        16,
        (plan) => uploadRound(stack, plan, round, uploads),
      );
      await stack.waitForIdle();
      options.onPhase?.(`round ${round + 1} settled`);
    }
    stack.delivery.releaseHeld();
    await stack.waitForIdle();
    options.onPhase?.('held events delivered');
    stack.delivery.replayLate(options.lateReplays);
    await stack.waitForIdle();

    options.onPhase?.('late replays settled');
    const persistent = new Set(plans.filter((p) => p.persistent).map((p) => p.name));
    const failedDatasets = new Set<string>();
    for (const failure of stack.failures) {
      const dataset = datasetOfFailure(failure) ?? '(unknown)';
      failedDatasets.add(dataset);
      if (persistent.has(dataset)) report.onFailure.expected += 1;
      else report.onFailure.unexpected.push(`${failure.fn} for ${dataset}: ${String(failure.error)}`);
    }
    report.onFailure.missing = [...persistent].filter((d) => !failedDatasets.has(d));
    // The faults are over; an operator redrives the on-failure queue.
    stack.proxy.clear();
    stack.invocations.clear();
    stack.sagemaker.clear();
    for (let round = 0; round < 3 && stack.failures.length > 0; round += 1) {
      stack.redrive();
      await stack.waitForIdle();
    }

    options.onPhase?.('redrive settled');
    report.replayed = {
      s3: stack.delivery.counts.s3Duplicates,
      eventBridge: stack.delivery.counts.trainingDuplicates,
      late: stack.delivery.counts.lateReplays,
    };
    report.races = {
      xy: stack.races.xyRaces,
      duplicate: stack.races.duplicateRaces,
      datasets: stack.races.racedDatasets.size,
    };
    report.touched.race = new Set(stack.races.racedDatasets);
    for (const plan of plans) {
      if (!plan.identical) continue;
      const figure = report.identical[plan.identical];
      figure.datasets += 1;
      figure.uploads += plan.rounds.length - 1;
      figure.runsExpected += plan.expect.runs;
      const touched = report.touched[plan.identical] ?? new Set<string>();
      touched.add(plan.name);
      report.touched[plan.identical] = touched;
    }
    report.lambdaRetries = stack.retried.count;
    for (const plan of plans) {
      const own = uploads.filter((u) => u.key.startsWith(`${PREFIX.raw}${plan.name}/`));
      try {
        report.verdicts.push(await verifyDataset(stack, plan, own));
      } catch (error) {
        const unreadable = `could not be checked: ${error instanceof Error ? error.message : String(error)}`;
        report.verdicts.push({
          dataset: plan.name,
          lost: [unreadable],
          duplicated: [],
          partial: [],
          escaped: [],
        });
      }
    }
    report.layoutProblems = await checkLayout(stack, plans, uploads);
    const ignoredKeys = new Set(uploads.filter((u) => describeIgnoredUpload(u.key)).map((u) => u.key));
    report.ignored = {
      uploads: ignoredKeys.size,
      notified: stack.notifier.sent.filter(
        (n) => n.event.detailType === 'Upload Ignored' && ignoredKeys.has(n.event.detail.file),
      ).length,
    };
    report.totals = {
      runs: plans.reduce((n, p) => n + p.expect.runs, 0),
      rejections: plans.reduce((n, p) => n + p.expect.rejections, 0),
      notifications: stack.notifier.sent.length,
      jobRequests: stack.sagemaker.requests.length,
    };
  } finally {
    await stack.stop();
  }
  report.elapsedMs = Date.now() - started;
  return report;
}
