import middy from '@middy/core';
import * as z from 'zod';
import { awsBaseDeps } from '../lib/aws/stage-deps';
import type { FailureMessage } from '../lib/events/failed-event';
import { loadConfig } from '../lib/settings/config';
import { type AlertDeps, reportFailedEvent } from '../lib/stages/alert';
import { invocationDeps, stageDeps } from './middleware/stage-deps';

const sqsEventSchema = z.lazy(() =>
  z.object({
    Records: z.array(
      z.object({
        messageId: z.string().min(1),
        body: z.string(),
        messageAttributes: z
          .record(z.string(), z.object({ stringValue: z.string().optional() }).loose())
          .optional(),
      }),
    ),
  }),
);

/** SQS's partial batch response: every message listed here goes back to the queue. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

function failureMessages(event: unknown): FailureMessage[] {
  return sqsEventSchema.parse(event).Records.map((record) => {
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
      if (value.stringValue !== undefined) attributes[name] = value.stringValue;
    }
    return { id: record.messageId, body: record.body, attributes };
  });
}

/**
 * The `alert` function, fed by the failure queue: tells the owner about every
 * event that exhausted its retries, once per failure. It never keeps a
 * message: each one is handed back (a partial batch response naming them all),
 * so after the queue's `maxReceiveCount` deliveries SQS itself moves the
 * message, intact, to the redrive queue that `sagedrop redrive` replays from.
 * A notification that fails is simply tried again on the next delivery.
 */
export function createAlertHandler(build: () => AlertDeps) {
  return middy<unknown, BatchResponse>()
    .use(stageDeps({ functionName: 'alert', build }))
    .handler(async (event, context) => {
      const deps = invocationDeps<AlertDeps>(context);
      const messages = failureMessages(event);
      for (const message of messages) {
        try {
          await reportFailedEvent(deps, message, context.awsRequestId);
        } catch (error) {
          deps.logger.error('failed event could not be reported', { messageId: message.id, error });
        }
      }
      return { batchItemFailures: messages.map((m) => ({ itemIdentifier: m.id })) };
    });
}

function awsAlertDeps(): AlertDeps {
  const config = loadConfig();
  const { store, notifier, logger } = awsBaseDeps(config);
  const stage = config.stage ? ` --stage ${config.stage}` : '';
  return {
    store,
    notifier,
    logger,
    stackName: config.stackName,
    redriveCommand: `npx sagedrop redrive${stage} --region ${config.region}`,
    cloudWatchLogs: true,
  };
}

export const handler = createAlertHandler(awsAlertDeps);
