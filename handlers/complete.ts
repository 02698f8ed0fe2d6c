import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDefaultNotifier } from '../lib/aws/notifier';
import { createSageMakerRegistry } from '../lib/aws/registry';
import { createS3Store } from '../lib/aws/s3-store';
import { createSageMakerClient, createSageMakerTrainer } from '../lib/aws/sagemaker';
import { parseTrainingJobEvent, type TrainingJobStateChange } from '../lib/events/sagemaker';
import { createLogger } from '../lib/logger';
import { loadConfig } from '../lib/settings/config';
import { type CompleteResult, completeTrainingJob } from '../lib/stages/complete';
import type { CompleteDeps } from '../lib/stages/deps';

/**
 * The `complete` function: for a "SageMaker Training Job State Change" event
 * of this stack's jobs in a terminal state, catalog the job, register its
 * model and notify the owner. Errors propagate so Lambda retries the event
 * (every step is idempotent) and the on-failure destination keeps it.
 */
export function createCompleteHandler(getDeps: () => CompleteDeps) {
  return middy(async (event: unknown, context: Context): Promise<CompleteResult> => {
    const deps = getDeps();
    let change: TrainingJobStateChange | undefined;
    try {
      change = parseTrainingJobEvent(event);
      const result = await completeTrainingJob(deps, change, context.awsRequestId);
      deps.logger.info('training job event handled', { ...result });
      return result;
    } catch (error) {
      deps.logger.error('training job event failed', { job: change?.job, status: change?.status, error });
      throw error;
    }
  });
}

function awsCompleteDeps(): CompleteDeps {
  const config = loadConfig();
  const sagemaker = createSageMakerClient(config.region);
  const deps: CompleteDeps = {
    config,
    store: createS3Store(new S3Client({ region: config.region }), config.bucket),
    trainer: createSageMakerTrainer(sagemaker),
    notifier: createDefaultNotifier(config.region, config.topicArn, config.eventBusName),
    logger: createLogger({ level: config.logLevel, keys: { function: 'complete' } }),
  };
  if (config.registerModels) deps.registry = createSageMakerRegistry(sagemaker);
  return deps;
}

let deps: CompleteDeps | undefined;
export const handler = createCompleteHandler(() => (deps ??= awsCompleteDeps()));
