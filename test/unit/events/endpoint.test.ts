import { describe, expect, it } from 'vitest';
import { endpointStatePattern, parseEndpointEvent } from '../../../lib/events/endpoint';
import { parseScoringEvent } from '../../../lib/events/scoring';
import { matchesEventPattern } from '../../../lib/events/triggers';
import { readAwsEvent } from '../../support/aws-fixtures';

const sample = (name: string) => {
  const event = readAwsEvent<{ detail: Record<string, unknown> }>(
    'sagemaker-endpoint-state-change.sample.json',
  );
  return { ...event, detail: { ...event.detail, EndpointName: name } as Record<string, unknown> };
};

describe('the SageMaker Endpoint State Change event', () => {
  it('is read from the documented sample, its IN_SERVICE spelled as DescribeEndpoint spells it', () => {
    expect(parseEndpointEvent(sample('sagedrop-dev--iris'))).toEqual({
      kind: 'endpoint',
      endpoint: 'sagedrop-dev--iris',
      status: 'InService',
      configName: 'sagedrop-dev-iris--20260101t005412-3f2a9c',
    });
  });

  it('reaches the stack only for its own endpoints, whatever their status', () => {
    const pattern = endpointStatePattern('sagedrop-dev--');
    expect(matchesEventPattern(pattern, sample('sagedrop-dev--iris'))).toBe(true);
    const failed = sample('sagedrop-dev--iris');
    failed.detail.EndpointStatus = 'FAILED';
    expect(matchesEventPattern(pattern, failed)).toBe(true);
    expect(matchesEventPattern(pattern, sample('sagedrop-dev-eu--iris'))).toBe(false);
    expect(matchesEventPattern(pattern, sample('fraud-model-prod'))).toBe(false);
  });

  it('is not taken for a scoring event, nor a scoring event for it', () => {
    const transform = readAwsEvent('sagemaker-transform-job-state-change.sample.json');
    expect(parseEndpointEvent(transform)).toBeUndefined();
    expect(() => parseScoringEvent(sample('sagedrop-dev--iris'))).toThrow(/check the EventBridge rules/);
  });
});
