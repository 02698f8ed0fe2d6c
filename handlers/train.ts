import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDefaultNotifier } from '../lib/aws/notifier';
import { createS3Store } from '../lib/aws/s3-store';
import { createSageMakerClient, createSageMakerTrainer } from '../lib/aws/sagemaker';
import { parseS3Notification } from '../lib/events/s3';
import { parseManifestKey } from '../lib/layout';
import { createLogger } from '../lib/logger';
import { loadConfig } from '../lib/settings/config';
import type { TrainDeps } from '../lib/stages/deps';
import { startTraining } from '../lib/stages/train';

/** One or more manifests of an event could not be handled; Lambda retries the event. */
export class TrainEventFailedError extends Error {
  override readonly name = 'TrainEventFailedError';
}

/**
 * The `train` function: for each committed run manifest in an S3 notification,
 * start its training job. Other keys are ignored. A failure on one manifest
 * does not stop the others; the event fails at the end so Lambda retries it
 * (already started jobs are no-ops the second time).
 */
export function createTrainHandler(getDeps: () => TrainDeps) {
  return middy(async (event: unknown, context: Context) => {
    const deps = getDeps();
    const manifests = parseS3Notification(event).filter((record) => parseManifestKey(record.key));
    const failures: unknown[] = [];
    for (const record of manifests) {
      if (record.bucket !== deps.config.bucket) {
        deps.logger.warn('manifest in another bucket', { bucket: record.bucket, key: record.key });
        continue;
      }
      try {
        const outcome = await startTraining(record.key, deps, context.awsRequestId);
        deps.logger.info('manifest handled', { key: record.key, ...outcome });
      } catch (error) {
        deps.logger.error('manifest failed', { key: record.key, error });
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new TrainEventFailedError(`${failures.length} of ${manifests.length} manifests failed`, {
        cause: failures,
      });
    }
  });
}

function awsTrainDeps(): TrainDeps {
  const config = loadConfig();
  return {
    config,
    store: createS3Store(new S3Client({ region: config.region }), config.bucket),
    trainer: createSageMakerTrainer(createSageMakerClient(config.region)),
    notifier: createDefaultNotifier(config.region, config.topicArn, config.eventBusName),
    logger: createLogger({ level: config.logLevel, keys: { function: 'train' } }),
  };
}

let deps: TrainDeps | undefined;
export const handler = createTrainHandler(() => (deps ??= awsTrainDeps()));
