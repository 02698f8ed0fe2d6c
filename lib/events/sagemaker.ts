import * as z from 'zod';

export const TRAINING_JOB_STATE_CHANGE = 'SageMaker Training Job State Change';
export const TERMINAL_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** The payload is not a "SageMaker Training Job State Change" event. Not retryable. */
export class TrainingJobEventError extends Error {
  override readonly name = 'TrainingJobEventError';
}

/**
 * Epoch numbers below this are seconds, above it milliseconds: 1e11 seconds is
 * the year 5138, 1e11 milliseconds is 1973.
 */
const SECONDS_LIMIT = 1e11;

/**
 * A point in time as SageMaker's events carry it: an ISO string, or epoch
 * seconds or milliseconds as a number or a numeric string. `undefined` for
 * anything else, so an odd timestamp never loses the event.
 */
export function parseEventTime(value: unknown): Date | undefined {
  let epoch: number | undefined;
  if (typeof value === 'number') epoch = value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) epoch = Number(value);
  else if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : new Date(parsed);
  }
  if (epoch === undefined || !Number.isFinite(epoch) || epoch < 0) return undefined;
  return new Date(epoch < SECONDS_LIMIT ? epoch * 1000 : epoch);
}

const tagValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** `{ key: value }` or `[{ Key, Value }]`: both shapes occur. */
const tagsSchema = z.lazy(() =>
  z.union([
    z.record(z.string(), tagValue),
    z
      .array(z.object({ Key: z.string(), Value: tagValue.optional() }))
      .transform((list) => Object.fromEntries(list.map((t) => [t.Key, t.Value ?? '']))),
  ]),
);

const channelSchema = z.lazy(() =>
  z.object({
    ChannelName: z.string().optional(),
    DataSource: z.object({ S3DataSource: z.object({ S3Uri: z.string().optional() }).optional() }).optional(),
  }),
);

const detailSchema = z.lazy(() =>
  z.object({
    TrainingJobName: z.string().min(1),
    TrainingJobArn: z.string().optional(),
    TrainingJobStatus: z.string().min(1),
    SecondaryStatus: z.string().optional(),
    FailureReason: z.string().optional(),
    InputDataConfig: z.array(channelSchema).optional().catch(undefined),
    TrainingEndTime: z.unknown().optional(),
    LastModifiedTime: z.unknown().optional(),
    Tags: tagsSchema.optional().catch(undefined),
  }),
);

const eventSchema = z.lazy(() =>
  z.object({
    'detail-type': z.literal(TRAINING_JOB_STATE_CHANGE),
    source: z.string().optional(),
    time: z.unknown().optional(),
    detail: detailSchema,
  }),
);

/** What the completion stage takes from the event; the rest comes from DescribeTrainingJob. */
export interface TrainingJobStateChange {
  job: string;
  jobArn?: string;
  /** As the event says; `terminal` tells whether it is one of Completed, Failed, Stopped. */
  status: string;
  terminal: boolean;
  secondaryStatus?: string;
  failureReason?: string;
  /** Tags as a plain object, whichever shape the event used. */
  tags: Record<string, string>;
  /** The `train` channel's S3 URI, when the event lists the job's inputs. */
  trainChannelUri?: string;
  endTime?: Date;
  eventTime?: Date;
}

/** The `train` channel's S3 URI, matching the channel name case-insensitively. */
export function trainChannelUri(
  channels: readonly z.infer<typeof channelSchema>[] | undefined,
): string | undefined {
  const train = channels?.find((c) => c.ChannelName?.toLowerCase() === 'train');
  return train?.DataSource?.S3DataSource?.S3Uri;
}

/**
 * Parses an EventBridge "SageMaker Training Job State Change" event,
 * tolerating the shapes seen in practice (times as strings or epoch numbers,
 * tags as an object or a list). Throws `TrainingJobEventError` for anything else.
 */
export function parseTrainingJobEvent(payload: unknown): TrainingJobStateChange {
  const result = eventSchema.safeParse(payload);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
    throw new TrainingJobEventError(
      `Not a "${TRAINING_JOB_STATE_CHANGE}" event (${problems.join('; ')}): check the EventBridge rule's pattern`,
    );
  }
  const { detail, time } = result.data;
  const change: TrainingJobStateChange = {
    job: detail.TrainingJobName,
    status: detail.TrainingJobStatus,
    terminal: (TERMINAL_STATUSES as readonly string[]).includes(detail.TrainingJobStatus),
    tags: detail.Tags ?? {},
  };
  if (detail.TrainingJobArn) change.jobArn = detail.TrainingJobArn;
  if (detail.SecondaryStatus) change.secondaryStatus = detail.SecondaryStatus;
  if (detail.FailureReason) change.failureReason = detail.FailureReason;
  const uri = trainChannelUri(detail.InputDataConfig);
  if (uri) change.trainChannelUri = uri;
  const endTime = parseEventTime(detail.TrainingEndTime) ?? parseEventTime(detail.LastModifiedTime);
  if (endTime) change.endTime = endTime;
  const eventTime = parseEventTime(time);
  if (eventTime) change.eventTime = eventTime;
  return change;
}
