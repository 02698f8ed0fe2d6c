import { JOB_TAGS } from '../../lib/training/job-tags';
import { encodeS3Key, s3Notification } from './events';

/** The documented S3 notification of one object, as S3 sends it to Lambda. */
export function s3Event(key: string, bucket = 'sagedrop-dev-123456789012-eu-west-1') {
  return s3Notification(bucket, [encodeS3Key(key)]);
}

/** A terminal "SageMaker Training Job State Change" event of a job tagged with its dataset and run. */
export function trainingJobEvent(job: string, dataset: string, run: string, id = 'evt-1') {
  return {
    version: '0',
    id,
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: '2026-01-01T01:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      TrainingJobName: job,
      TrainingJobStatus: 'Completed',
      Tags: { [JOB_TAGS.dataset]: dataset, [JOB_TAGS.run]: run },
    },
  };
}

/**
 * Lambda's on-failure invocation record, in the shape the AWS Lambda developer
 * guide documents ("Capturing records of Lambda asynchronous invocations").
 */
export function invocationRecord(options: {
  functionName: string;
  payload: unknown;
  requestId?: string;
  error?: unknown;
  attempts?: number;
  condition?: string;
}) {
  return {
    version: '1.0',
    timestamp: '2026-01-01T00:03:05.568Z',
    requestContext: {
      requestId: options.requestId ?? 'e4b46cbf-b738-4a1e-8880-a18cdf61200e',
      functionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${options.functionName}:$LATEST`,
      condition: options.condition ?? 'RetriesExhausted',
      approximateInvokeCount: options.attempts ?? 3,
    },
    requestPayload: options.payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload:
      'error' in options
        ? options.error
        : {
            errorType: 'SlowDown',
            errorMessage: 'Please reduce your request rate.',
            trace: [],
          },
  };
}

/** The message attributes EventBridge puts on an event it could not deliver to a rule's target. */
export function deadLetterAttributes(targetFunction: string) {
  return {
    RULE_ARN: 'arn:aws:events:eu-west-1:123456789012:rule/sagedrop-dev-training-job-state',
    TARGET_ARN: `arn:aws:lambda:eu-west-1:123456789012:function:${targetFunction}`,
    ERROR_CODE: 'NO_PERMISSIONS',
    ERROR_MESSAGE: 'EventBridge is not allowed to invoke the function',
    EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    RETRY_ATTEMPTS: '0',
  };
}
