import { createHash } from 'node:crypto';
import { ConfigError } from '../settings/errors';

/** SageMaker's TrainingJobName rule. */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const MAX_JOB_NAME_LENGTH = 63;
const HASH_LENGTH = 13;
/**
 * Ends the stack prefix in every SageMaker name the stack makes. A prefix has
 * single hyphens only, so `sagedrop-dev--` can never be the start of another
 * stage's `sagedrop-dev-eu--...`: a grant on `sagedrop-dev--*` reaches one stage.
 */
export const STACK_NAME_SEPARATOR = '--';
/** Marks a hashed name; readable parts never contain two hyphens in a row. */
const HASH_SEPARATOR = '---';
/** The longest stack prefix that still leaves room for the stack separator, the hash separator and a hash. */
export const MAX_JOB_PREFIX_LENGTH =
  MAX_JOB_NAME_LENGTH - STACK_NAME_SEPARATOR.length - HASH_SEPARATOR.length - HASH_LENGTH;

const READABLE_PART = /^[a-z0-9]+(-[a-z0-9]+)*$/;
/** The merge's run ids (`20260101T000002Z-ebf17e02ab`): T and Z are their only capitals, so lower-casing loses nothing. */
const MERGE_RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]+$/;
const LOWERED_MERGE_RUN_ID = /^\d{8}t\d{6}z-[0-9a-f]+$/;

/** Why `prefix` cannot start this stack's job names, or `undefined` when it can. */
export function jobPrefixProblem(prefix: string): string | undefined {
  // Lower case only: SageMaker compares names ignoring case, so `Dev` and `dev` would share jobs.
  if (!/^[a-z0-9](-?[a-z0-9])*$/.test(prefix)) {
    return `JOB_PREFIX "${prefix}" must be lower-case letters and digits, with single hyphens between them`;
  }
  if (prefix.length > MAX_JOB_PREFIX_LENGTH) {
    return `JOB_PREFIX "${prefix}" is longer than ${MAX_JOB_PREFIX_LENGTH} characters`;
  }
  return undefined;
}

/**
 * What every SageMaker name of the stack starts with (training jobs, model
 * package groups, models, endpoints): `<jobPrefix>--`. IAM grants and the
 * EventBridge rule match on it; no other stage's names ever start with it.
 */
export function stackNamePrefix(jobPrefix: string): string {
  return `${jobPrefix}${STACK_NAME_SEPARATOR}`;
}

/** Lower-case ASCII letters and digits with single hyphens: accents dropped, everything else a hyphen. */
function readable(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** 13 base-36 characters (64 bits) of SHA-256 over the exact dataset and run. */
function shortHash(dataset: string, run: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([dataset, run]))
    .digest();
  return digest.readBigUInt64BE(0).toString(36).padStart(HASH_LENGTH, '0');
}

/**
 * The run as it appears in an unhashed name, or `undefined` when it must be
 * hashed. One-to-one: a lower-cased merge run id never equals a run that is
 * already in that lower-case form, because such runs are hashed.
 */
function plainRun(run: string): string | undefined {
  if (MERGE_RUN_ID.test(run)) return run.toLowerCase();
  if (READABLE_PART.test(run) && !LOWERED_MERGE_RUN_ID.test(run)) return run;
  return undefined;
}

/**
 * The training job name of a run: `<prefix>--<dataset>--<run>` when both are
 * already lower-case letters, digits and single hyphens (a merge run id is
 * lower-cased) and the whole fits in 63 characters, otherwise
 * `<prefix>--<readable, cut>---<hash>` with a hash of the exact (dataset, run).
 * Deterministic, so a duplicate delivery of the same manifest asks for the same
 * name and SageMaker's `ResourceInUse` makes it a no-op. Distinct (dataset, run)
 * pairs never share a name, even ignoring case (SageMaker treats names that
 * differ only in case as the same job): after `<prefix>--`, unhashed names have
 * exactly one `--`, hashed ones `---`. Always starts with `stackNamePrefix`,
 * which the EventBridge rule and the IAM grants match on.
 * Throws `ConfigError` for a prefix that cannot start a job name.
 */
export function trainingJobName(prefix: string, dataset: string, run: string): string {
  const problem = jobPrefixProblem(prefix);
  if (problem) throw new ConfigError(problem);
  const runPart = plainRun(run);
  if (runPart !== undefined && READABLE_PART.test(dataset)) {
    const plain = `${stackNamePrefix(prefix)}${dataset}--${runPart}`;
    if (plain.length <= MAX_JOB_NAME_LENGTH) return plain;
  }
  const hash = shortHash(dataset, run);
  const start = stackNamePrefix(prefix);
  const room = MAX_JOB_NAME_LENGTH - start.length - HASH_SEPARATOR.length - HASH_LENGTH;
  const words = [readable(dataset), readable(run)].filter((w) => w.length > 0).join('-');
  const cut = words.slice(0, room).replace(/-+$/, '');
  return `${start}${cut}${HASH_SEPARATOR}${hash}`;
}
