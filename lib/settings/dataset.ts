import * as z from 'zod';
import { type Approval, METRIC_NAMES, type MetricName } from '../models/decision';
import {
  ENDPOINT_MEMORY_STEPS_MB,
  MAX_ENDPOINT_CONCURRENCY,
  type ServerlessEndpointSetting,
} from '../models/endpoint';
import { SettingsError } from './errors';
import { jsonErrorPosition } from './json-position';

export const BUILT_IN_ALGORITHMS = ['kmeans', 'linear-learner', 'xgboost'] as const;
export type BuiltInAlgorithm = (typeof BUILT_IN_ALGORITHMS)[number];
/** What a run trains with: a built-in algorithm, or `custom` with `trainingImage`. */
export type Algorithm = BuiltInAlgorithm | 'custom';

/** A channel larger than this many MB (10^6 bytes) is written as parts, unless `shardSizeMb` says otherwise. */
export const DEFAULT_SHARD_SIZE_MB = 100;
const MIN_SHARD_SIZE_MB = 0.01;
// One part must stay a single S3 object that one merge streams in one multipart upload.
const MAX_SHARD_SIZE_MB = 100_000;

/** SageMaker training instance types: `ml.<family>.<size>`. */
export const INSTANCE_TYPE_PATTERN = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;

const hyperparameterValue = z.union([z.string().max(2500), z.number(), z.boolean()]);

/** The keys a dataset's `sagedrop.json` may set, with their limits. */
const datasetSettingsSchema = z.lazy(() =>
  z.strictObject({
    algorithm: z.enum(BUILT_IN_ALGORITHMS).optional(),
    hyperparameters: z.record(z.string().min(1).max(256), hyperparameterValue).optional(),
    instanceType: z.string().regex(INSTANCE_TYPE_PATTERN, 'must look like ml.m5.large').optional(),
    instanceCount: z.number().int().min(1).max(100).optional(),
    volumeSizeGb: z.number().int().min(1).max(16384).optional(),
    maxRuntimeSeconds: z
      .number()
      .int()
      .min(60)
      .max(28 * 24 * 3600)
      .optional(),
    spot: z.boolean().optional(),
    maxWaitSeconds: z
      .number()
      .int()
      .min(60)
      .max(28 * 24 * 3600)
      .optional(),
    validationFraction: z.number().min(0).max(0.9).optional(),
    testFraction: z.number().min(0).max(0.9).optional(),
    splitSeed: z.string().min(1).max(100).optional(),
    trainingImage: z
      .string()
      .regex(/^[\w.-]+(:\d+)?\/[\w./-]+(:[\w.-]+|@sha256:[a-f0-9]{64})?$/, 'must be an ECR image URI')
      .max(255)
      .optional(),
    metric: z.enum(METRIC_NAMES as [MetricName, ...MetricName[]]).optional(),
    minImprovement: z.number().min(0).max(1).optional(),
    approval: z.enum(['auto', 'manual']).optional(),
    /** One serverless endpoint serving the champion; `false` turns off a stack default. */
    endpoint: z.preprocess(
      (value) => (value === false ? undefined : value),
      z
        .strictObject({
          type: z.literal('serverless'),
          memoryMb: z
            .number()
            .refine((mb) => (ENDPOINT_MEMORY_STEPS_MB as readonly number[]).includes(mb), {
              message: `must be one of ${ENDPOINT_MEMORY_STEPS_MB.join(', ')} (Serverless Inference memory sizes)`,
            })
            .default(2048),
          maxConcurrency: z.number().int().min(1).max(MAX_ENDPOINT_CONCURRENCY).default(5),
        })
        .optional(),
    ),
    task: z.enum(['classification', 'regression']).optional(),
    delimiter: z.enum([',', ';', '\t']).optional(),
    indexColumn: z.enum(['keep', 'drop']).optional(),
    shardSizeMb: z
      .number()
      .min(MIN_SHARD_SIZE_MB, `must be at least ${MIN_SHARD_SIZE_MB} (MB; 0.01 is 10 kB)`)
      .max(MAX_SHARD_SIZE_MB, `must be at most ${MAX_SHARD_SIZE_MB} (MB)`)
      .optional(),
  }),
);

export type DatasetSettings = z.infer<typeof datasetSettingsSchema>;

/** The settings a run uses: stack defaults overridden by the dataset's file. Recorded in the manifest. */
export interface Settings {
  algorithm: Algorithm;
  hyperparameters: Record<string, string>;
  instanceType: string;
  instanceCount: number;
  volumeSizeGb: number;
  maxRuntimeSeconds: number;
  spot: boolean;
  /** Only with `spot`; at least `maxRuntimeSeconds`. */
  maxWaitSeconds?: number;
  validationFraction: number;
  testFraction: number;
  splitSeed: string;
  /** Only with `algorithm: "custom"`. */
  trainingImage?: string;
  /** The primary metric of the evaluation, when the dataset chose one (else the task's default). */
  metric?: MetricName;
  /** How much better than the baseline and the champion a model must be, when the dataset set it. */
  minImprovement?: number;
  /** `manual`: a person approves each promotion in the model registry. Default `auto`. */
  approval?: Approval;
  /** The dataset's serverless endpoint, when it has one. */
  endpoint?: ServerlessEndpointSetting;
  /** Overrides the task sagedrop tells from the labels. */
  task?: 'classification' | 'regression';
  /** Overrides the delimiter sagedrop tells from the first rows. */
  delimiter?: ',' | ';' | '\t';
  /** Keeps (or drops) the first column whatever the index-column rule says. */
  indexColumn?: 'keep' | 'drop';
  /** The size in MB above which a channel is written as parts (`DEFAULT_SHARD_SIZE_MB` when absent). */
  shardSizeMb?: number;
}

/** Stack-wide defaults (serverless.yml params) and what the stack permits. */
export interface SettingsDefaults {
  algorithm: BuiltInAlgorithm;
  instanceType: string;
  instanceCount: number;
  volumeSizeGb: number;
  maxRuntimeSeconds: number;
  spot: boolean;
  validationFraction: number;
  testFraction: number;
  allowCustomImages: boolean;
  /** Every dataset's serverless endpoint unless its sagedrop.json says `"endpoint": false` (param endpoint). */
  endpoint?: ServerlessEndpointSetting;
}

/** The share of rows held out for validation and test, at most this much: training keeps at least 5 %. */
export const MAX_HELD_OUT_FRACTION = 0.95;

/**
 * Why a validation and a test fraction leave too few rows to train on (the
 * end of a sentence whose subject names the two settings), or `undefined`.
 * One rule for the stack params and for `sagedrop.json`.
 */
export function trainingShareProblem(validationFraction: number, testFraction: number): string | undefined {
  const heldOut = validationFraction + testFraction;
  if (heldOut < MAX_HELD_OUT_FRACTION) return undefined;
  return `is ${heldOut}: leave at least 5% of rows for training (the sum must be below ${MAX_HELD_OUT_FRACTION})`;
}

/** Keys users try that a dataset may not change, with the reason. */
const FORBIDDEN_KEYS: Record<string, string> = {
  role: "the execution role is the stack's",
  roleArn: "the execution role is the stack's",
  bucket: "the bucket is the stack's",
  outputPath: 'models are always written under models/<dataset>/',
  output: 'models are always written under models/<dataset>/',
  outputLocation: 'models are always written under models/<dataset>/',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const full = path ? `${path}.${key}` : key;
        const reason = FORBIDDEN_KEYS[key];
        return reason
          ? `"${full}" cannot be set per dataset: ${reason}`
          : `"${full}" is not a setting (known: ${Object.keys(datasetSettingsSchema.unwrap().shape).join(', ')})`;
      })
      .join('; ');
  }
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${shownValue(issue.input)})` : '';
  return `"${path || '(file)'}": ${issue.message}${got}`;
}

/** A value as the user wrote it in the file, cut short. */
function shownValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * Parses a dataset's `sagedrop.json` (or `undefined` when it has none) and
 * merges it over the stack defaults. Throws `SettingsError` naming `file` and
 * every problem found.
 */
export function resolveSettings(
  defaults: SettingsDefaults,
  fileText: string | undefined,
  file: string,
): Settings {
  let parsed: DatasetSettings = {};
  let endpointOff = false;
  if (fileText !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(fileText.replace(/^\uFEFF/, ''));
    } catch (error) {
      const at = jsonErrorPosition(fileText.replace(/^\uFEFF/, ''));
      const where = at ? `line ${at.line}, column ${at.column}` : 'its syntax';
      throw new SettingsError(
        'SETTINGS_NOT_JSON',
        `${file} is not valid JSON at ${where}: ${(error as Error).message}`,
        file,
        [`not valid JSON at ${where}`],
      );
    }
    const result = datasetSettingsSchema.safeParse(json, { reportInput: true });
    if (!result.success) {
      const problems = result.error.issues.map(describeIssue);
      throw new SettingsError(
        'SETTINGS_INVALID',
        `${file} has invalid settings: ${problems.join('; ')}`,
        file,
        problems,
      );
    }
    parsed = result.data;
    // The schema reads `false` as "no endpoint": here it also turns off the stack's default.
    endpointOff = (json as { endpoint?: unknown } | null)?.endpoint === false;
  }
  return mergeSettings(defaults, parsed, file, endpointOff);
}

function mergeSettings(
  defaults: SettingsDefaults,
  own: DatasetSettings,
  file: string,
  endpointOff: boolean,
): Settings {
  const problems: string[] = [];
  if (own.trainingImage !== undefined && !defaults.allowCustomImages) {
    problems.push(
      '"trainingImage" is not allowed: this stack only trains built-in algorithms (param allowCustomImages)',
    );
  }
  if (own.trainingImage !== undefined && own.algorithm !== undefined) {
    problems.push('set either "algorithm" or "trainingImage", not both');
  }
  const spot = own.spot ?? defaults.spot;
  const maxRuntimeSeconds = own.maxRuntimeSeconds ?? defaults.maxRuntimeSeconds;
  let maxWaitSeconds: number | undefined;
  if (spot) {
    maxWaitSeconds = own.maxWaitSeconds ?? Math.min(maxRuntimeSeconds * 2, 28 * 24 * 3600);
    if (maxWaitSeconds < maxRuntimeSeconds) {
      problems.push(
        `"maxWaitSeconds" (${maxWaitSeconds}) must be at least "maxRuntimeSeconds" (${maxRuntimeSeconds})`,
      );
    }
  } else if (own.maxWaitSeconds !== undefined) {
    problems.push('"maxWaitSeconds" only applies with "spot": true');
  }
  const validationFraction = own.validationFraction ?? defaults.validationFraction;
  const testFraction = own.testFraction ?? defaults.testFraction;
  const share = trainingShareProblem(validationFraction, testFraction);
  if (share) problems.push(`"validationFraction" + "testFraction" ${share}`);
  if (problems.length > 0) {
    throw new SettingsError(
      'SETTINGS_INVALID',
      `${file} has invalid settings: ${problems.join('; ')}`,
      file,
      problems,
    );
  }
  const hyperparameters = Object.fromEntries(
    Object.entries(own.hyperparameters ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const settings: Settings = {
    algorithm: own.trainingImage !== undefined ? 'custom' : (own.algorithm ?? defaults.algorithm),
    hyperparameters,
    instanceType: own.instanceType ?? defaults.instanceType,
    instanceCount: own.instanceCount ?? defaults.instanceCount,
    volumeSizeGb: own.volumeSizeGb ?? defaults.volumeSizeGb,
    maxRuntimeSeconds,
    spot,
    validationFraction,
    testFraction,
    splitSeed: own.splitSeed ?? 'sagedrop',
  };
  if (maxWaitSeconds !== undefined) settings.maxWaitSeconds = maxWaitSeconds;
  if (own.trainingImage !== undefined) settings.trainingImage = own.trainingImage;
  if (own.metric !== undefined) settings.metric = own.metric;
  if (own.minImprovement !== undefined) settings.minImprovement = own.minImprovement;
  if (own.approval !== undefined) settings.approval = own.approval;
  const endpoint = endpointOff ? undefined : (own.endpoint ?? defaults.endpoint);
  if (endpoint) settings.endpoint = endpoint;
  if (own.task !== undefined) settings.task = own.task;
  if (own.delimiter !== undefined) settings.delimiter = own.delimiter;
  if (own.indexColumn !== undefined) settings.indexColumn = own.indexColumn;
  if (own.shardSizeMb !== undefined) settings.shardSizeMb = own.shardSizeMb;
  return settings;
}

/** How the merge must treat values for this algorithm. */
export function numericPolicy(algorithm: Algorithm): 'numeric' | 'numeric-or-empty' | 'any' {
  if (algorithm === 'custom') return 'any';
  return algorithm === 'xgboost' ? 'numeric-or-empty' : 'numeric';
}

/** The size in bytes above which the run's channels are written as parts. */
export function shardSizeBytes(settings: Pick<Settings, 'shardSizeMb'>): number {
  return Math.round((settings.shardSizeMb ?? DEFAULT_SHARD_SIZE_MB) * 1_000_000);
}

/** Whether the label column goes into the training channels (k-means is unsupervised). */
export function trainsOnLabel(algorithm: Algorithm): boolean {
  return algorithm !== 'kmeans';
}
