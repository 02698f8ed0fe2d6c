import * as z from 'zod';
import type { EventPattern } from './triggers';

export const ENDPOINT_STATE_CHANGE = 'SageMaker Endpoint State Change';

const endpointSchema = z.lazy(() =>
  z.object({
    'detail-type': z.literal(ENDPOINT_STATE_CHANGE),
    detail: z.object({
      EndpointName: z.string().min(1),
      EndpointStatus: z.string().optional(),
      EndpointConfigName: z.string().optional(),
      FailureReason: z.string().optional(),
    }),
  }),
);

/**
 * What the endpoint handler takes from a "SageMaker Endpoint State Change".
 * The status is only a hint (the sample spells it `IN_SERVICE`, the API
 * `InService`): the handler asks DescribeEndpoint where the endpoint stands.
 */
export interface EndpointStateEvent {
  kind: 'endpoint';
  endpoint: string;
  status: string;
  configName?: string;
  failureReason?: string;
}

/** `IN_SERVICE` and `InService` alike, as DescribeEndpoint spells it. */
export function normaliseEndpointStatus(status: string): string {
  if (!status.includes('_') && status !== status.toUpperCase()) return status;
  return status
    .toLowerCase()
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Parses a "SageMaker Endpoint State Change" event, or `undefined` when the payload is not one. */
export function parseEndpointEvent(payload: unknown): EndpointStateEvent | undefined {
  const parsed = endpointSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const d = parsed.data.detail;
  const event: EndpointStateEvent = {
    kind: 'endpoint',
    endpoint: d.EndpointName,
    status: normaliseEndpointStatus(d.EndpointStatus ?? 'Unknown'),
  };
  if (d.EndpointConfigName) event.configName = d.EndpointConfigName;
  if (d.FailureReason) event.failureReason = d.FailureReason;
  return event;
}

/**
 * The rule for state changes of this stack's endpoints (every status: the
 * handler decides from DescribeEndpoint, so an event spelled differently is
 * never dropped by the filter).
 */
export function endpointStatePattern(namePrefix: string): EventPattern {
  return {
    source: ['aws.sagemaker'],
    'detail-type': [ENDPOINT_STATE_CHANGE],
    detail: { EndpointName: [{ prefix: namePrefix }] },
  };
}
