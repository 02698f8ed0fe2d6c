import type { CreateTrainingJobRequest, DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { createLogger } from '../../../lib/logger';
import type { PipelineEvent } from '../../../lib/notifications/events';
import {
  type Notifier,
  type StartResult,
  type TrainingBackend,
  TrainingRequestRejectedError,
} from '../../../lib/ports';
import type { Config } from '../../../lib/settings/config';
import type { TrainDeps } from '../../../lib/stages/deps';
import { createTrainingJobProblems } from '../../support/botocore-validator';
import { MemoryStore } from '../../support/memory-store';
import { testConfig } from '../training/training-fixtures';

/**
 * SageMaker as the stage sees it: refuses requests its service model would
 * refuse and, like SageMaker, refuses a second job of the same name
 * (case-insensitively) with what the adapter makes of `ResourceInUse`.
 */
export class FakeSageMaker implements TrainingBackend {
  readonly jobs = new Map<string, CreateTrainingJobRequest>();
  calls = 0;
  /** Thrown by the next createTrainingJob calls, in order. */
  failures: unknown[] = [];

  async createTrainingJob(request: CreateTrainingJobRequest): Promise<StartResult> {
    this.calls += 1;
    await new Promise((resolve) => setImmediate(resolve));
    const failure = this.failures.shift();
    if (failure) throw failure;
    const problems = createTrainingJobProblems(request);
    if (problems.length > 0) throw new TrainingRequestRejectedError(problems.join('; '));
    const name = request.TrainingJobName?.toLowerCase() ?? '';
    if (this.jobs.has(name)) return 'already-exists';
    this.jobs.set(name, request);
    return 'started';
  }

  async describeTrainingJob(name: string): Promise<DescribeTrainingJobResponse> {
    const request = this.jobs.get(name.toLowerCase());
    if (!request) throw new Error(`ResourceNotFound: ${name}`);
    return {
      TrainingJobName: request.TrainingJobName,
      TrainingJobStatus: 'InProgress',
    } as DescribeTrainingJobResponse;
  }
}

export class RecordingNotifier implements Notifier {
  readonly events: PipelineEvent[] = [];
  /** Thrown by the next notify calls, in order. */
  failures: unknown[] = [];

  async notify(event: PipelineEvent): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.events.push(event);
  }
}

export interface TrainWorld {
  deps: TrainDeps;
  store: MemoryStore;
  trainer: FakeSageMaker;
  notifier: RecordingNotifier;
  logs: Record<string, unknown>[];
}

export function trainWorld(config: Config = testConfig): TrainWorld {
  const store = new MemoryStore();
  const trainer = new FakeSageMaker();
  const notifier = new RecordingNotifier();
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) });
  return { deps: { config, store, trainer, notifier, logger }, store, trainer, notifier, logs };
}
