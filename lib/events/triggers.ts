import { MANIFEST_FILE, PREFIX } from '../layout';
import { stackNamePrefix } from '../training/job-name';

/** Which function an S3 object-created notification invokes: the bucket's notification configuration. */
export interface S3Trigger {
  fn: 'merge' | 'train' | 'predict';
  event: 's3:ObjectCreated:*';
  prefix: string;
  suffix: string;
}

/**
 * The bucket notifications serverless.yml declares, and local mode routes by.
 * They must not overlap (S3 refuses overlapping rules) and no function writes
 * under its own trigger: merge writes under train/, never raw/; predict writes
 * under transforms/ and predictions/, never score/.
 */
export const S3_TRIGGERS: readonly S3Trigger[] = [
  { fn: 'merge', event: 's3:ObjectCreated:*', prefix: PREFIX.raw, suffix: '' },
  { fn: 'train', event: 's3:ObjectCreated:*', prefix: PREFIX.train, suffix: MANIFEST_FILE },
  { fn: 'predict', event: 's3:ObjectCreated:*', prefix: PREFIX.score, suffix: '.csv' },
  { fn: 'predict', event: 's3:ObjectCreated:*', prefix: PREFIX.score, suffix: '.csv.gz' },
];

/** Whether an object created at `key` (decoded) fires `trigger`, as S3 filters it. */
export function triggerMatches(trigger: S3Trigger, key: string): boolean {
  return key.startsWith(trigger.prefix) && key.endsWith(trigger.suffix);
}

/** The functions an object created at `key` invokes. */
export function functionsTriggeredBy(key: string): S3Trigger['fn'][] {
  return S3_TRIGGERS.filter((trigger) => triggerMatches(trigger, key)).map((trigger) => trigger.fn);
}

export type EventPattern = { [field: string]: EventPattern | (string | { prefix: string })[] };

/**
 * The EventBridge rule that invokes `complete`: terminal states of this
 * stack's training jobs only (names start with `<jobPrefix>--`, which no
 * other stage's names do).
 */
export function trainingJobPattern(jobPrefix: string): EventPattern {
  return {
    source: ['aws.sagemaker'],
    'detail-type': ['SageMaker Training Job State Change'],
    detail: {
      TrainingJobStatus: ['Completed', 'Failed', 'Stopped'],
      TrainingJobName: [{ prefix: stackNamePrefix(jobPrefix) }],
    },
  };
}

/**
 * EventBridge matching for the pattern features sagedrop uses: every field of
 * the pattern must be present; a list matches when any entry (a value or a
 * `{ prefix }`) matches; nested objects match recursively.
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  if (!event || typeof event !== 'object') return false;
  const fields = event as Record<string, unknown>;
  return Object.entries(pattern).every(([name, expected]) => {
    const actual = fields[name];
    if (!Array.isArray(expected)) return matchesEventPattern(expected, actual);
    return expected.some((entry) =>
      typeof entry === 'string'
        ? actual === entry
        : typeof actual === 'string' && actual.startsWith(entry.prefix),
    );
  });
}
