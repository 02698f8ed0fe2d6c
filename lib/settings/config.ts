import { jobPrefixProblem } from '../training/job-name';
import { BUILT_IN_ALGORITHMS, type BuiltInAlgorithm, type SettingsDefaults } from './dataset';
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
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

type Env = Record<string, string | undefined>;

function reader(env: Env, problems: string[]) {
  const text = (name: string, fallback?: string): string => {
    const value = env[name] ?? fallback;
    if (value === undefined || value === '') {
      problems.push(`${name} is not set`);
      return '';
    }
    return value;
  };
  const number = (name: string, fallback: number, min: number, max: number, integer = true): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(`${name}=${raw} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    problems.push(`${name}=${raw} must be true or false`);
    return fallback;
  };
  return { text, number, flag };
}

/** Stack defaults from the environment (the serverless.yml params end up here). */
export function readDefaults(env: Env, problems: string[] = []): SettingsDefaults {
  const { text, number, flag } = reader(env, problems);
  const algorithm = text('DEFAULT_ALGORITHM', 'linear-learner');
  if (!(BUILT_IN_ALGORITHMS as readonly string[]).includes(algorithm)) {
    problems.push(`DEFAULT_ALGORITHM=${algorithm} must be one of ${BUILT_IN_ALGORITHMS.join(', ')}`);
  }
  return {
    algorithm: algorithm as BuiltInAlgorithm,
    instanceType: text('DEFAULT_INSTANCE_TYPE', 'ml.m5.large'),
    instanceCount: number('DEFAULT_INSTANCE_COUNT', 1, 1, 100),
    volumeSizeGb: number('DEFAULT_VOLUME_SIZE_GB', 10, 1, 16384),
    maxRuntimeSeconds: number('DEFAULT_MAX_RUNTIME_SECONDS', 3600, 60, 28 * 24 * 3600),
    spot: flag('DEFAULT_SPOT', false),
    validationFraction: number('DEFAULT_VALIDATION_FRACTION', 0.2, 0, 0.9, false),
    testFraction: number('DEFAULT_TEST_FRACTION', 0.1, 0, 0.9, false),
    allowCustomImages: flag('ALLOW_CUSTOM_IMAGES', false),
  };
}

/**
 * Reads the configuration from `env` (default `process.env`). Throws
 * `ConfigError` listing every missing or invalid variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const { text, flag } = reader(env, problems);
  const logLevel = text('LOG_LEVEL', 'info');
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
    logLevel: (['debug', 'info', 'warn', 'error'].includes(logLevel)
      ? logLevel
      : 'info') as Config['logLevel'],
  };
  const prefixProblem = config.jobPrefix ? jobPrefixProblem(config.jobPrefix) : undefined;
  if (prefixProblem) problems.push(prefixProblem);
  if (problems.length > 0) throw new ConfigError(`Invalid function environment: ${problems.join('; ')}`);
  return config;
}
