import { createHash } from 'node:crypto';
import * as z from 'zod';
import { keys, type RawFile, rawFileName, rawKeys } from '../layout';
import { type ObjectRef, type ObjectStore, readStoredRecord, type StoredRecord } from '../ports';
import { readManifest } from '../training/manifest';
import type { ClaimedRun, MergeContext, MergeOutcome } from './merge-context';
import { readRejectionReport, reportRejection } from './merge-rejection';

/**
 * How long a claim on an input is trusted to belong to a live merge: the merge
 * function's 15-minute timeout plus a margin. An older claim whose run left no
 * manifest was abandoned (its invocation died for good) and may be taken over.
 */
export const CLAIM_LEASE_MS = 16 * 60 * 1000;

/**
 * What names one uploaded version of an input, for claims and run ids: the S3
 * version id when the bucket is versioned, else a hash of ETag and
 * modification time (an identical re-upload is a new upload, so it is a new version).
 */
export function inputToken(ref: ObjectRef): string {
  if (ref.versionId && /^[A-Za-z0-9._-]{1,200}$/.test(ref.versionId)) return `v-${ref.versionId}`;
  const basis = `${ref.versionId ?? ''}\n${ref.etag.replace(/"/g, '')}\n${ref.lastModified.toISOString()}`;
  return `e-${createHash('sha256').update(basis).digest('hex').slice(0, 32)}`;
}

function compactUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * The run id of a pair: `<UTC time of the newer upload>-<10 hex of the inputs' hash>`,
 * e.g. `20260101T120000Z-3f2a9c01de`. The same inputs and settings file always
 * give the same id (so a repeat lands on the same keys), ids sort by time, and
 * the id is valid in S3 keys and SageMaker job names.
 */
export function runIdFor(x: ObjectRef, y: ObjectRef, settings: ObjectRef | undefined): string {
  const newer = x.lastModified.getTime() >= y.lastModified.getTime() ? x.lastModified : y.lastModified;
  const basis = [inputToken(x), inputToken(y), settings ? inputToken(settings) : 'no-settings'].join('\n');
  return `${compactUtc(newer)}-${createHash('sha256').update(basis).digest('hex').slice(0, 10)}`;
}

const inputClaimSchema = z.lazy(() =>
  z.object({
    run: z.string(),
    /** The invocation working on the run (Lambda's request id, kept across its retries). */
    owner: z.string(),
    at: z.string(),
  }),
);

/** The record at `train/<dataset>/_inputs/<x|y>/<token>.json`: which run took that upload. */
export type InputClaim = z.infer<typeof inputClaimSchema>;

/** The claim on one uploaded version of an input (`keys.inputClaim`), checked. */
export function readInputClaim(
  store: Pick<ObjectStore, 'getText'>,
  key: string,
): Promise<StoredRecord<InputClaim>> {
  return readStoredRecord(store, key, inputClaimSchema);
}

export type ClaimResult =
  /** This invocation holds the input for `run`. */
  | { kind: 'claimed' }
  /** An earlier run committed a manifest with this upload: it is used up. */
  | { kind: 'consumed'; by: string }
  /** Another live invocation is merging a run with this upload. */
  | { kind: 'busy'; by: string };

/** The part of the merge's context a claim needs, and the run it claims for. */
export type ClaimContext = Pick<MergeContext, 'store' | 'dataset' | 'owner' | 'now'> & { run: string };

/**
 * Claims one input version for `ctx.run`. Claims are created with a conditional
 * write, so of concurrent invocations exactly one wins; the others learn who
 * holds the input. A claim of a run that was rejected, or whose lease ran out
 * without a manifest, does not consume the input and is taken over with a
 * compare-and-swap on its ETag.
 */
export async function claimInput(ctx: ClaimContext, file: 'x' | 'y', token: string): Promise<ClaimResult> {
  const key = keys.inputClaim(ctx.dataset, file, token);
  const mine = (): string =>
    JSON.stringify({ run: ctx.run, owner: ctx.owner, at: ctx.now().toISOString() } satisfies InputClaim);
  if ((await ctx.store.put(key, mine(), { contentType: 'application/json', ifAbsent: true })).created) {
    return { kind: 'claimed' };
  }
  for (let attempt = 0; attempt < 5; attempt++) {
    const ref = await ctx.store.head(key);
    if (!ref) {
      // Released between our create and this look: try to create it again.
      if ((await ctx.store.put(key, mine(), { contentType: 'application/json', ifAbsent: true })).created) {
        return { kind: 'claimed' };
      }
      continue;
    }
    const read = await readInputClaim(ctx.store, key);
    // An unreadable claim protects nothing: it is taken over below.
    const claim = read.state === 'valid' ? read.record : undefined;
    if (claim) {
      if (claim.run === ctx.run && claim.owner === ctx.owner) return { kind: 'claimed' };
      // The same invocation held it for a run it no longer makes (an input changed before its retry).
      const ownAbandoned = claim.owner === ctx.owner;
      if (await ctx.store.head(keys.manifest(ctx.dataset, claim.run)))
        return { kind: 'consumed', by: claim.run };
      const rejected = (await ctx.store.head(keys.errorReport(ctx.dataset, claim.run))) !== undefined;
      const fresh = ctx.now().getTime() - Date.parse(claim.at) < CLAIM_LEASE_MS;
      if (!rejected && fresh && !ownAbandoned) return { kind: 'busy', by: claim.run };
    }
    if ((await ctx.store.put(key, mine(), { contentType: 'application/json', ifMatch: ref.etag })).created) {
      return { kind: 'claimed' };
    }
  }
  // Five lost swaps in a row means others keep taking it: let them have it.
  return { kind: 'busy', by: 'another invocation' };
}

/** Gives up this invocation's claim, so the input can pair with a later upload of its partner. */
export async function releaseInput(ctx: ClaimContext, file: 'x' | 'y', token: string): Promise<void> {
  const key = keys.inputClaim(ctx.dataset, file, token);
  const read = await readInputClaim(ctx.store, key);
  if (read.state === 'valid' && read.record.run === ctx.run && read.record.owner === ctx.owner) {
    await ctx.store.delete(key);
  }
}

/** What stops a pair from being claimed, and on which of the two files. */
export type PairClaimResult =
  | { kind: 'claimed' }
  | { kind: 'consumed' | 'busy'; by: string; file: 'x' | 'y' };

/**
 * Claims x, then y (always in that order, so two invocations cannot each hold
 * one and wait on the other). When y cannot be had, x is released again so it
 * stays free to pair with a later upload of y.
 */
export async function claimPair(
  ctx: ClaimContext,
  tokens: { x: string; y: string },
): Promise<PairClaimResult> {
  const x = await claimInput(ctx, 'x', tokens.x);
  if (x.kind !== 'claimed') return { ...x, file: 'x' };
  const y = await claimInput(ctx, 'y', tokens.y);
  if (y.kind === 'claimed') return y;
  await releaseInput(ctx, 'x', tokens.x);
  return { ...y, file: 'y' };
}

/** The current versions of a dataset's raw files, as one pairing attempt saw them. */
interface RawRefs {
  x: ObjectRef | undefined;
  y: ObjectRef | undefined;
  settings: ObjectRef | undefined;
}

/** How many times one invocation pairs again after newer uploads turned up while it held x. */
const MAX_PAIRING_ATTEMPTS = 5;

/** Whether a run committed a manifest with this upload (its claim names a run that finished merging). */
async function consumed(
  store: Pick<ObjectStore, 'head' | 'getText'>,
  dataset: string,
  file: 'x' | 'y',
  ref: ObjectRef,
) {
  const claim = await readInputClaim(store, keys.inputClaim(dataset, file, inputToken(ref)));
  return (
    claim.state === 'valid' && (await store.head(keys.manifest(dataset, claim.record.run))) !== undefined
  );
}

/**
 * The current upload of one raw file of `dataset`: `x.csv` or `x.csv.gz` (the
 * same for y), whichever was uploaded last. S3 gives modification times to the
 * second: when both were uploaded in the same second, the one no run has used
 * yet is the current one (the other was uploaded, and used, before it).
 */
export async function headRawFile(
  store: Pick<ObjectStore, 'head' | 'getText'>,
  dataset: string,
  file: RawFile,
): Promise<ObjectRef | undefined> {
  const found = (await Promise.all(rawKeys(dataset, file).map((key) => store.head(key)))).filter(
    (ref): ref is ObjectRef => ref !== undefined,
  );
  const [first, second] = found;
  if (!first || !second || file === 'settings') return first;
  const seconds = (ref: ObjectRef) => Math.floor(ref.lastModified.getTime() / 1000);
  if (seconds(first) !== seconds(second)) return seconds(first) > seconds(second) ? first : second;
  return (await consumed(store, dataset, file, first)) ? second : first;
}

async function headRawFiles(ctx: MergeContext): Promise<RawRefs> {
  const [x, y, settings] = await Promise.all([
    headRawFile(ctx.store, ctx.dataset, 'x'),
    headRawFile(ctx.store, ctx.dataset, 'y'),
    headRawFile(ctx.store, ctx.dataset, 'settings'),
  ]);
  return { x, y, settings };
}

function sameUploads(a: RawRefs, b: RawRefs): boolean {
  const token = (ref: ObjectRef | undefined) => (ref ? inputToken(ref) : '');
  return (['x', 'y', 'settings'] as const).every((file) => token(a[file]) === token(b[file]));
}

/**
 * Pairs the current `x.csv` and `y.csv` of `ctx.dataset`: the outcome when
 * there is nothing (more) to merge (a file missing, the run already committed
 * or rejected, an input used up or held by another live invocation), or the
 * claimed run this invocation must now merge.
 *
 * An invocation that held x for a moment and let it go (its y was used up or
 * busy) looks at the raw files again: while it held x, the invocation of a newer
 * y may have found x busy and left the work to it. If anything changed, it pairs
 * again, so that one of the two always takes the newest pair.
 */
export async function pairRun(ctx: MergeContext): Promise<MergeOutcome | ClaimedRun> {
  let seen = await headRawFiles(ctx);
  for (let attempt = 1; ; attempt++) {
    const { result, releasedX } = await pairOnce(ctx, seen);
    if (!releasedX || attempt >= MAX_PAIRING_ATTEMPTS) return result;
    const now = await headRawFiles(ctx);
    if (sameUploads(seen, now)) return result;
    ctx.logger.info('newer upload while pairing: pairing again', { attempt });
    seen = now;
  }
}

async function pairOnce(
  ctx: MergeContext,
  { x, y, settings }: RawRefs,
): Promise<{ result: MergeOutcome | ClaimedRun; releasedX?: boolean }> {
  const { store, dataset } = ctx;
  if (!x || !y) {
    const missing: RawFile[] = [...(x ? [] : ['x' as const]), ...(y ? [] : ['y' as const])];
    const reason = `waiting for ${missing.map((f) => `${keys.raw(dataset, f)} (or ${f}.csv.gz)`).join(' and ')}`;
    ctx.logger.info('waiting for partner', { missing });
    return { result: { outcome: 'waiting', dataset, reason, missing } };
  }
  const run = runIdFor(x, y, settings);
  const logger = ctx.logger.child({ run });
  const manifestKey = keys.manifest(dataset, run);
  const committed = async (): Promise<MergeOutcome | undefined> => {
    const existing = await readManifest(store, manifestKey);
    if (existing.state !== 'valid') return undefined;
    return { outcome: 'committed', dataset, run, manifestKey, manifest: existing.record, created: false };
  };

  const existing = await committed();
  if (existing) {
    logger.info('run already committed');
    return { result: existing };
  }
  const report = await readRejectionReport(store, keys.errorReport(dataset, run));
  if (report.state === 'valid') {
    // A retry after the report was written: make sure the notification went out, change nothing else.
    const reportKey = await reportRejection(ctx, { dataset, id: run, run, inputs: {} }, report.record);
    logger.info('run already rejected');
    return { result: { outcome: 'rejected', dataset, run, reportKey, message: report.record.message } };
  }

  const tokens = { x: inputToken(x), y: inputToken(y) };
  const claim = await claimPair({ ...ctx, run }, tokens);
  if (claim.kind === 'claimed') {
    return { result: { outcome: 'claimed', run, x, y, settings, tokens, manifestKey, logger } };
  }
  const releasedX = claim.file === 'y';
  if (claim.by === run) {
    const done = await committed();
    if (done) return { result: done, releasedX };
  }
  if (claim.kind === 'busy') {
    logger.info('run in progress elsewhere', { file: claim.file, by: claim.by });
    return { result: { outcome: 'in-progress', dataset, run: claim.by, by: claim.by }, releasedX };
  }
  const used = claim.file === 'x' ? x : y;
  const partner = claim.file === 'x' ? y : x;
  const reason = `${used.key} was already used by run ${claim.by}: upload a new ${claim.file}.csv to start a run with the new ${rawFileName(partner.key)}`;
  logger.info('waiting for new upload', { file: claim.file, consumedBy: claim.by });
  return { result: { outcome: 'waiting', dataset, reason, missing: [claim.file] }, releasedX };
}
