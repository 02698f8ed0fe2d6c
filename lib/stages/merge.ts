import { mergeStreams } from '../csv/merge';
import type { MergeSummary } from '../csv/types';
import { keys, parseRawKey } from '../layout';
import { readObject } from '../ports';
import { resolveSettings, shardSizeBytes } from '../settings/dataset';
import { type ManifestInput, readManifest } from '../training/manifest';
import type { Invocation, MergeDeps } from './deps';
import { describeIgnoredUpload, notifyIgnoredUpload } from './ignored-upload';
import type { ClaimedRun, MergeContext, MergeOutcome, RawUpload } from './merge-context';
import { prepareMerge } from './merge-inputs';
import { checkMergeSize } from './merge-limits';
import { buildManifest, manifestInput, RunOutputs } from './merge-outputs';
import {
  asRejection,
  INVALID_FOLDER_DATASET,
  invalidFolderReportId,
  reportRejection,
} from './merge-rejection';
import { planShards } from './merge-shards';
import { pairRun, releaseInput } from './pairing';

export type { ClaimedRun, MergeContext, MergeEngine, MergeOutcome, RawUpload } from './merge-context';

/** Rounds of pairing after a rejection, to pick up uploads that arrived meanwhile. */
const MAX_PAIRING_ROUNDS = 3;

function inputsOf(claimed: ClaimedRun): Record<string, ManifestInput> {
  const inputs: Record<string, ManifestInput> = { x: manifestInput(claimed.x), y: manifestInput(claimed.y) };
  if (claimed.settings) inputs.settings = manifestInput(claimed.settings);
  return inputs;
}

/** The merge's one context for `dataset`, from the stage's dependencies and invocation. */
export function mergeContext(deps: MergeDeps, dataset: string, invocation: Invocation): MergeContext {
  return {
    store: deps.store,
    notifier: deps.notifier,
    bucket: deps.config.bucket,
    defaults: deps.config.defaults,
    dataset,
    owner: invocation.requestId,
    now: invocation.now ?? (() => new Date()),
    logger: deps.logger.child({ dataset }),
    engine: deps.engine ?? mergeStreams,
    mergeMemoryMb: deps.config.mergeMemoryMb,
    fileLabel: deps.fileLabel ?? ((key) => key),
  };
}

/**
 * Reacts to one upload under `raw/`: a dataset's `x.csv`, `y.csv` or
 * `sagedrop.json` (re)tries pairing that dataset; an upload into a folder that
 * cannot be a dataset is rejected with a report; any other upload under `raw/`
 * is ignored with one "Upload Ignored" notification per object version.
 */
export async function handleRawUpload(
  deps: MergeDeps,
  upload: RawUpload,
  invocation: Invocation,
): Promise<MergeOutcome> {
  const raw = parseRawKey(upload.key);
  if (!raw) {
    const ignored = describeIgnoredUpload(upload.key);
    if (!ignored) {
      deps.logger.debug('ignored key', { key: upload.key });
      return { outcome: 'ignored', key: upload.key };
    }
    await notifyIgnoredUpload(
      deps,
      upload,
      ignored,
      invocation.requestId,
      invocation.now ?? (() => new Date()),
    );
    deps.logger.warn('upload ignored', { key: upload.key, reason: ignored.reason });
    return { outcome: 'ignored', key: upload.key, dataset: ignored.dataset, reason: ignored.reason };
  }
  if (raw.problem) {
    const ctx = mergeContext(deps, INVALID_FOLDER_DATASET, invocation);
    const id = invalidFolderReportId(upload.key, upload.versionId ?? upload.etag);
    const message = `${upload.key} cannot be used: ${raw.problem}.`;
    const reportKey = await reportRejection(
      ctx,
      { dataset: INVALID_FOLDER_DATASET, id, inputs: {} },
      {
        code: 'INVALID_FOLDER',
        message,
        file: upload.key,
        hint: 'Upload x.csv and y.csv directly under raw/ or into a folder raw/<name>/ with a valid name.',
      },
    );
    deps.logger.warn('upload rejected', { key: upload.key, problem: raw.problem, reportKey });
    return { outcome: 'rejected', dataset: INVALID_FOLDER_DATASET, reportKey, message };
  }
  return mergeDataset(deps, raw.dataset, invocation);
}

/**
 * Pairs the current `x.csv` and `y.csv` of `dataset` and, unless either was
 * consumed by an earlier run or another invocation is at it, merges them into a
 * run: channel files first, `manifest.json` last (created once, whoever races).
 * Rejected input ends with a report and one notification and consumes nothing.
 */
export async function mergeDataset(
  deps: MergeDeps,
  dataset: string,
  invocation: Invocation,
): Promise<MergeOutcome> {
  const ctx = mergeContext(deps, dataset, invocation);
  const pairAndMerge = async (): Promise<MergeOutcome> => {
    const paired = await pairRun(ctx);
    return paired.outcome === 'claimed' ? mergeClaimedRun(ctx, paired) : paired;
  };
  let outcome = await pairAndMerge();
  for (let round = 1; round < MAX_PAIRING_ROUNDS && outcome.outcome === 'rejected'; round++) {
    // An upload that waited on the rejected run's claims has no event left to retry it: look again.
    const next = await pairAndMerge();
    if (next.outcome === 'rejected' && next.run === outcome.run) break;
    outcome = next;
  }
  return outcome;
}

/**
 * Merges a run whose inputs this invocation holds: resolves the dataset's
 * settings, streams the channels through the engine and commits the manifest
 * (created once, whoever races). Input the user must fix ends in a report and
 * one notification, and its claims stay as the record of the rejected run;
 * any other failure releases the claims and is rethrown for a retry.
 */
export async function mergeClaimedRun(ctx: MergeContext, claimed: ClaimedRun): Promise<MergeOutcome> {
  const { store, dataset } = ctx;
  const { run, x, y, logger, manifestKey } = claimed;
  try {
    const settingsText = claimed.settings
      ? (await readObject(store, claimed.settings)).toString('utf8')
      : undefined;
    const settingsFile = ctx.fileLabel(keys.raw(dataset, 'settings'));
    if (ctx.mergeMemoryMb !== undefined) {
      checkMergeSize(
        { x: ctx.fileLabel(x.key), y: ctx.fileLabel(y.key) },
        { x: x.size, y: y.size },
        ctx.mergeMemoryMb,
      );
    }
    const settings = resolveSettings(ctx.defaults, settingsText, settingsFile);
    const prepared = await prepareMerge(store, { x, y }, settings, {
      dataset,
      xFile: ctx.fileLabel(x.key),
      yFile: ctx.fileLabel(y.key),
      settingsFile,
    });
    const mergeOptions = prepared.options;
    logger.info('merge started', {
      x: x.key,
      y: y.key,
      bytes: x.size + y.size,
      algorithm: settings.algorithm,
    });
    const shards = planShards({
      bytes: { x: x.size, y: y.size },
      compressed: prepared.plan.x.compression === 'gzip' || prepared.plan.y.compression === 'gzip',
      labelInTraining: mergeOptions.labelInTraining,
      validationFraction: settings.validationFraction,
      testFraction: settings.testFraction,
      shardBytes: shardSizeBytes(settings),
    });
    const outputs = new RunOutputs(store, dataset, run, shards);
    mergeOptions.reuseWrittenChunks = outputs.reusesChunks;
    let summary: MergeSummary;
    try {
      const inputs = prepared.open();
      summary = await ctx.engine(inputs.x, inputs.y, outputs.open, mergeOptions);
      await outputs.finish();
    } catch (error) {
      await outputs.abort(error instanceof Error ? error : new Error(String(error)));
      throw asRejection(error) || outputs.failure === undefined ? error : outputs.failure;
    }
    const manifest = buildManifest({
      dataset,
      run,
      bucket: ctx.bucket,
      createdAt: ctx.now(),
      inputs: { x, y, settings: claimed.settings },
      settings,
      labelInTraining: mergeOptions.labelInTraining,
      summary,
      files: outputs.files,
      plan: prepared.plan,
    });
    const { created } = await store.put(manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, {
      contentType: 'application/json',
      ifAbsent: true,
    });
    logger.info(created ? 'run committed' : 'run already committed', {
      rows: manifest.rows,
      featureCount: manifest.featureCount,
    });
    let committed = manifest;
    if (!created) {
      const current = await readManifest(store, manifestKey);
      if (current.state === 'valid') committed = current.record;
    }
    return { outcome: 'committed', dataset, run, manifestKey, manifest: committed, created };
  } catch (error) {
    const rejection = asRejection(error);
    if (!rejection) {
      // Free the inputs for whoever comes next (Lambda's retry or a later event); a crash that skips this is covered by the claims' lease.
      const claims = { ...ctx, run };
      await Promise.allSettled([
        releaseInput(claims, 'x', claimed.tokens.x),
        releaseInput(claims, 'y', claimed.tokens.y),
      ]);
      throw error;
    }
    const reportKey = await reportRejection(
      ctx,
      { dataset, id: run, run, inputs: inputsOf(claimed) },
      rejection,
    );
    logger.warn('run rejected', {
      reportKey,
      problem: rejection.message,
      file: rejection.file,
      row: rejection.row,
      column: rejection.column,
    });
    return { outcome: 'rejected', dataset, run, reportKey, message: rejection.message };
  }
}
