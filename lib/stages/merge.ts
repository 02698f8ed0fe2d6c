import { mergeStreams } from '../csv/merge';
import type { MergeOptions, MergeSummary, OpenOutput } from '../csv/types';
import { keys, parseRawKey, type RawFile } from '../layout';
import type { Logger } from '../logger';
import type { ManifestInput, RunManifest } from '../manifest';
import type { ObjectRef, ObjectStore } from '../ports';
import { numericPolicy, resolveSettings, trainsOnLabel } from '../settings/dataset';
import type { MergeDeps } from './deps';

import { checkMergeSize } from './merge-limits';
import { buildManifest, manifestInput, RunOutputs } from './merge-outputs';
import {
  asRejection,
  INVALID_FOLDER_DATASET,
  invalidFolderReportId,
  type RejectContext,
  reportRejection,
} from './merge-rejection';
import { type ClaimContext, claimPair, inputToken, releaseInput, runIdFor } from './pairing';

/** The CSV engine: merges x and y into the output files and summarises what it wrote. */
export type MergeEngine = (
  x: AsyncIterable<Uint8Array>,
  y: AsyncIterable<Uint8Array>,
  open: OpenOutput,
  options: MergeOptions,
) => Promise<MergeSummary>;

export interface MergeStageOptions {
  /** The invocation (Lambda's request id, kept across its retries): who holds claims and sends notifications. */
  owner: string;
  /** The CSV engine; tests substitute one that fails on purpose. */
  engine?: MergeEngine;
  now?: () => Date;
  /** How messages name an input (default: its key); the CLI names the user's own files. */
  fileLabel?: (key: string) => string;
}

/** An object-created notification, as far as the merge needs it. */
export interface RawUpload {
  key: string;
  etag?: string;
  versionId?: string;
}

export type MergeOutcome =
  | { status: 'ignored'; key: string }
  /** Nothing to do until the user uploads what `reason` names. */
  | { status: 'waiting'; dataset: string; reason: string; missing: RawFile[] }
  /** Another live invocation is merging these inputs. */
  | { status: 'in-progress'; dataset: string; run: string; by: string }
  /** The run's manifest exists; `created` when this invocation wrote it. */
  | {
      status: 'committed';
      dataset: string;
      run: string;
      manifestKey: string;
      manifest: RunManifest;
      created: boolean;
    }
  | { status: 'rejected'; dataset: string; run?: string; reportKey: string; message: string };

/** Rounds of pairing after a rejection, to pick up uploads that arrived meanwhile. */
const MAX_PAIRING_ROUNDS = 3;

async function readText(store: ObjectStore, ref: ObjectRef): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const part of store.read(ref)) parts.push(part);
  return Buffer.concat(parts).toString('utf8');
}

async function readManifest(store: ObjectStore, key: string): Promise<RunManifest | undefined> {
  const text = await store.getText(key);
  return text === undefined ? undefined : (JSON.parse(text) as RunManifest);
}

function inputsOf(
  x: ObjectRef,
  y: ObjectRef,
  settings: ObjectRef | undefined,
): Record<string, ManifestInput> {
  const inputs: Record<string, ManifestInput> = { x: manifestInput(x), y: manifestInput(y) };
  if (settings) inputs.settings = manifestInput(settings);
  return inputs;
}

/**
 * Reacts to one upload under `raw/`: a dataset's `x.csv`, `y.csv` or
 * `sagedrop.json` (re)tries pairing that dataset; an upload into a folder that
 * cannot be a dataset is rejected with a report; anything else is ignored.
 */
export async function handleRawUpload(
  deps: MergeDeps,
  upload: RawUpload,
  options: MergeStageOptions,
): Promise<MergeOutcome> {
  const raw = parseRawKey(upload.key);
  if (!raw) {
    deps.logger.debug('ignored key', { key: upload.key });
    return { status: 'ignored', key: upload.key };
  }
  if (raw.problem) {
    const now = options.now ?? (() => new Date());
    const id = invalidFolderReportId(upload.key, upload.versionId ?? upload.etag);
    const message = `${upload.key} cannot be used: ${raw.problem}.`;
    const reportKey = await reportRejection(
      { ...rejectContext(deps, options.owner), now },
      { dataset: INVALID_FOLDER_DATASET, id, inputs: {} },
      {
        message,
        file: upload.key,
        hint: 'Upload x.csv and y.csv directly under raw/ or into a folder raw/<name>/ with a valid name.',
      },
    );
    deps.logger.warn('upload rejected', { key: upload.key, problem: raw.problem, reportKey });
    return { status: 'rejected', dataset: INVALID_FOLDER_DATASET, reportKey, message };
  }
  return mergeDataset({ ...deps, logger: deps.logger.child({ dataset: raw.dataset }) }, raw.dataset, options);
}

function rejectContext(deps: MergeDeps, owner: string): Omit<RejectContext, 'now'> {
  return { store: deps.store, notifier: deps.notifier, bucket: deps.config.bucket, owner };
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
  options: MergeStageOptions,
): Promise<MergeOutcome> {
  let outcome = await pairAndMerge(deps, dataset, options);
  for (let round = 1; round < MAX_PAIRING_ROUNDS && outcome.status === 'rejected'; round++) {
    // An upload that waited on the rejected run's claims has no event left to retry it: look again.
    const next = await pairAndMerge(deps, dataset, options);
    if (next.status === 'rejected' && next.run === outcome.run) break;
    outcome = next;
  }
  return outcome;
}

async function pairAndMerge(
  deps: MergeDeps,
  dataset: string,
  options: MergeStageOptions,
): Promise<MergeOutcome> {
  const { store } = deps;
  const now = options.now ?? (() => new Date());
  const [x, y, settingsRef] = await Promise.all([
    store.head(keys.raw(dataset, 'x')),
    store.head(keys.raw(dataset, 'y')),
    store.head(keys.raw(dataset, 'settings')),
  ]);
  if (!x || !y) {
    const missing: RawFile[] = [...(x ? [] : ['x' as const]), ...(y ? [] : ['y' as const])];
    const reason = `waiting for ${missing.map((f) => keys.raw(dataset, f)).join(' and ')}`;
    deps.logger.info('waiting for partner', { missing });
    return { status: 'waiting', dataset, reason, missing };
  }
  const run = runIdFor(x, y, settingsRef);
  const logger: Logger = deps.logger.child({ run });
  const manifestKey = keys.manifest(dataset, run);

  const existing = await readManifest(store, manifestKey);
  if (existing) {
    logger.info('run already committed');
    return { status: 'committed', dataset, run, manifestKey, manifest: existing, created: false };
  }
  const rejectCtx: RejectContext = { ...rejectContext(deps, options.owner), now };
  const reportText = await store.getText(keys.errorReport(dataset, run));
  if (reportText !== undefined) {
    // A retry after the report was written: make sure the notification went out, change nothing else.
    const report = JSON.parse(reportText) as { message: string; file: string; hint: string };
    const reportKey = await reportRejection(rejectCtx, { dataset, id: run, run, inputs: {} }, report);
    logger.info('run already rejected');
    return { status: 'rejected', dataset, run, reportKey, message: report.message };
  }

  const claims: ClaimContext = { store, dataset, run, owner: options.owner, now };
  const tokens = { x: inputToken(x), y: inputToken(y) };
  const claim = await claimPair(claims, tokens);
  if (claim.kind !== 'claimed') {
    if (claim.by === run) {
      const manifest = await readManifest(store, manifestKey);
      if (manifest) return { status: 'committed', dataset, run, manifestKey, manifest, created: false };
    }
    if (claim.kind === 'busy') {
      logger.info('run in progress elsewhere', { file: claim.file, by: claim.by });
      return { status: 'in-progress', dataset, run: claim.by, by: claim.by };
    }
    const used = keys.raw(dataset, claim.file);
    const partner = keys.raw(dataset, claim.file === 'x' ? 'y' : 'x');
    const reason = `${used} was already used by run ${claim.by}: upload a new ${claim.file}.csv to start a run with the new ${partner}`;
    logger.info('waiting for new upload', { file: claim.file, consumedBy: claim.by });
    return { status: 'waiting', dataset, reason, missing: [claim.file] };
  }

  try {
    const label = options.fileLabel ?? ((key: string) => key);
    const settingsFile = label(keys.raw(dataset, 'settings'));
    const settingsText = settingsRef ? await readText(store, settingsRef) : undefined;
    if (deps.config.mergeMemoryMb !== undefined) {
      checkMergeSize(
        { x: label(x.key), y: label(y.key) },
        { x: x.size, y: y.size },
        deps.config.mergeMemoryMb,
      );
    }
    const settings = resolveSettings(deps.config.defaults, settingsText, settingsFile);
    const labelInTraining = trainsOnLabel(settings.algorithm);
    const mergeOptions: MergeOptions = {
      xFile: label(x.key),
      yFile: label(y.key),
      validationFraction: settings.validationFraction,
      testFraction: settings.testFraction,
      splitSeed: settings.splitSeed,
      numeric: numericPolicy(settings.algorithm),
      labelInTraining,
    };
    logger.info('merge started', {
      x: x.key,
      y: y.key,
      bytes: x.size + y.size,
      algorithm: settings.algorithm,
    });
    const outputs = new RunOutputs(store, dataset, run);
    mergeOptions.reuseWrittenChunks = outputs.reusesChunks;
    let summary: MergeSummary;
    try {
      const engine = options.engine ?? mergeStreams;
      // The engine never reads a chunk after asking for the next: the store may reuse its buffers.
      const borrowed = { borrowChunks: true };
      summary = await engine(store.read(x, borrowed), store.read(y, borrowed), outputs.open, mergeOptions);
      await outputs.finish();
    } catch (error) {
      await outputs.abort(error instanceof Error ? error : new Error(String(error)));
      throw asRejection(error) || outputs.failure === undefined ? error : outputs.failure;
    }
    const manifest = buildManifest({
      dataset,
      run,
      bucket: deps.config.bucket,
      createdAt: now(),
      inputs: { x, y, settings: settingsRef },
      settings,
      labelInTraining,
      summary,
    });
    const { created } = await store.put(manifestKey, `${JSON.stringify(manifest, null, 2)}\n`, {
      contentType: 'application/json',
      ifAbsent: true,
    });
    logger.info(created ? 'run committed' : 'run already committed', {
      rows: manifest.rows,
      featureCount: manifest.featureCount,
    });
    const committed = created ? manifest : ((await readManifest(store, manifestKey)) ?? manifest);
    return { status: 'committed', dataset, run, manifestKey, manifest: committed, created };
  } catch (error) {
    const rejection = asRejection(error);
    if (!rejection) {
      // Free the inputs for whoever comes next (Lambda's retry or a later event); a crash that skips this is covered by the claims' lease.
      await Promise.allSettled([releaseInput(claims, 'x', tokens.x), releaseInput(claims, 'y', tokens.y)]);
      throw error;
    }
    const reportKey = await reportRejection(
      rejectCtx,
      { dataset, id: run, run, inputs: inputsOf(x, y, settingsRef) },
      rejection,
    );
    logger.warn('run rejected', {
      reportKey,
      problem: rejection.message,
      file: rejection.file,
      row: rejection.row,
      column: rejection.column,
    });
    return { status: 'rejected', dataset, run, reportKey, message: rejection.message };
  }
}
