import { createHash } from 'node:crypto';
import type { CreateModelInput, CreateTransformJobRequest, Tag } from '@aws-sdk/client-sagemaker';
import { MAX_JOB_NAME_LENGTH, stackNamePrefix } from '../training/job-name';
import { tagValue } from '../training/job-tags';

/** The built-in algorithms whose prediction format sagedrop reads. */
export const SCORED_ALGORITHMS = ['kmeans', 'linear-learner', 'xgboost'] as const;
export type ScoredAlgorithm = (typeof SCORED_ALGORITHMS)[number];

export function isScoredAlgorithm(algorithm: string): algorithm is ScoredAlgorithm {
  return (SCORED_ALGORITHMS as readonly string[]).includes(algorithm);
}

/**
 * What each built-in answers in: linear learner has no CSV output, so it
 * answers JSON lines (one object per input row, in order); k-means and
 * XGBoost answer CSV lines.
 */
export function predictionAccept(algorithm: ScoredAlgorithm): 'application/jsonlines' | 'text/csv' {
  return algorithm === 'linear-learner' ? 'application/jsonlines' : 'text/csv';
}

/** The instance batch transforms run on unless told otherwise: small, CPU, available everywhere. */
export const DEFAULT_TRANSFORM_INSTANCE = 'ml.m5.large';

/** Evaluation transforms start with `<jobPrefix>--eval-`; the EventBridge rule filters on it. */
export function evaluationTransformPrefix(jobPrefix: string): string {
  return `${stackNamePrefix(jobPrefix)}eval-`;
}

/** Prediction transforms (scoring uploads under score/) start with `<jobPrefix>--pred-`; their rule filters on it. */
export function predictionTransformPrefix(jobPrefix: string): string {
  return `${stackNamePrefix(jobPrefix)}pred-`;
}

/** The deterministic transform name of the scoring upload `id`: a repeat finds the same job. */
export function predictionTransformName(jobPrefix: string, id: string): string {
  const start = predictionTransformPrefix(jobPrefix);
  const room = Math.min(24, MAX_JOB_NAME_LENGTH - start.length);
  return `${start}${createHash('sha256').update(id).digest('hex').slice(0, room)}`;
}

export type ScoringRole = 'challenger' | 'champion';

/**
 * The SageMaker model of a training job: named like the job (the same
 * pattern and length limit), so a job has one model whoever creates it,
 * and creating it again is a no-op.
 */
export function modelNameOf(job: string): string {
  return job;
}

/**
 * The deterministic name of the transform that scores `role` for the
 * evaluation of `job`: `<jobPrefix>--eval-<hash of the job>-<n|c>` (`n` the new
 * model, `c` the champion), at most 63 characters, so a repeat of the same
 * work finds the same job.
 */
export function evaluationTransformName(jobPrefix: string, job: string, role: ScoringRole): string {
  const suffix = role === 'challenger' ? 'n' : 'c';
  const start = evaluationTransformPrefix(jobPrefix);
  const room = Math.min(20, MAX_JOB_NAME_LENGTH - start.length - 2);
  const hash = createHash('sha256').update(job).digest('hex').slice(0, room);
  return `${start}${hash}-${suffix}`;
}

const toTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value: tagValue(Value) }));

/** CreateModel for a trained artifact, run with the stack's execution role. */
export function buildModelRequest(input: {
  modelName: string;
  image: string;
  modelDataUrl: string;
  roleArn: string;
  tags: Record<string, string>;
}): CreateModelInput {
  return {
    ModelName: input.modelName,
    PrimaryContainer: { Image: input.image, ModelDataUrl: input.modelDataUrl },
    ExecutionRoleArn: input.roleArn,
    Tags: toTags(input.tags),
  };
}

/**
 * CreateTransformJob over a CSV prefix: one record per line, in order, the
 * output assembled by line as `<output>/<input file>.out`. `labelFirst` drops
 * the leading label column before the model sees a row (`InputFilter $[1:]`).
 */
export function buildTransformRequest(input: {
  name: string;
  modelName: string;
  algorithm: ScoredAlgorithm;
  inputUri: string;
  outputUri: string;
  labelFirst: boolean;
  instanceType?: string;
  tags: Record<string, string>;
}): CreateTransformJobRequest {
  const request: CreateTransformJobRequest = {
    TransformJobName: input.name,
    ModelName: input.modelName,
    BatchStrategy: 'MultiRecord',
    MaxPayloadInMB: 6,
    TransformInput: {
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: input.inputUri } },
      ContentType: 'text/csv',
      SplitType: 'Line',
      CompressionType: 'None',
    },
    TransformOutput: {
      S3OutputPath: input.outputUri,
      Accept: predictionAccept(input.algorithm),
      AssembleWith: 'Line',
    },
    TransformResources: {
      InstanceType: (input.instanceType ?? DEFAULT_TRANSFORM_INSTANCE) as NonNullable<
        CreateTransformJobRequest['TransformResources']
      >['InstanceType'],
      InstanceCount: 1,
    },
    Tags: toTags(input.tags),
  };
  if (input.labelFirst) request.DataProcessing = { InputFilter: '$[1:]', JoinSource: 'None' };
  return request;
}
