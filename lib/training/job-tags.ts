import { createHash } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-sagemaker';
import { datasetNameProblem } from '../layout';

/**
 * Tag keys on every training job the train stage starts and every model
 * package the complete stage registers; the complete stage and users filter
 * on them. The one definition: writers and readers import it from here.
 */
export const JOB_TAGS = {
  dataset: 'sagedrop:dataset',
  run: 'sagedrop:run',
  stack: 'sagedrop:stack',
  job: 'sagedrop:job',
} as const;

/** SageMaker's TagValue rule (botocore `TagValue`). */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const MAX_TAG_VALUE_LENGTH = 256;
/** How `tagValue` marks a value it had to change: `@` and 12 hex digits of the exact value. */
const SANITISED_MARK = /@[0-9a-f]{12}$/;

/**
 * `value` as a tag value: unchanged when SageMaker accepts it; otherwise every
 * character it refuses replaced by `_`, cut to fit, and marked `@<hash>` of
 * the exact value so two names that sanitise alike stay apart. The exact
 * dataset name is always recoverable from the job's output path
 * (`s3://<bucket>/models/<dataset>/`) and the run's manifest.
 */
export function tagValue(value: string): string {
  if (TAG_VALUE.test(value) && value.length <= MAX_TAG_VALUE_LENGTH) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 12);
  const safe = [...value].map((ch) => (TAG_VALUE.test(ch) ? ch : '_')).join('');
  const room = MAX_TAG_VALUE_LENGTH - hash.length - 1;
  let cut = '';
  for (const ch of safe) {
    if (cut.length + ch.length > room) break;
    cut += ch;
  }
  return `${cut}@${hash}`;
}

/** The tags the train stage puts on the training job of `dataset`'s `run`. */
export function trainingJobTags(origin: { dataset: string; run: string; stack: string }): Tag[] {
  return [
    { Key: JOB_TAGS.dataset, Value: tagValue(origin.dataset) },
    { Key: JOB_TAGS.run, Value: tagValue(origin.run) },
    { Key: JOB_TAGS.stack, Value: tagValue(origin.stack) },
  ];
}

/** What a job's tags say about where it came from; only exact names, never sanitised ones. */
export interface JobTagOrigin {
  dataset?: string;
  run?: string;
  stack?: string;
}

/**
 * Whether a tag value can stand for a dataset or run name: a value `tagValue`
 * had to sanitise is not the exact name, so it never names a catalog key.
 */
function exactName(name: string | undefined): string | undefined {
  if (name === undefined || name.includes('/') || SANITISED_MARK.test(name)) return undefined;
  return datasetNameProblem(name) === undefined ? name : undefined;
}

/**
 * Reads the tags `trainingJobTags` wrote (as a plain object, the shape the
 * event parser gives): the dataset and run when they are the exact names, and
 * the stack. A run without a usable dataset is dropped: it names nothing alone.
 */
export function readJobTags(tags: Record<string, string>): JobTagOrigin {
  const origin: JobTagOrigin = {};
  const stack = tags[JOB_TAGS.stack];
  if (stack !== undefined) origin.stack = stack;
  const dataset = exactName(tags[JOB_TAGS.dataset]);
  if (!dataset) return origin;
  origin.dataset = dataset;
  const run = exactName(tags[JOB_TAGS.run]);
  if (run) origin.run = run;
  return origin;
}
