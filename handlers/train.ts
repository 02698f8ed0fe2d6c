import middy from '@middy/core';
import { createSageMakerClient, createSageMakerTrainer } from '../lib/aws/sagemaker';
import { awsBaseDeps } from '../lib/aws/stage-deps';
import { parseManifestKey } from '../lib/layout';
import { loadConfig } from '../lib/settings/config';
import type { TrainDeps } from '../lib/stages/deps';
import { startTraining, type TrainingOutcome } from '../lib/stages/train';
import { eachS3Object } from './middleware/each-s3-object';
import { stageDeps } from './middleware/stage-deps';

/**
 * The `train` function: for each committed run manifest in an S3 notification,
 * start its training job. Other keys are skipped. A failure on one manifest
 * does not stop the others; the event fails at the end so Lambda retries it
 * (already started jobs are no-ops the second time).
 */
export function createTrainHandler(build: () => TrainDeps) {
  return middy<unknown, TrainingOutcome[]>()
    .use(stageDeps({ functionName: 'train', build }))
    .use(
      eachS3Object<TrainDeps, TrainingOutcome>({
        accepts: (key) => parseManifestKey(key) !== undefined,
        stage: (deps, manifest, context) =>
          startTraining(deps, manifest.key, { requestId: context.awsRequestId }),
      }),
    );
}

function awsTrainDeps(): TrainDeps {
  const config = loadConfig();
  return { ...awsBaseDeps(config), trainer: createSageMakerTrainer(createSageMakerClient(config.region)) };
}

export const handler = createTrainHandler(awsTrainDeps);
