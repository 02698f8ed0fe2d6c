import middy from '@middy/core';
import { createSageMakerRegistry } from '../lib/aws/registry';
import { createSageMakerClient, createSageMakerScoring } from '../lib/aws/sagemaker';
import { awsBaseDeps } from '../lib/aws/stage-deps';
import { parseScoringEvent } from '../lib/events/scoring';
import { loadConfig } from '../lib/settings/config';
import type { EvaluateDeps } from '../lib/stages/deps';
import { approveModelPackage, type EvaluateOutcome, evaluateTransformEvent } from '../lib/stages/evaluate';
import { invocationDeps, stageDeps } from './middleware/stage-deps';

/**
 * The `evaluate` function: for a "SageMaker Transform Job State Change" of
 * this stack's evaluation transforms, finish the evaluation once both have
 * ended; for a "SageMaker Model Package State Change" to Approved, move the
 * champion to the approved model. Errors propagate so Lambda retries the
 * event (every step is idempotent) and the on-failure destination keeps it.
 */
export function createEvaluateHandler(build: () => EvaluateDeps) {
  return middy<unknown, EvaluateOutcome>()
    .use(stageDeps({ functionName: 'evaluate', build }))
    .handler(async (payload, context) => {
      const deps = invocationDeps<EvaluateDeps>(context);
      const event = parseScoringEvent(payload);
      if (event.kind === 'transform')
        deps.logger.appendKeys({ transformJob: event.job, status: event.status });
      else deps.logger.appendKeys({ modelPackageArn: event.modelPackageArn, status: event.status });
      const result =
        event.kind === 'transform'
          ? await evaluateTransformEvent(deps, event, { requestId: context.awsRequestId })
          : await approveModelPackage(deps, event, { requestId: context.awsRequestId });
      deps.logger.info('scoring event handled', { ...result });
      return result;
    });
}

function awsEvaluateDeps(): EvaluateDeps {
  const config = loadConfig();
  const sagemaker = createSageMakerClient(config.region);
  const deps: EvaluateDeps = { ...awsBaseDeps(config), scorer: createSageMakerScoring(sagemaker) };
  if (config.registerModels) deps.registry = createSageMakerRegistry(sagemaker);
  return deps;
}

export const handler = createEvaluateHandler(awsEvaluateDeps);
