import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createCompleteHandler } from '../../../handlers/complete';
import { createAwsNotifier } from '../../../lib/aws/notifier';
import { createSageMakerRegistry } from '../../../lib/aws/registry';
import { createSageMakerTrainer } from '../../../lib/aws/sagemaker';
import { keys } from '../../../lib/layout';
import type { CompleteDeps } from '../../../lib/stages/deps';
import { stateChangeEvent } from '../../support/events';
import { describeJob, jobName } from '../../support/sagemaker';
import { completeWorld } from '../../support/stage-worlds';

const sagemaker = mockClient(SageMakerClient);
const sns = mockClient(SNSClient);
const eventBridge = mockClient(EventBridgeClient);
const PACKAGE_ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/sagedrop-dev--iris/1';
const JOB = jobName('iris', 'r1');

/** The handler over the real SageMaker, SNS and EventBridge adapters, their clients mocked. */
async function handlerFor(description: ReturnType<typeof describeJob>) {
  sagemaker.on(DescribeTrainingJobCommand, { TrainingJobName: JOB }).resolves(description);
  const { store, deps } = await completeWorld([description]);
  const client = new SageMakerClient({ region: 'eu-west-1' });
  const awsDeps: CompleteDeps = {
    ...deps,
    trainer: createSageMakerTrainer(client),
    registry: createSageMakerRegistry(client),
    notifier: createAwsNotifier({
      sns: new SNSClient({ region: 'eu-west-1' }),
      eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
      topicArn: deps.config.topicArn,
      eventBusName: 'default',
    }),
  };
  return { store, handler: createCompleteHandler(() => awsDeps) };
}

describe('complete handler over the AWS adapters', () => {
  beforeEach(() => {
    sagemaker.reset();
    sns.reset();
    eventBridge.reset();
    sagemaker.on(CreateModelPackageGroupCommand).resolves({ ModelPackageGroupArn: 'g' });
    sagemaker.on(CreateModelPackageCommand).resolves({ ModelPackageArn: PACKAGE_ARN });
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
  });

  it('registers one model package and sends one email and one event for duplicated Completed events', async () => {
    const description = describeJob();
    const { store, handler } = await handlerFor(description);
    for (const [i, shape] of (['iso', 'ms', 'seconds'] as const).entries()) {
      await handler(stateChangeEvent(description, { times: shape, tags: 'list' }), {
        awsRequestId: `req-${i}`,
      } as Context);
    }
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    const detail = JSON.parse(
      eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? '{}',
    );
    expect(detail).toMatchObject({ job: JOB, status: 'Completed', modelPackageArn: PACKAGE_ARN });
    expect(JSON.parse(store.text(keys.catalogEntry('iris', JOB)) ?? '{}').modelPackageArn).toBe(PACKAGE_ARN);
  });

  it('puts the FailureReason of a Failed job into the email and the event', async () => {
    const reason = 'ClientError: Unable to read data channel train. Requested content-type is text/csv.';
    const description = describeJob({ status: 'Failed', failureReason: reason });
    const { handler } = await handlerFor(description);
    await handler(stateChangeEvent(description), { awsRequestId: 'req-1' } as Context);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.Subject).toBe('sagedrop: training failed: iris');
    expect(publish?.Message).toContain(reason);
    const entry = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.DetailType).toBe('Training Failed');
    expect(JSON.parse(entry?.Detail ?? '{}').failureReason).toBe(reason);
    expect(sagemaker.commandCalls(CreateModelPackageCommand)).toHaveLength(0);
  });
});
