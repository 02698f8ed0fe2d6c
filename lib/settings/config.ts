import { ENDPOINT_MEMORY_STEPS_MB, MAX_ENDPOINT_CONCURRENCY } from '../models/endpoint';
import { jobPrefixProblem } from '../training/job-name';
import {
  BUILT_IN_ALGORITHMS,
  type BuiltInAlgorithm,
  INSTANCE_TYPE_PATTERN,
  type SettingsDefaults,
  trainingShareProblem,
} from './dataset';
import { ConfigError } from './errors';

/** Everything a function needs from its environment, read and validated once. */
export interface Config {
  region: string;
  bucket: string;
  /** Every training job of this stack starts with it; the EventBridge rule filters on it. */
  jobPrefix: string;
  stackName: string;
  sagemakerRoleArn: string;
  topicArn: string;
  eventBusName: string;
  registerModels: boolean;
  defaults: SettingsDefaults;
  logLevel: (typeof LOG_LEVELS)[number];
  /**
   * Memory of the merge function (param mergeMemoryMb): a pair it cannot merge
   * within Lambda's 15 minutes is rejected up front. Unset off Lambda (no limit).
   */
  mergeMemoryMb?: number;
  /** The deployment stage (`--stage`), given to the functions that tell users a `sagedrop` command. */
  stage?: string;
}

type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/**
 * The serverless.yml params the functions read, and the environment variable
 * each one becomes (serverless.yml `provider.environment`).
 */
export const STACK_PARAMS = {
  algorithm: 'DEFAULT_ALGORITHM',
  instanceType: 'DEFAULT_INSTANCE_TYPE',
  instanceCount: 'DEFAULT_INSTANCE_COUNT',
  volumeSizeGb: 'DEFAULT_VOLUME_SIZE_GB',
  maxRuntimeSeconds: 'DEFAULT_MAX_RUNTIME_SECONDS',
  spot: 'DEFAULT_SPOT',
  validationFraction: 'DEFAULT_VALIDATION_FRACTION',
  testFraction: 'DEFAULT_TEST_FRACTION',
  allowCustomImages: 'ALLOW_CUSTOM_IMAGES',
  registerModels: 'REGISTER_MODELS',
  logLevel: 'LOG_LEVEL',
  mergeMemoryMb: 'MERGE_MEMORY_MB',
  endpoint: 'DEFAULT_ENDPOINT',
  endpointMemoryMb: 'DEFAULT_ENDPOINT_MEMORY_MB',
  endpointMaxConcurrency: 'DEFAULT_ENDPOINT_MAX_CONCURRENCY',
} as const;

/** Lambda's memory range, in MB. */
const LAMBDA_MEMORY_MB = { min: 128, max: 10240, fallback: 1024 } as const;

/** How a problem names a variable: the functions say the variable, the package step the param. */
type Label = (variable: string) => string;
const asVariable: Label = (variable) => variable;

function reader(env: Env, problems: string[], label: Label) {
  const text = (name: string, fallback?: string): string => {
    const value = env[name] ?? fallback;
    if (value === undefined || value === '') {
      problems.push(`${label(name)} is not set`);
      return '';
    }
    return value;
  };
  const number = (name: string, fallback: number, min: number, max: number, integer = true): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(
        `${label(name)}=${raw} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
      );
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    problems.push(`${label(name)}=${raw} must be true or false`);
    return fallback;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name, fallback);
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${label(name)}=${value} must be one of ${allowed.join(', ')}`);
    return fallback;
  };
  return { text, number, flag, oneOf };
}

/**
 * Stack defaults from the environment (the serverless.yml params end up
 * here), with the limits a dataset's `sagedrop.json` has. Problems are added to
 * `problems`, naming each variable as `label` says.
 */
export function readDefaults(env: Env, problems: string[] = [], label: Label = asVariable): SettingsDefaults {
  const { text, number, flag, oneOf } = reader(env, problems, label);
  const instanceType = text('DEFAULT_INSTANCE_TYPE', 'ml.m5.large');
  if (instanceType && !INSTANCE_TYPE_PATTERN.test(instanceType)) {
    problems.push(`${label('DEFAULT_INSTANCE_TYPE')}=${instanceType} must look like ml.m5.large`);
  }
  const defaults: SettingsDefaults = {
    algorithm: oneOf<BuiltInAlgorithm>('DEFAULT_ALGORITHM', BUILT_IN_ALGORITHMS, 'linear-learner'),
    instanceType,
    instanceCount: number('DEFAULT_INSTANCE_COUNT', 1, 1, 100),
    volumeSizeGb: number('DEFAULT_VOLUME_SIZE_GB', 10, 1, 16384),
    maxRuntimeSeconds: number('DEFAULT_MAX_RUNTIME_SECONDS', 3600, 60, 28 * 24 * 3600),
    spot: flag('DEFAULT_SPOT', false),
    validationFraction: number('DEFAULT_VALIDATION_FRACTION', 0.2, 0, 0.9, false),
    testFraction: number('DEFAULT_TEST_FRACTION', 0.1, 0, 0.9, false),
    allowCustomImages: flag('ALLOW_CUSTOM_IMAGES', false),
  };
  const share = trainingShareProblem(defaults.validationFraction, defaults.testFraction);
  if (share) {
    problems.push(`${label('DEFAULT_VALIDATION_FRACTION')} + ${label('DEFAULT_TEST_FRACTION')} ${share}`);
  }
  const endpoint = oneOf('DEFAULT_ENDPOINT', ['off', 'serverless'] as const, 'off');
  const memoryMb = number('DEFAULT_ENDPOINT_MEMORY_MB', 2048, 1024, 6144);
  if (!(ENDPOINT_MEMORY_STEPS_MB as readonly number[]).includes(memoryMb)) {
    problems.push(
      `${label('DEFAULT_ENDPOINT_MEMORY_MB')}=${memoryMb} must be one of ${ENDPOINT_MEMORY_STEPS_MB.join(', ')} (Serverless Inference memory sizes)`,
    );
  }
  const maxConcurrency = number('DEFAULT_ENDPOINT_MAX_CONCURRENCY', 5, 1, MAX_ENDPOINT_CONCURRENCY);
  if (endpoint === 'serverless') defaults.endpoint = { type: 'serverless', memoryMb, maxConcurrency };
  return defaults;
}

const PARAM_OF_VARIABLE: Record<string, string> = Object.fromEntries(
  Object.entries(STACK_PARAMS).map(([param, variable]) => [variable, param]),
);

/**
 * What is wrong with the stack params as they reach the functions' environment
 * (`env`: serverless.yml `provider.environment`, resolved), checked by the
 * same readers `loadConfig` uses, each problem naming the param. Empty when
 * every function would start.
 */
export function stackParamProblems(env: Env): string[] {
  const problems: string[] = [];
  const label: Label = (variable) => PARAM_OF_VARIABLE[variable] ?? variable;
  const { flag, oneOf } = reader(env, problems, label);
  readDefaults(env, problems, label);
  flag('REGISTER_MODELS', true);
  oneOf('LOG_LEVEL', LOG_LEVELS, 'info');
  readMergeMemory(env, problems, label);
  return problems;
}

function readMergeMemory(env: Env, problems: string[], label: Label): number {
  const { min, max, fallback } = LAMBDA_MEMORY_MB;
  return reader(env, problems, label).number('MERGE_MEMORY_MB', fallback, min, max);
}

/**
 * Reads the configuration from `env` (default `process.env`). Throws
 * `ConfigError` listing every missing or invalid variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const { text, flag, oneOf } = reader(env, problems, asVariable);
  const config: Config = {
    region: text('AWS_REGION', 'us-east-1'),
    bucket: text('BUCKET_NAME'),
    jobPrefix: text('JOB_PREFIX'),
    stackName: text('STACK_NAME', 'sagedrop'),
    sagemakerRoleArn: text('SAGEMAKER_ROLE_ARN'),
    topicArn: text('TOPIC_ARN'),
    eventBusName: text('EVENT_BUS_NAME', 'default'),
    registerModels: flag('REGISTER_MODELS', true),
    defaults: readDefaults(env, problems),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    mergeMemoryMb: readMergeMemory(env, problems, asVariable),
  };
  if (env.STAGE) config.stage = env.STAGE;
  const prefixProblem = config.jobPrefix ? jobPrefixProblem(config.jobPrefix) : undefined;
  if (prefixProblem) problems.push(prefixProblem);
  if (problems.length > 0) throw new ConfigError(`Invalid function environment: ${problems.join('; ')}`);
  return config;
}
