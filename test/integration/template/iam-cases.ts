/**
 * Requests the stack must refuse, beside the call table's must-allow rows
 * (lib/aws/iam-calls.ts): what a stage must never do to the user's data, to
 * roles, to other stages, and over plain HTTP.
 */
import {
  type FunctionCaller,
  IAM_CALLS,
  type IamCall,
  SAMPLE,
  type StackNames,
} from '../../../lib/aws/iam-calls';
import type { SimRequest } from './simulate-iam';

export interface DenyCase extends SimRequest {
  why: string;
}

/** The request a table row makes for a deployment named `names`. */
export function requestOf(row: IamCall, names: StackNames): SimRequest {
  return {
    caller: row.caller,
    action: row.action,
    resource: row.resource(names),
    ...(row.context ? { context: row.context(names) } : {}),
  };
}

/** The same deployment's names for another stage (the stack's generated names differ too). */
export function otherStage(names: StackNames, stage: string): StackNames {
  const own = names.jobPrefix;
  const other = `sagedrop-${stage}`;
  const swap = (text: string) => text.split(own).join(other);
  return {
    ...names,
    jobPrefix: other,
    bucket: swap(names.bucket),
    topicArn: swap(names.topicArn),
    failureQueueArn: swap(names.failureQueueArn),
    sagemakerRoleArn: swap(names.sagemakerRoleArn),
    functionName: (fn) => swap(names.functionName(fn)),
  };
}

/** Stages whose names collide with `ci` under a plain `sagedrop-ci-*` grant: one extends it, one starts it. */
export const OTHER_STAGES = ['ci-eu', 'c', 'ci-2'] as const;

const s3 = (n: StackNames, key = '') => `arn:aws:s3:::${n.bucket}${key ? `/${key}` : ''}`;

export function denyCases(n: StackNames): DenyCase[] {
  const job = `arn:aws:sagemaker:${n.region}:${n.account}:training-job/${SAMPLE.job(n)}`;
  const bus = `arn:aws:events:${n.region}:${n.account}:event-bus/default`;
  const cases: DenyCase[] = [
    {
      why: 'merge deletes an upload',
      caller: 'merge',
      action: 's3:DeleteObject',
      resource: s3(n, 'raw/iris/x.csv'),
    },
    {
      why: 'merge deletes an earlier upload version',
      caller: 'merge',
      action: 's3:DeleteObjectVersion',
      resource: s3(n, 'raw/iris/x.csv'),
    },
    {
      why: 'merge overwrites an upload',
      caller: 'merge',
      action: 's3:PutObject',
      resource: s3(n, 'raw/iris/x.csv'),
    },
    {
      why: 'merge writes a model',
      caller: 'merge',
      action: 's3:PutObject',
      resource: s3(n, 'models/iris/job/output/model.tar.gz'),
    },
    {
      why: 'merge deletes a channel or manifest',
      caller: 'merge',
      action: 's3:DeleteObject',
      resource: s3(n, 'train/iris/run/manifest.json'),
    },
    {
      why: 'train passes another role to SageMaker',
      caller: 'train',
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${n.account}:role/admin`,
      context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    },
    {
      why: "train passes a function's role to SageMaker",
      caller: 'train',
      action: 'iam:PassRole',
      resource: `arn:aws:iam::${n.account}:role/sagedrop-ci-TrainFunctionRole-SAMPLE`,
      context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' },
    },
    {
      why: 'train passes the execution role to Lambda',
      caller: 'train',
      action: 'iam:PassRole',
      resource: n.sagemakerRoleArn,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    },
    {
      why: 'complete starts a training job',
      caller: 'complete',
      action: 'sagemaker:CreateTrainingJob',
      resource: job,
    },
    {
      why: 'merge starts a training job',
      caller: 'merge',
      action: 'sagemaker:CreateTrainingJob',
      resource: job,
    },
    {
      why: 'complete passes a role',
      caller: 'complete',
      action: 'iam:PassRole',
      resource: n.sagemakerRoleArn,
    },
    {
      why: 'train stops a training job',
      caller: 'train',
      action: 'sagemaker:StopTrainingJob',
      resource: job,
    },
    {
      why: 'a training job reads an upload',
      caller: 'training-job',
      action: 's3:GetObject',
      resource: s3(n, 'raw/iris/x.csv'),
    },
    {
      why: 'a training job reads the catalog',
      caller: 'training-job',
      action: 's3:GetObject',
      resource: s3(n, 'catalog/iris/latest.json'),
    },
    {
      why: 'a training job lists the uploads',
      caller: 'training-job',
      action: 's3:ListBucket',
      resource: s3(n),
      context: { 's3:prefix': 'raw/' },
    },
    {
      why: 'a training job lists the whole bucket',
      caller: 'training-job',
      action: 's3:ListBucket',
      resource: s3(n),
    },
    {
      why: 'predict changes a scoring upload',
      caller: 'predict',
      action: 's3:PutObject',
      resource: s3(n, 'score/iris/new.csv'),
    },
    {
      why: 'predict deletes a scoring upload',
      caller: 'predict',
      action: 's3:DeleteObject',
      resource: s3(n, 'score/iris/new.csv'),
    },
    {
      why: 'predict reads the uploads of raw/',
      caller: 'predict',
      action: 's3:GetObject',
      resource: s3(n, 'raw/iris/x.csv'),
    },
    {
      why: 'predict moves the champion',
      caller: 'predict',
      action: 's3:PutObject',
      resource: s3(n, 'catalog/iris/champion.json'),
    },
    {
      why: 'predict starts a training job',
      caller: 'predict',
      action: 'sagemaker:CreateTrainingJob',
      resource: job,
    },
    {
      why: 'predict starts an evaluation transform',
      caller: 'predict',
      action: 'sagemaker:CreateTransformJob',
      resource: `arn:aws:sagemaker:${n.region}:${n.account}:transform-job/${SAMPLE.stackNamePrefix(n.jobPrefix)}eval-0123`,
    },
    {
      why: 'a transform reads a scoring upload as the user wrote it',
      caller: 'training-job',
      action: 's3:GetObject',
      resource: s3(n, 'score/iris/new.csv'),
    },
    {
      why: "a transform reads a prediction's plan",
      caller: 'training-job',
      action: 's3:GetObject',
      resource: s3(n, 'transforms/iris/0123/plan.json'),
    },
    {
      why: 'a transform writes the predictions users read',
      caller: 'training-job',
      action: 's3:PutObject',
      resource: s3(n, 'predictions/iris/new.csv'),
    },
    {
      why: 'a training job changes its training data',
      caller: 'training-job',
      action: 's3:PutObject',
      resource: s3(n, 'train/iris/run/train/train.csv'),
    },
    {
      why: 'a read over plain HTTP',
      caller: 'complete',
      action: 's3:GetObject',
      resource: s3(n, 'catalog/iris/latest.json'),
      context: { 'aws:SecureTransport': 'false' },
    },
    {
      why: 'a write over plain HTTP',
      caller: 'merge',
      action: 's3:PutObject',
      resource: s3(n, 'train/iris/run/manifest.json'),
      context: { 'aws:SecureTransport': 'false' },
    },
    {
      why: 'a failed event kept over plain HTTP',
      caller: 'merge',
      action: 'sqs:SendMessage',
      resource: n.failureQueueArn,
      context: { 'aws:SecureTransport': 'false' },
    },
    ...(['merge', 'train', 'complete'] as const).flatMap((fn): DenyCase[] => [
      {
        why: `${fn} puts an event of another source`,
        caller: fn,
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': ['aws.sagemaker'], 'events:detail-type': ['Training Completed'] },
      },
      {
        why: `${fn} puts an event with no source`,
        caller: fn,
        action: 'events:PutEvents',
        resource: bus,
      },
      {
        why: `${fn} puts sagedrop and other events in one request`,
        caller: fn,
        action: 'events:PutEvents',
        resource: bus,
        context: { 'events:source': ['sagedrop', 'other'], 'events:detail-type': ['Training Completed'] },
      },
    ]),
    {
      why: 'evaluate passes the execution role to Lambda',
      caller: 'evaluate',
      action: 'iam:PassRole',
      resource: n.sagemakerRoleArn,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    },
    {
      why: 'evaluate deletes an endpoint sagedrop did not make',
      caller: 'evaluate',
      action: 'sagemaker:DeleteEndpoint',
      resource: `arn:aws:sagemaker:${n.region}:${n.account}:endpoint/fraud-model-prod`,
    },
    {
      why: "evaluate deletes another stage's endpoint",
      caller: 'evaluate',
      action: 'sagemaker:DeleteEndpoint',
      resource: `arn:aws:sagemaker:${n.region}:${n.account}:endpoint/sagedrop-prod--iris`,
    },
    {
      why: 'evaluate invokes an endpoint (only users do)',
      caller: 'evaluate',
      action: 'sagemaker:InvokeEndpoint',
      resource: `arn:aws:sagemaker:${n.region}:${n.account}:endpoint/${n.jobPrefix}--iris`,
    },
    {
      why: "a SageMaker job assumes a function's role",
      caller: 'training-job',
      action: 'sts:AssumeRole',
      resource: `arn:aws:iam::${n.account}:role/sagedrop-ci-TrainFunctionRole-SAMPLE`,
    },
  ];
  return [...cases, ...otherStageCases(n)];
}

/**
 * Every table row with another stage's names, where they differ: no stage
 * reaches another's bucket, jobs, model groups, log streams, roles, topic or
 * queue, whatever the two stage names are.
 */
function otherStageCases(names: StackNames): DenyCase[] {
  return OTHER_STAGES.flatMap((stage) => {
    const other = otherStage(names, stage);
    return IAM_CALLS.filter((row) => row.action !== 'sts:AssumeRole')
      .filter((row) => row.resource(other) !== row.resource(names))
      .map((row) => ({
        ...requestOf(row, other),
        why: `${row.caller} ${row.action} on stage ${stage}'s ${row.resource(other)}`,
      }));
  });
}

/** What AWS services do to the stack's functions and queue, allowed by their resource policies. */
export function serviceCalls(n: StackNames, ruleArn: string): (SimRequest & { why: string })[] {
  const fn = (name: FunctionCaller) =>
    `arn:aws:lambda:${n.region}:${n.account}:function:${n.functionName(name)}`;
  const fromBucket = { 'aws:SourceArn': s3(n), 'aws:SourceAccount': n.account };
  return [
    {
      why: 'S3 invokes merge',
      caller: 's3.amazonaws.com',
      action: 'lambda:InvokeFunction',
      resource: fn('merge'),
      context: fromBucket,
    },
    {
      why: 'S3 invokes train',
      caller: 's3.amazonaws.com',
      action: 'lambda:InvokeFunction',
      resource: fn('train'),
      context: fromBucket,
    },
    {
      why: 'the training job rule invokes complete',
      caller: 'events.amazonaws.com',
      action: 'lambda:InvokeFunction',
      resource: fn('complete'),
      context: { 'aws:SourceArn': ruleArn },
    },
    {
      why: 'the training job rule keeps an undeliverable event',
      caller: 'events.amazonaws.com',
      action: 'sqs:SendMessage',
      resource: n.failureQueueArn,
      context: { 'aws:SourceArn': ruleArn },
    },
  ];
}
