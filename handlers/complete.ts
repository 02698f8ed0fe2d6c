import middy from '@middy/core';
import { createSageMakerRegistry } from '../lib/aws/registry';
import { createSageMakerClient, createSageMakerScoring, createSageMakerTrainer } from '../lib/aws/sagemaker';
import { awsBaseDeps } from '../lib/aws/stage-deps';
import { parseTrainingJobEvent } from '../lib/events/sagemaker';
import { loadConfig } from '../lib/settings/config';
import { type CompleteOutcome, completeTrainingJob } from '../lib/stages/complete';
import type { CompleteDeps } from '../lib/stages/deps';
import { invocationDeps, stageDeps } from './middleware/stage-deps';

/**
 * The `complete` function: for a "SageMaker Training Job State Change" event
 * of this stack's jobs in a terminal state, catalog the job, register its
 * model and notify the owner. Errors propagate so Lambda retries the event
 * (every step is idempotent) and the on-failure destination keeps it.
 */
export function createCompleteHandler(build: () => CompleteDeps) {
  return middy<unknown, CompleteOutcome>()
    .use(stageDeps({ functionName: 'complete', build }))
    .handler(async (event, context) => {
      const deps = invocationDeps<CompleteDeps>(context);
      const change = parseTrainingJobEvent(event);
      deps.logger.appendKeys({ job: change.job, status: change.status });
      const result = await completeTrainingJob(deps, change, { requestId: context.awsRequestId });
      deps.logger.info('training job event handled', { ...result });
      return result;
    });
}

function awsCompleteDeps(): CompleteDeps {
  const config = loadConfig();
  const sagemaker = createSageMakerClient(config.region);
  const deps: CompleteDeps = {
    ...awsBaseDeps(config),
    trainer: createSageMakerTrainer(sagemaker),
    scorer: createSageMakerScoring(sagemaker),
  };
  if (config.registerModels) deps.registry = createSageMakerRegistry(sagemaker);
  return deps;
}

export const handler = createCompleteHandler(awsCompleteDeps);
