import { createHash } from 'node:crypto';
import type {
  CreateEndpointConfigInput,
  CreateEndpointInput,
  Tag,
  UpdateEndpointInput,
} from '@aws-sdk/client-sagemaker';
import { MAX_JOB_NAME_LENGTH } from '../training/job-name';
import { tagValue } from '../training/job-tags';
import { modelPackageGroupName } from '../training/model-package';

/** `"endpoint"` in sagedrop.json: one SageMaker Serverless Inference endpoint serving the champion. */
export interface ServerlessEndpointSetting {
  type: 'serverless';
  /** 1024-6144 in steps of 1024 (SageMaker's ServerlessConfig). */
  memoryMb: number;
  /** 1-200 concurrent invocations. */
  maxConcurrency: number;
}

export const ENDPOINT_MEMORY_STEPS_MB = [1024, 2048, 3072, 4096, 5120, 6144] as const;
export const MAX_ENDPOINT_CONCURRENCY = 200;
/** The one variant of every sagedrop endpoint. */
export const VARIANT_NAME = 'champion';

/**
 * The endpoint of a dataset: named like its model package group
 * (`<jobPrefix>--<dataset>`, hashed when the name does not fit), so it starts
 * with the stack's name prefix that IAM grants match and no other stage shares.
 */
export function endpointNameOf(jobPrefix: string, dataset: string): string {
  return modelPackageGroupName(jobPrefix, dataset);
}

/**
 * The endpoint config that serves `modelName` with `setting` on `endpoint`:
 * the endpoint name cut to fit, then a hash of what the config holds. The same
 * champion and setting always give the same name, so a repeated promotion
 * finds the config it made, and a changed memory or concurrency makes a new one.
 */
export function endpointConfigNameOf(
  endpoint: string,
  modelName: string,
  setting: ServerlessEndpointSetting,
): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([endpoint, modelName, setting.memoryMb, setting.maxConcurrency]))
    .digest('hex')
    .slice(0, 12);
  const room = MAX_JOB_NAME_LENGTH - hash.length - 1;
  return `${endpoint.slice(0, room).replace(/-+$/, '')}-${hash}`;
}

const toTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value: tagValue(Value) }));

/** CreateEndpointConfig: one serverless variant with the champion's model. No instances: billed per request. */
export function buildEndpointConfigRequest(input: {
  configName: string;
  modelName: string;
  setting: ServerlessEndpointSetting;
  tags: Record<string, string>;
}): CreateEndpointConfigInput {
  return {
    EndpointConfigName: input.configName,
    ProductionVariants: [
      {
        VariantName: VARIANT_NAME,
        ModelName: input.modelName,
        ServerlessConfig: {
          MemorySizeInMB: input.setting.memoryMb,
          MaxConcurrency: input.setting.maxConcurrency,
        },
      },
    ],
    Tags: toTags(input.tags),
  };
}

export function buildCreateEndpointRequest(input: {
  endpoint: string;
  configName: string;
  tags: Record<string, string>;
}): CreateEndpointInput {
  return { EndpointName: input.endpoint, EndpointConfigName: input.configName, Tags: toTags(input.tags) };
}

export function buildUpdateEndpointRequest(input: {
  endpoint: string;
  configName: string;
}): UpdateEndpointInput {
  return { EndpointName: input.endpoint, EndpointConfigName: input.configName };
}

/** What DescribeEndpoint says of an endpoint that exists. */
export interface EndpointState {
  status: string;
  configName: string;
  failureReason?: string;
}

/** Statuses in which SageMaker refuses UpdateEndpoint: a change is already under way. */
const BUSY = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

export type EndpointPlan =
  | { action: 'none'; reason: string }
  | { action: 'create'; configName: string }
  | { action: 'switch'; configName: string; from: string }
  | { action: 'wait'; reason: string }
  | { action: 'delete'; configName: string }
  | { action: 'remove-failed'; reason: string };

/**
 * What to do so that the dataset's endpoint matches its setting and champion:
 * create it on the first champion, switch it to a new champion's config,
 * delete it when the setting is gone, wait while SageMaker is changing it,
 * and remove it when it failed (nothing else can be done with a failed one).
 */
export function planEndpoint(input: {
  setting: ServerlessEndpointSetting | undefined;
  championModel: string | undefined;
  endpoint: string;
  current: EndpointState | undefined;
}): EndpointPlan {
  const { setting, championModel, endpoint, current } = input;
  if (!setting) {
    if (!current) return { action: 'none', reason: 'no endpoint is set up and none exists' };
    if (current.status === 'Deleting') return { action: 'none', reason: `${endpoint} is being deleted` };
    return { action: 'delete', configName: current.configName };
  }
  if (!championModel) return { action: 'none', reason: 'the dataset has no champion to serve yet' };
  const configName = endpointConfigNameOf(endpoint, championModel, setting);
  if (!current) return { action: 'create', configName };
  if (current.status === 'Failed') {
    // DeleteEndpoint is the only operation SageMaker accepts on a failed endpoint.
    return {
      action: 'remove-failed',
      reason: `${endpoint} failed, and SageMaker accepts only DeleteEndpoint on a failed endpoint: it is deleted, and the next promotion or run creates it again`,
    };
  }
  if (current.configName === configName) {
    return { action: 'none', reason: `${endpoint} already serves ${championModel}` };
  }
  if (BUSY.has(current.status)) {
    return { action: 'wait', reason: `${endpoint} is ${current.status}; it switches once SageMaker is done` };
  }
  return { action: 'switch', configName, from: current.configName };
}

/** Why an `"endpoint"` setting cannot be used, or `undefined`. */
export function endpointSettingProblem(setting: ServerlessEndpointSetting): string | undefined {
  if (!(ENDPOINT_MEMORY_STEPS_MB as readonly number[]).includes(setting.memoryMb)) {
    return `endpoint.memoryMb is ${setting.memoryMb}; SageMaker Serverless Inference takes ${ENDPOINT_MEMORY_STEPS_MB.join(', ')}`;
  }
  if (
    !Number.isInteger(setting.maxConcurrency) ||
    setting.maxConcurrency < 1 ||
    setting.maxConcurrency > MAX_ENDPOINT_CONCURRENCY
  ) {
    return `endpoint.maxConcurrency is ${setting.maxConcurrency}; it must be a whole number from 1 to ${MAX_ENDPOINT_CONCURRENCY}`;
  }
  return undefined;
}

/** The command a user runs to ask the endpoint, shown in the "Endpoint Updated" notification. */
export function invokeExample(endpoint: string, region: string): string {
  return [
    `aws sagemaker-runtime invoke-endpoint --region ${region} --endpoint-name ${endpoint}`,
    `  --content-type text/csv --body fileb://rows.csv answer.out`,
  ].join(' \\\n');
}
