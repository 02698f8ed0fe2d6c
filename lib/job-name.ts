import { createHash } from 'node:crypto';
import { ConfigError } from './errors';

/** SageMaker's TrainingJobName rule. */
export const JOB_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const MAX_JOB_NAME_LENGTH = 63;
const HASH_LENGTH = 13;
/** Marks a hashed name; readable parts never contain two hyphens in a row. */
const HASH_SEPARATOR = '---';
/** The longest stack prefix that still leaves room for `-` + separator + hash. */
export const MAX_JOB_PREFIX_LENGTH = MAX_JOB_NAME_LENGTH - 1 - HASH_SEPARATOR.length - HASH_LENGTH;

const READABLE_PART = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Why `prefix` cannot start this stack's job names, or `undefined` when it can. */
export function jobPrefixProblem(prefix: string): string | undefined {
  if (!/^[a-zA-Z0-9](-?[a-zA-Z0-9])*$/.test(prefix)) {
    return `JOB_PREFIX "${prefix}" must be letters and digits, with single hyphens between them`;
  }
  if (prefix.length > MAX_JOB_PREFIX_LENGTH) {
    return `JOB_PREFIX "${prefix}" is longer than ${MAX_JOB_PREFIX_LENGTH} characters`;
  }
  return undefined;
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
 * The training job name of a run: `<prefix>-<dataset>--<run>` when both are
 * already lower-case letters, digits and single hyphens and the whole fits in
 * 63 characters, otherwise `<prefix>-<readable, cut>---<hash>` with a hash of
 * the exact (dataset, run). Deterministic, so a duplicate delivery of the same
 * manifest asks for the same name and SageMaker's `ResourceInUse` makes it a
 * no-op. Distinct (dataset, run) pairs never share a name, even ignoring case:
 * unhashed names have exactly one `--` after the prefix, hashed ones `---`.
 * Always starts with `<prefix>-`, which the EventBridge rule filters on.
 * Throws `ConfigError` for a prefix that cannot start a job name.
 */
export function trainingJobName(prefix: string, dataset: string, run: string): string {
  const problem = jobPrefixProblem(prefix);
  if (problem) throw new ConfigError(problem);
  const plain = `${prefix}-${dataset}--${run}`;
  if (READABLE_PART.test(dataset) && READABLE_PART.test(run) && plain.length <= MAX_JOB_NAME_LENGTH) {
    return plain;
  }
  const hash = shortHash(dataset, run);
  const room = MAX_JOB_NAME_LENGTH - prefix.length - 1 - HASH_SEPARATOR.length - HASH_LENGTH;
  const words = [readable(dataset), readable(run)].filter((w) => w.length > 0).join('-');
  const cut = words.slice(0, room).replace(/-+$/, '');
  return `${prefix}-${cut}${HASH_SEPARATOR}${hash}`;
}
