import middy from '@middy/core';
import { awsBaseDeps } from '../lib/aws/stage-deps';
import { loadConfig } from '../lib/settings/config';
import type { MergeDeps } from '../lib/stages/deps';
import { handleRawUpload, type MergeOutcome } from '../lib/stages/merge';
import { eachS3Object } from './middleware/each-s3-object';
import { stageDeps } from './middleware/stage-deps';

/**
 * The `merge` function: for each upload under `raw/` in an S3 notification,
 * pair and merge its dataset. Rejected input is answered with a report and a
 * notification and counts as handled; anything else that fails fails the event
 * once every upload was tried, so Lambda retries it (finished work is skipped
 * the second time).
 */
export function createMergeHandler(build: () => MergeDeps) {
  return middy<unknown, MergeOutcome[]>()
    .use(stageDeps({ functionName: 'merge', build }))
    .use(
      eachS3Object<MergeDeps, MergeOutcome>({
        stage: (deps, upload, context) => handleRawUpload(deps, upload, { requestId: context.awsRequestId }),
        describe: summarise,
      }),
    );
}

function summarise(outcome: MergeOutcome): Record<string, unknown> | undefined {
  if (outcome.outcome === 'ignored') return undefined;
  if (outcome.outcome === 'committed') {
    return {
      outcome: outcome.outcome,
      run: outcome.run,
      created: outcome.created,
      manifest: outcome.manifestKey,
    };
  }
  return { ...outcome };
}

export const handler = createMergeHandler(() => awsBaseDeps(loadConfig()));
