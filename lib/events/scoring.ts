import * as z from 'zod';
import type { EventPattern } from './triggers';

export const TRANSFORM_JOB_STATE_CHANGE = 'SageMaker Transform Job State Change';
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';
export const TRANSFORM_TERMINAL_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;

/** The payload is neither event the evaluate function takes. Not retryable. */
export class ScoringEventError extends Error {
  override readonly name = 'ScoringEventError';
  readonly code = 'SCORING_EVENT_INVALID';
}

const transformSchema = z.lazy(() =>
  z.object({
    'detail-type': z.literal(TRANSFORM_JOB_STATE_CHANGE),
    detail: z.object({
      TransformJobName: z.string().min(1),
      TransformJobStatus: z.string().min(1),
      FailureReason: z.string().optional(),
    }),
  }),
);

const packageSchema = z.lazy(() =>
  z.object({
    'detail-type': z.literal(MODEL_PACKAGE_STATE_CHANGE),
    detail: z.object({
      ModelPackageArn: z.string().min(1),
      ModelPackageGroupName: z.string().optional(),
      ModelApprovalStatus: z.string().optional(),
      InferenceSpecification: z
        .object({ Containers: z.array(z.object({ ModelDataUrl: z.string().optional() })).optional() })
        .optional()
        .catch(undefined),
    }),
  }),
);

/** What the evaluate function takes from either event; the rest comes from Describe calls. */
export type ScoringEvent =
  | { kind: 'transform'; job: string; status: string; terminal: boolean; failureReason?: string }
  | { kind: 'approval'; modelPackageArn: string; group?: string; status?: string; modelDataUrl?: string };

/**
 * Parses a "SageMaker Transform Job State Change" or "SageMaker Model Package
 * State Change" event. Throws `ScoringEventError` for anything else.
 */
export function parseScoringEvent(payload: unknown): ScoringEvent {
  const transform = transformSchema.safeParse(payload);
  if (transform.success) {
    const d = transform.data.detail;
    const event: ScoringEvent = {
      kind: 'transform',
      job: d.TransformJobName,
      status: d.TransformJobStatus,
      terminal: (TRANSFORM_TERMINAL_STATUSES as readonly string[]).includes(d.TransformJobStatus),
    };
    if (d.FailureReason) event.failureReason = d.FailureReason;
    return event;
  }
  const pkg = packageSchema.safeParse(payload);
  if (pkg.success) {
    const d = pkg.data.detail;
    const event: ScoringEvent = { kind: 'approval', modelPackageArn: d.ModelPackageArn };
    if (d.ModelPackageGroupName) event.group = d.ModelPackageGroupName;
    if (d.ModelApprovalStatus) event.status = d.ModelApprovalStatus;
    const url = d.InferenceSpecification?.Containers?.[0]?.ModelDataUrl;
    if (url) event.modelDataUrl = url;
    return event;
  }
  const detailType = (payload as { 'detail-type'?: unknown } | undefined)?.['detail-type'];
  throw new ScoringEventError(
    `Not a "${TRANSFORM_JOB_STATE_CHANGE}" or "${MODEL_PACKAGE_STATE_CHANGE}" event (detail-type ${JSON.stringify(detailType)}): check the EventBridge rules' patterns`,
  );
}

/** The rule for the evaluation transforms of this stack in a terminal state. */
export function transformJobPattern(transformPrefix: string): EventPattern {
  return {
    source: ['aws.sagemaker'],
    'detail-type': [TRANSFORM_JOB_STATE_CHANGE],
    detail: {
      TransformJobStatus: [...TRANSFORM_TERMINAL_STATUSES],
      TransformJobName: [{ prefix: transformPrefix }],
    },
  };
}

/** The rule for approvals of this stack's model packages. */
export function modelApprovalPattern(groupPrefix: string): EventPattern {
  return {
    source: ['aws.sagemaker'],
    'detail-type': [MODEL_PACKAGE_STATE_CHANGE],
    detail: { ModelApprovalStatus: ['Approved'], ModelPackageGroupName: [{ prefix: groupPrefix }] },
  };
}
