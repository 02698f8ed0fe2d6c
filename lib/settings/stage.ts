import { MAX_JOB_PREFIX_LENGTH } from '../training/job-name';

/** S3's limit on bucket names. */
export const MAX_BUCKET_NAME_LENGTH = 63;
/** Lambda's limit on function names, and EventBridge's on rule names. */
export const MAX_FUNCTION_NAME_LENGTH = 64;
export const MAX_RULE_NAME_LENGTH = 64;
/** An AWS account id always has 12 digits: the bucket name's length is known before the account is. */
const ACCOUNT_ID_LENGTH = 12;

/** Lower-case letters and digits with single hyphens between them. */
const STAGE_PATTERN = /^[a-z0-9](-?[a-z0-9])*$/;

/** The names a stage becomes part of, as serverless.yml spells them. */
export interface StageNames {
  service: string;
  stage: string;
  region: string;
  /** The functions' names (`sagedrop-dev-merge`). */
  functions: readonly string[];
  /** The names of the EventBridge rules the stack names itself. */
  rules: readonly string[];
}

/** The longest stage a region allows, from the bucket name `<service>-<stage>-<account>-<region>`. */
export function maxStageLength(service: string, region: string): number {
  const bucketRoom = MAX_BUCKET_NAME_LENGTH - service.length - ACCOUNT_ID_LENGTH - region.length - 3;
  const jobRoom = MAX_JOB_PREFIX_LENGTH - service.length - 1;
  return Math.min(bucketRoom, jobRoom);
}

/**
 * Why `stage` cannot name a deployment of this stack in `region`, one sentence
 * per problem, or none. Stage names become part of the bucket name, the
 * SageMaker names (where one stage's prefix must never start another's, so
 * single hyphens only), the function names and the rule names, and AWS
 * refuses upper case, `_` and names past their length limits there.
 */
export function stageNameProblems(names: StageNames): string[] {
  const { service, stage, region } = names;
  const problems: string[] = [];
  if (!STAGE_PATTERN.test(stage)) {
    problems.push(
      `stage "${stage}" must be lower-case letters and digits with single hyphens between them ` +
        '(it becomes part of the S3 bucket and SageMaker names, which refuse upper case and "_", ' +
        'and "--" separates the stage from the rest of a SageMaker name)',
    );
  }
  const limit = maxStageLength(service, region);
  if (stage.length > limit) {
    problems.push(
      `stage "${stage}" has ${stage.length} characters; in ${region} at most ${limit} fit ` +
        `(bucket ${service}-<stage>-<account>-${region}: ${MAX_BUCKET_NAME_LENGTH} characters; ` +
        `SageMaker names: 63 characters)`,
    );
  }
  for (const name of names.functions) {
    if (name.length > MAX_FUNCTION_NAME_LENGTH) {
      problems.push(
        `stage "${stage}" makes the function name ${name} longer than ${MAX_FUNCTION_NAME_LENGTH} characters`,
      );
    }
  }
  for (const rule of names.rules) {
    if (rule.length > MAX_RULE_NAME_LENGTH) {
      problems.push(
        `stage "${stage}" makes the EventBridge rule name ${rule} longer than ${MAX_RULE_NAME_LENGTH} characters`,
      );
    }
  }
  return problems;
}
