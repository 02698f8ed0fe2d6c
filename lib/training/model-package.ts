import { createHash } from 'node:crypto';

import type { ModelPackageInput } from '../ports';
import { stackNamePrefix } from './job-name';
import { JOB_TAGS } from './job-tags';

/** SageMaker's rule for model package group names. */
export const GROUP_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const MAX_GROUP_NAME_LENGTH = 63;
const HASH_LENGTH = 10;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The model package group of a dataset: `<jobPrefix>--<dataset>` when the
 * dataset name is lower-case ASCII letters, digits and single hyphens and fits;
 * otherwise `<jobPrefix>--<readable cut>--<hash of the exact name>`. After the
 * stack prefix, plain names never contain `--`, so two datasets never share a
 * group, even if SageMaker compares names ignoring case; and no dataset of one
 * stage lands in another stage's names (see `stackNamePrefix`).
 */
export function modelPackageGroupName(jobPrefix: string, dataset: string): string {
  const start = stackNamePrefix(jobPrefix);
  const plain = `${start}${dataset}`;
  if (/^[a-z0-9]+(-[a-z0-9]+)*$/.test(dataset) && plain.length <= MAX_GROUP_NAME_LENGTH) return plain;
  const hash = sha256(dataset).slice(0, HASH_LENGTH);
  const readable = dataset
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = MAX_GROUP_NAME_LENGTH - start.length - 2 - HASH_LENGTH;
  const cut = readable.slice(0, Math.max(0, room)).replace(/-+$/, '');
  return `${start}${cut}--${hash}`;
}

/**
 * CreateModelPackage's idempotency token for a job (at most 36 characters of
 * `[a-zA-Z0-9-]`): the same job never registers twice.
 */
export function registryClientToken(job: string): string {
  return sha256(`sagedrop-model-package:${job}`).slice(0, 32);
}

/** What to register for a completed job. */
export function modelPackageFor(options: {
  jobPrefix: string;
  dataset: string;
  run?: string;
  job: string;
  algorithm: string;
  image: string;
  modelDataUrl: string;
  /** Where the evaluation will write the model's report. */
  evaluationUri?: string;
}): ModelPackageInput {
  const { dataset, run, job } = options;
  const tags: Record<string, string> = { [JOB_TAGS.dataset]: dataset, [JOB_TAGS.job]: job };
  if (run) tags[JOB_TAGS.run] = run;
  return {
    groupName: modelPackageGroupName(options.jobPrefix, dataset),
    description: `${options.algorithm} model of dataset "${dataset}"${run ? `, run ${run}` : ''}, training job ${job}`,
    image: options.image,
    modelDataUrl: options.modelDataUrl,
    clientToken: registryClientToken(job),
    tags,
    ...(options.evaluationUri ? { evaluationUri: options.evaluationUri } : {}),
  };
}
