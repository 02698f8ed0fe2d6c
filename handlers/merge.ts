import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createDefaultNotifier } from '../lib/aws/notifier';
import { createS3Store } from '../lib/aws/s3-store';
import { parseS3Notification } from '../lib/events/s3';
import { createLogger } from '../lib/logger';
import { loadConfig } from '../lib/settings/config';
import type { MergeDeps } from '../lib/stages/deps';
import { handleRawUpload, type MergeOutcome } from '../lib/stages/merge';

/** One or more uploads of an event could not be handled; Lambda retries the event. */
export class MergeEventFailedError extends Error {
  override readonly name = 'MergeEventFailedError';
}

/**
 * The `merge` function: for each upload under `raw/` in an S3 notification,
 * pair and merge its dataset. Rejected input is answered with a report and a
 * notification and counts as handled; anything else that fails fails the event
 * at the end, so Lambda retries it (finished work is skipped the second time).
 */
export function createMergeHandler(getDeps: () => MergeDeps) {
  return middy(async (event: unknown, context: Context): Promise<MergeOutcome[]> => {
    const deps = getDeps();
    const uploads = parseS3Notification(event);
    if (uploads.length === 0) deps.logger.debug('no object-created records');
    const outcomes: MergeOutcome[] = [];
    const failures: unknown[] = [];
    for (const upload of uploads) {
      const logger = deps.logger.child({ key: upload.key, requestId: context.awsRequestId });
      if (upload.bucket !== deps.config.bucket) {
        logger.warn('upload in another bucket', { bucket: upload.bucket });
        continue;
      }
      try {
        const outcome = await handleRawUpload({ ...deps, logger }, upload, { owner: context.awsRequestId });
        if (outcome.status !== 'ignored') logger.info('upload handled', { ...summarise(outcome) });
        outcomes.push(outcome);
      } catch (error) {
        logger.error('upload failed', { error });
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new MergeEventFailedError(`${failures.length} of ${uploads.length} uploads failed`, {
        cause: failures,
      });
    }
    return outcomes;
  });
}

function summarise(outcome: MergeOutcome): Record<string, unknown> {
  if (outcome.status === 'committed') {
    return {
      status: outcome.status,
      run: outcome.run,
      created: outcome.created,
      manifest: outcome.manifestKey,
    };
  }
  const { status, ...rest } = outcome;
  return { status, ...rest };
}

function awsMergeDeps(): MergeDeps {
  const config = loadConfig();
  return {
    config,
    store: createS3Store(new S3Client({ region: config.region }), config.bucket),
    notifier: createDefaultNotifier(config.region, config.topicArn, config.eventBusName),
    logger: createLogger({ level: config.logLevel, keys: { function: 'merge' } }),
  };
}

let deps: MergeDeps | undefined;
export const handler = createMergeHandler(() => {
  deps ??= awsMergeDeps();
  return deps;
});
