import middy from '@middy/core';
import { createSageMakerEndpoints } from '../lib/aws/endpoints';
import { createSageMakerRegistry } from '../lib/aws/registry';
import { createSageMakerClient, createSageMakerScoring } from '../lib/aws/sagemaker';
import { awsBaseDeps } from '../lib/aws/stage-deps';
import { parseEndpointEvent } from '../lib/events/endpoint';
import { parseScoringEvent } from '../lib/events/scoring';
import { loadConfig } from '../lib/settings/config';
import type { EvaluateDeps } from '../lib/stages/deps';
import { type EndpointStateOutcome, endpointStateChanged, serveDepsOf } from '../lib/stages/endpoint';
import { approveModelPackage, type EvaluateOutcome, evaluateTransformEvent } from '../lib/stages/evaluate';
import { invocationDeps, stageDeps } from './middleware/stage-deps';

/**
 * The `evaluate` function: for a "SageMaker Transform Job State Change" of
 * this stack's evaluation transforms, finish the evaluation once both have
 * ended; for a "SageMaker Model Package State Change" to Approved, move the
 * champion to the approved model; for a "SageMaker Endpoint State Change" of
 * this stack's endpoints, finish the endpoint's switch to the champion.
 * Errors propagate so Lambda retries the event (every step is idempotent)
 * and the on-failure destination keeps it.
 */
export function createEvaluateHandler(build: () => EvaluateDeps) {
  return middy<unknown, EvaluateOutcome | EndpointStateOutcome>()
    .use(stageDeps({ functionName: 'evaluate', build }))
    .handler(async (payload, context) => {
      const deps = invocationDeps<EvaluateDeps>(context);
      const endpointEvent = parseEndpointEvent(payload);
      if (endpointEvent) {
        deps.logger.appendKeys({ endpoint: endpointEvent.endpoint, status: endpointEvent.status });
        const result: EndpointStateOutcome = deps.endpoints
          ? await endpointStateChanged(serveDepsOf({ ...deps, endpoints: deps.endpoints }), endpointEvent)
          : { outcome: 'ignored', reason: 'this stack manages no endpoints' };
        deps.logger.info('endpoint event handled', { ...result });
        return result;
      }
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
  const deps: EvaluateDeps = {
    ...awsBaseDeps(config),
    scorer: createSageMakerScoring(sagemaker),
    endpoints: createSageMakerEndpoints(sagemaker),
  };
  if (config.registerModels) deps.registry = createSageMakerRegistry(sagemaker);
  return deps;
}

export const handler = createEvaluateHandler(awsEvaluateDeps);
