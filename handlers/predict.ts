import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createSageMakerClient, createSageMakerScoring } from '../lib/aws/sagemaker';
import { awsBaseDeps } from '../lib/aws/stage-deps';
import { parseScoringEvent, TRANSFORM_JOB_STATE_CHANGE } from '../lib/events/scoring';
import { parseScoreKey } from '../lib/layout';
import { loadConfig } from '../lib/settings/config';
import type { PredictDeps } from '../lib/stages/deps';
import { handleScoreUpload, type PredictOutcome } from '../lib/stages/predict';
import { finishPrediction } from '../lib/stages/predict-finish';
import { eachS3Object } from './middleware/each-s3-object';
import { invocationDeps, stageDeps } from './middleware/stage-deps';

function isTransformEvent(payload: unknown): boolean {
  return (payload as { 'detail-type'?: unknown } | null)?.['detail-type'] === TRANSFORM_JOB_STATE_CHANGE;
}

/**
 * The `predict` function, fed by two sources: uploads under `score/` (S3)
 * start the batch transform of each with the dataset's champion; "SageMaker
 * Transform Job State Change" events of this stack's prediction transforms
 * write the predictions. Errors propagate so Lambda retries the event (every
 * step is idempotent) and the on-failure destination keeps it.
 */
export function createPredictHandler(build: () => PredictDeps) {
  let built: PredictDeps | undefined;
  const once = () => {
    built ??= build();
    return built;
  };
  const uploads = middy<unknown, PredictOutcome[]>()
    .use(stageDeps({ functionName: 'predict', build: once }))
    .use(
      eachS3Object<PredictDeps, PredictOutcome>({
        accepts: (key) => parseScoreKey(key) !== undefined,
        stage: (deps, upload, context) =>
          handleScoreUpload(deps, upload, { requestId: context.awsRequestId }),
      }),
    );
  const transforms = middy<unknown, PredictOutcome>()
    .use(stageDeps({ functionName: 'predict', build: once }))
    .handler(async (payload, context) => {
      const deps = invocationDeps<PredictDeps>(context);
      const event = parseScoringEvent(payload);
      if (event.kind !== 'transform') return { outcome: 'ignored', reason: 'not a transform event' };
      deps.logger.appendKeys({ transformJob: event.job, status: event.status });
      const result = await finishPrediction(deps, event, { requestId: context.awsRequestId });
      deps.logger.info('transform event handled', { ...result });
      return result;
    });
  return (payload: unknown, context: Context): Promise<unknown> =>
    isTransformEvent(payload) ? transforms(payload, context) : uploads(payload, context);
}

function awsPredictDeps(): PredictDeps {
  const config = loadConfig();
  return { ...awsBaseDeps(config), scorer: createSageMakerScoring(createSageMakerClient(config.region)) };
}

export const handler = createPredictHandler(awsPredictDeps);
