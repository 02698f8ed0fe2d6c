import {
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeTrainingJobCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { createSageMakerTrainer } from '../../../lib/aws/sagemaker';
import type { TrainingBackend } from '../../../lib/ports';

export interface ThrottleRule {
  /** Which requests are throttled. */
  match: (request: CreateTrainingJobRequest) => boolean;
  /** How many CreateTrainingJob calls for them are refused. */
  times: number;
}

/** An error as the SDK raises it for a service error of that name. */
function serviceError(name: string, message: string, status: number, throttling = false): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, {
    $fault: 'client',
    $metadata: { httpStatusCode: status, attempts: 1 },
    ...(throttling ? { $retryable: { throttling: true } } : {}),
  });
  return error;
}

export interface SageMakerFaults {
  /** The trainer the functions use: the real SageMaker adapter over a client that reaches `backend`. */
  trainer: TrainingBackend;
  throttle(rule: ThrottleRule): void;
  clear(): void;
  readonly injected: { throttling: number };
  /** Every CreateTrainingJob request the client received, duplicates included. */
  readonly requests: CreateTrainingJobRequest[];
}

/**
 * SageMaker's API as the functions reach it: `createSageMakerTrainer` (the
 * adapter deployed on Lambda, with its throttling backoff) over a client whose
 * `send` answers from `backend` (the local trainer), refusing chosen
 * CreateTrainingJob calls with `ThrottlingException` (HTTP 400, the name and
 * shape SageMaker uses) and turning a duplicate name into `ResourceInUse`.
 */
export function createSageMakerFaults(backend: TrainingBackend, backoffMs = 2): SageMakerFaults {
  const rules: ThrottleRule[] = [];
  const injected = { throttling: 0 };
  const requests: CreateTrainingJobRequest[] = [];
  const client = {
    async send(command: unknown) {
      if (command instanceof CreateTrainingJobCommand) {
        const name = command.input.TrainingJobName ?? '';
        const index = rules.findIndex((rule) => rule.match(command.input));
        const rule = rules[index];
        if (rule) {
          rule.times -= 1;
          if (rule.times <= 0) rules.splice(index, 1);
          injected.throttling += 1;
          throw serviceError('ThrottlingException', 'Rate exceeded', 400, true);
        }
        requests.push(structuredClone(command.input));
        const result = await backend.createTrainingJob(command.input);
        if (result === 'already-exists') {
          throw serviceError('ResourceInUse', `Training job names must be unique: ${name}`, 400);
        }
        return { TrainingJobArn: `arn:aws:sagemaker:us-east-1:000000000000:training-job/${name}` };
      }
      if (command instanceof DescribeTrainingJobCommand) {
        return backend.describeTrainingJob(command.input.TrainingJobName ?? '');
      }
      throw new Error(`the SageMaker stand-in does not answer ${String(command)}`);
    },
  } as unknown as SageMakerClient;
  return {
    trainer: createSageMakerTrainer(client, { baseDelayMs: backoffMs }),
    throttle: (rule) => {
      if (rule.times > 0) rules.push({ ...rule });
    },
    clear: () => {
      rules.length = 0;
    },
    injected,
    requests,
  };
}
