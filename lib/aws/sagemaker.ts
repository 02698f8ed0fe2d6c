import {
  CreateModelCommand,
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  CreateTransformJobCommand,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  DescribeTransformJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { ScoringBackend, StartResult, TrainingBackend } from '../ports';
import { TrainingQuotaError, TrainingRequestRejectedError } from '../ports';

export interface TrainerRetryOptions {
  /** Calls in all, counting the first (each also retried by the SDK's own retry). */
  attempts: number;
  /** Delay before the first retry; doubled each time, with full jitter. */
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

const DEFAULT_RETRY: TrainerRetryOptions = {
  attempts: 4,
  baseDelayMs: 1000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Whether SageMaker asked the caller to slow down. */
export function isThrottling(error: unknown): boolean {
  const name = errorName(error);
  if (
    name === 'ThrottlingException' ||
    name === 'ThrottledException' ||
    name === 'TooManyRequestsException'
  ) {
    return true;
  }
  return (error as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable?.throttling === true;
}

async function withThrottlingRetry<T>(call: () => Promise<T>, retry: TrainerRetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= retry.attempts) throw error;
      await retry.sleep(Math.round(retry.random() * retry.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}

/**
 * SageMaker's training API as a `TrainingBackend`. CreateTrainingJob answers
 * `already-exists` for a name in use (SageMaker's `ResourceInUse`: with
 * deterministic names, a duplicate delivery), throws `TrainingQuotaError` on
 * `ResourceLimitExceeded` and `TrainingRequestRejectedError` on
 * `ValidationException`. Throttling is retried with exponential backoff, on top
 * of the client's own retries (configure those with `maxAttempts`); anything
 * else is thrown as the SDK raised it.
 */
export function createSageMakerTrainer(
  client: SageMakerClient,
  retry: Partial<TrainerRetryOptions> = {},
): TrainingBackend {
  const options = { ...DEFAULT_RETRY, ...retry };
  return {
    async createTrainingJob(request: CreateTrainingJobRequest): Promise<StartResult> {
      try {
        await withThrottlingRetry(() => client.send(new CreateTrainingJobCommand(request)), options);
        return 'started';
      } catch (error) {
        const name = errorName(error);
        const message = error instanceof Error ? error.message : String(error);
        if (name === 'ResourceInUse') return 'already-exists';
        if (name === 'ResourceLimitExceeded') throw new TrainingQuotaError(message, { cause: error });
        if (name === 'ValidationException') throw new TrainingRequestRejectedError(message, { cause: error });
        throw error;
      }
    },
    async describeTrainingJob(name: string): Promise<DescribeTrainingJobResponse> {
      return withThrottlingRetry(
        () => client.send(new DescribeTrainingJobCommand({ TrainingJobName: name })),
        options,
      );
    },
  };
}

/** CreateModel's answer for a name in use: a ValidationException, not ResourceInUse. */
function modelExists(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    e?.name === 'ResourceInUse' ||
    (e?.name === 'ValidationException' && /already exist/i.test(e.message ?? ''))
  );
}

/**
 * SageMaker's models and batch transform as a `ScoringBackend`: a model or
 * transform job that already exists by name answers `already-exists` (with
 * deterministic names, a duplicate delivery); throttling is retried as for
 * training; anything else is thrown as the SDK raised it.
 */
export function createSageMakerScoring(
  client: SageMakerClient,
  retry: Partial<TrainerRetryOptions> = {},
): ScoringBackend {
  const options = { ...DEFAULT_RETRY, ...retry };
  return {
    async createModel(request) {
      try {
        await withThrottlingRetry(() => client.send(new CreateModelCommand(request)), options);
        return 'started';
      } catch (error) {
        if (modelExists(error)) return 'already-exists';
        throw error;
      }
    },
    async createTransformJob(request) {
      try {
        await withThrottlingRetry(() => client.send(new CreateTransformJobCommand(request)), options);
        return 'started';
      } catch (error) {
        if (errorName(error) === 'ResourceInUse') return 'already-exists';
        throw error;
      }
    },
    async describeTransformJob(name) {
      return withThrottlingRetry(
        () => client.send(new DescribeTransformJobCommand({ TransformJobName: name })),
        options,
      );
    },
  };
}

/** The client the functions use: the SDK's standard retry with a few more attempts for throttling. */
export function createSageMakerClient(region: string): SageMakerClient {
  return new SageMakerClient({ region, maxAttempts: 5 });
}
