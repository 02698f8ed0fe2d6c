import { keys } from '../layout';
import { endpointConfigNameOf, endpointNameOf } from '../models/endpoint';
import { evaluationTransformName, predictionTransformName } from '../models/transform';
import { stackNamePrefix, trainingJobName } from '../training/job-name';
import { JOB_TAGS } from '../training/job-tags';
import { modelPackageGroupName } from '../training/model-package';

/**
 * Every AWS request the deployed stack makes, as IAM authorizes it: which
 * principal (a function's role, or a SageMaker training job with the execution
 * role), which action on which resource ARN, and the condition keys the real
 * request carries. The template test simulates each row against the packaged
 * stack's policies (identity, bucket, queue, Lambda and trust policies) and
 * requires it to be allowed; a grant that no row uses is reported, and an SDK
 * command used by a function's adapters without a row fails the test.
 *
 * To add a call: add a row with the sample names below (a new SageMaker
 * resource is named `stackNamePrefix(jobPrefix) + ...`, and granted on
 * `sagedrop-<stage>--*` only).
 */

/** The stack's functions, by their short name in serverless.yml (`handlers/<name>.ts`). A new function is added here. */
export const FUNCTION_CALLERS = ['merge', 'train', 'complete', 'evaluate', 'predict', 'alert'] as const;
export type FunctionCaller = (typeof FUNCTION_CALLERS)[number];

/** Who makes a request: a function (its role) or a training job (the SageMaker execution role). */
export type IamCaller = FunctionCaller | 'training-job';

/** The names of one deployment, from which every sample ARN is built. */
export interface StackNames {
  partition: string;
  region: string;
  account: string;
  /** `sagedrop-<stage>`: the JOB_PREFIX of the functions. */
  jobPrefix: string;
  bucket: string;
  topicArn: string;
  failureQueueArn: string;
  sagemakerRoleArn: string;
  /** `sagedrop-<stage>-<fn>` of a function. */
  functionName: (fn: FunctionCaller) => string;
}

export interface IamCall {
  caller: IamCaller;
  /**
   * The SDK command (`GetObject`), a step of a streamed multipart upload
   * (`UploadPart`), or what Lambda or SageMaker does for the caller (`Lambda:
   * on-failure destination`, `SageMaker: write model`).
   */
  call: string;
  action: string;
  resource: (names: StackNames) => string;
  /** Condition keys the request carries besides `aws:SecureTransport` (always `true`). */
  context?: (names: StackNames) => Record<string, string | string[]>;
  why: string;
}

const DATASET = 'iris';
const RUN = '20260101T000000Z-0123456789';
const s3 = (names: StackNames, key = '') =>
  `arn:${names.partition}:s3:::${names.bucket}${key ? `/${key}` : ''}`;
const sagemaker = (names: StackNames, resource: string) =>
  `arn:${names.partition}:sagemaker:${names.region}:${names.account}:${resource}`;
const job = (names: StackNames) => trainingJobName(names.jobPrefix, DATASET, RUN);
const group = (names: StackNames) => modelPackageGroupName(names.jobPrefix, DATASET);
const lambdaLogStream = (names: StackNames, fn: FunctionCaller) =>
  `arn:${names.partition}:logs:${names.region}:${names.account}:log-group:/aws/lambda/${names.functionName(fn)}:log-stream:2026/01/01/[$LATEST]0123456789abcdef`;
const trainingLogs = (names: StackNames, rest = '') =>
  `arn:${names.partition}:logs:${names.region}:${names.account}:log-group:/aws/sagemaker/TrainingJobs${rest}`;

type Fn = FunctionCaller;

/** Calls every function makes: its logs, its failure queue, its notifications. */
function commonCalls(fn: Fn, detailType: string): IamCall[] {
  return [
    {
      caller: fn,
      call: 'Lambda: logs',
      action: 'logs:CreateLogStream',
      resource: (n) => lambdaLogStream(n, fn),
      why: "Lambda writes the function's log stream with its role",
    },
    {
      caller: fn,
      call: 'Lambda: logs',
      action: 'logs:PutLogEvents',
      resource: (n) => lambdaLogStream(n, fn),
      why: "Lambda writes the function's log stream with its role",
    },
    {
      caller: fn,
      call: 'Lambda: on-failure destination',
      action: 'sqs:SendMessage',
      resource: (n) => n.failureQueueArn,
      why: 'an event that exhausted its retries is kept, sent with the function role',
    },
    {
      caller: fn,
      call: 'PutEvents',
      action: 'events:PutEvents',
      resource: (n) => `arn:${n.partition}:events:${n.region}:${n.account}:event-bus/default`,
      context: () => ({ 'events:source': ['sagedrop'], 'events:detail-type': [detailType] }),
      why: 'the EventBridge event of an outcome (source sagedrop)',
    },
    {
      caller: fn,
      call: 'Publish',
      action: 'sns:Publish',
      resource: (n) => n.topicArn,
      why: 'the email of an outcome',
    },
    ...(['PutObject', 'HeadObject', 'GetObject'] as const).map(
      (call): IamCall => ({
        caller: fn,
        call,
        action: call === 'PutObject' ? 's3:PutObject' : 's3:GetObject',
        resource: (n) => s3(n, keys.notification(DATASET, 'training-started-0123456789')),
        why: 'the sent-once record of a notification',
      }),
    ),
    {
      caller: fn,
      call: 'HeadObject',
      action: 's3:ListBucket',
      resource: (n) => s3(n),
      why: 'a missing key answers 404 (not 403) only with s3:ListBucket on the bucket',
    },
  ];
}

/** The steps of a streamed upload of `key` (lib/aws/multipart-upload.ts), each as S3 authorizes it. */
function uploadCalls(caller: IamCaller, key: string, why: string): IamCall[] {
  const steps: [string, string][] = [
    ['PutObject', 's3:PutObject'],
    ['CreateMultipartUpload', 's3:PutObject'],
    ['UploadPart', 's3:PutObject'],
    ['CompleteMultipartUpload', 's3:PutObject'],
    ['AbortMultipartUpload', 's3:AbortMultipartUpload'],
  ];
  return steps.map(([call, action]) => ({ caller, call, action, resource: (n) => s3(n, key), why }));
}

const object = (caller: IamCaller, call: string, action: string, key: string, why: string): IamCall => ({
  caller,
  call,
  action,
  resource: (n) => s3(n, key),
  why,
});

const mergeCalls: IamCall[] = [
  ...commonCalls('merge', 'Dataset Rejected'),
  object('merge', 'HeadObject', 's3:GetObject', keys.raw(DATASET, 'x'), 'which upload of x.csv is current'),
  object('merge', 'GetObject', 's3:GetObject', keys.raw(DATASET, 'settings'), "the dataset's sagedrop.json"),
  object(
    'merge',
    'GetObject',
    's3:GetObjectVersion',
    keys.raw(DATASET, 'y'),
    'reads the exact uploaded version (VersionId) it paired',
  ),
  ...uploadCalls('merge', keys.channel(DATASET, RUN, 'train'), 'streams a channel'),
  ...uploadCalls(
    'merge',
    keys.channel(DATASET, RUN, 'train', 'part-00001.csv'),
    'streams a part of a channel larger than shardSizeMb',
  ),
  object('merge', 'PutObject', 's3:PutObject', keys.manifest(DATASET, RUN), 'the manifest, written last'),
  object('merge', 'HeadObject', 's3:GetObject', keys.manifest(DATASET, RUN), 'whether a run finished'),
  object('merge', 'PutObject', 's3:PutObject', keys.inputClaim(DATASET, 'x', 'tok'), 'claims an upload'),
  object('merge', 'GetObject', 's3:GetObject', keys.inputClaim(DATASET, 'x', 'tok'), 'reads a claim'),
  object(
    'merge',
    'DeleteObject',
    's3:DeleteObject',
    keys.inputClaim(DATASET, 'x', 'tok'),
    'releases a claim',
  ),
  object('merge', 'PutObject', 's3:PutObject', keys.errorReport(DATASET, RUN), 'the rejection report'),
  object('merge', 'GetObject', 's3:GetObject', keys.errorReport(DATASET, RUN), 'an earlier rejection report'),
];

const trainCalls: IamCall[] = [
  ...commonCalls('train', 'Training Started'),
  object('train', 'GetObject', 's3:GetObject', keys.manifest(DATASET, RUN), "the run's manifest"),
  {
    caller: 'train',
    call: 'CreateTrainingJob',
    action: 'sagemaker:CreateTrainingJob',
    resource: (n) => sagemaker(n, `training-job/${job(n)}`),
    context: (n) => ({
      [`aws:RequestTag/${JOB_TAGS.dataset}`]: DATASET,
      [`aws:RequestTag/${JOB_TAGS.run}`]: RUN,
      [`aws:RequestTag/${JOB_TAGS.stack}`]: n.jobPrefix,
      'aws:TagKeys': [JOB_TAGS.dataset, JOB_TAGS.run, JOB_TAGS.stack],
    }),
    why: "starts the run's training job, tagged",
  },
  {
    caller: 'train',
    call: 'CreateTrainingJob',
    action: 'sagemaker:AddTags',
    resource: (n) => sagemaker(n, `training-job/${job(n)}`),
    context: () => ({ 'aws:TagKeys': [JOB_TAGS.dataset, JOB_TAGS.run, JOB_TAGS.stack] }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'train',
    call: 'CreateTrainingJob',
    action: 'iam:PassRole',
    resource: (n) => n.sagemakerRoleArn,
    context: () => ({ 'iam:PassedToService': 'sagemaker.amazonaws.com' }),
    why: 'the job runs as the execution role',
  },
];

const completeCalls: IamCall[] = [
  ...commonCalls('complete', 'Training Completed'),
  {
    caller: 'complete',
    call: 'DescribeTrainingJob',
    action: 'sagemaker:DescribeTrainingJob',
    resource: (n) => sagemaker(n, `training-job/${job(n)}`),
    why: 'the authoritative outcome of a finished job',
  },
  object('complete', 'GetObject', 's3:GetObject', keys.manifest(DATASET, RUN), "the job's run manifest"),
  object('complete', 'HeadObject', 's3:GetObject', keys.modelArtifact(DATASET, 'job'), 'the model size'),
  object('complete', 'PutObject', 's3:PutObject', keys.catalogEntry(DATASET, 'job'), 'the catalog entry'),
  object('complete', 'GetObject', 's3:GetObject', keys.catalogEntry(DATASET, 'job'), 'an earlier entry'),
  object('complete', 'HeadObject', 's3:GetObject', keys.catalogLatest(DATASET), 'the current latest.json'),
  object(
    'complete',
    'GetObject',
    's3:GetObjectVersion',
    keys.catalogLatest(DATASET),
    'latest.json at the exact version it compared against',
  ),
  object('complete', 'PutObject', 's3:PutObject', keys.catalogLatest(DATASET), 'moves latest.json forward'),
  {
    caller: 'complete',
    call: 'CreateModelPackageGroup',
    action: 'sagemaker:CreateModelPackageGroup',
    resource: (n) => sagemaker(n, `model-package-group/${group(n)}`),
    context: () => ({
      [`aws:RequestTag/${JOB_TAGS.dataset}`]: DATASET,
      'aws:TagKeys': [JOB_TAGS.dataset, JOB_TAGS.run],
    }),
    why: "the dataset's model group, tagged",
  },
  {
    caller: 'complete',
    call: 'CreateModelPackageGroup',
    action: 'sagemaker:AddTags',
    resource: (n) => sagemaker(n, `model-package-group/${group(n)}`),
    context: () => ({ 'aws:TagKeys': [JOB_TAGS.dataset, JOB_TAGS.run] }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'complete',
    call: 'CreateModelPackage',
    action: 'sagemaker:CreateModelPackage',
    resource: (n) => sagemaker(n, `model-package/${group(n)}/1`),
    context: () => ({ 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' }),
    why: 'registers the model, pending approval',
  },
];

const transform = (names: StackNames) => evaluationTransformName(names.jobPrefix, job(names), 'challenger');
const EVAL_TAGS = [JOB_TAGS.dataset, JOB_TAGS.job, JOB_TAGS.stack];
const transformLogs = (names: StackNames, rest = '') =>
  `arn:${names.partition}:logs:${names.region}:${names.account}:log-group:/aws/sagemaker/TransformJobs${rest}`;

/** The complete stage starts the evaluation: a plan, a model per job, a batch transform per model. */
const scoringCalls: IamCall[] = [
  object('complete', 'PutObject', 's3:PutObject', keys.evaluationPlan(DATASET, 'job'), 'the evaluation plan'),
  object('complete', 'GetObject', 's3:GetObject', keys.evaluationPlan(DATASET, 'job'), 'an earlier plan'),
  {
    caller: 'complete',
    call: 'CreateModel',
    action: 'sagemaker:CreateModel',
    resource: (n) => sagemaker(n, `model/${job(n)}`),
    why: "the job's model, for its batch transform",
  },
  {
    caller: 'complete',
    call: 'CreateModel',
    action: 'sagemaker:AddTags',
    resource: (n) => sagemaker(n, `model/${job(n)}`),
    context: () => ({ 'aws:TagKeys': EVAL_TAGS }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'complete',
    call: 'CreateModel',
    action: 'iam:PassRole',
    resource: (n) => n.sagemakerRoleArn,
    context: () => ({ 'iam:PassedToService': 'sagemaker.amazonaws.com' }),
    why: 'the model runs as the execution role',
  },
  {
    caller: 'complete',
    call: 'CreateTransformJob',
    action: 'sagemaker:CreateTransformJob',
    resource: (n) => sagemaker(n, `transform-job/${transform(n)}`),
    why: 'scores the test rows',
  },
  {
    caller: 'complete',
    call: 'CreateTransformJob',
    action: 'sagemaker:AddTags',
    resource: (n) => sagemaker(n, `transform-job/${transform(n)}`),
    context: () => ({ 'aws:TagKeys': EVAL_TAGS }),
    why: 'tags given on create are authorized as AddTags too',
  },
];

const evaluateCalls: IamCall[] = [
  ...commonCalls('evaluate', 'Model Evaluated'),
  {
    caller: 'evaluate',
    call: 'DescribeTransformJob',
    action: 'sagemaker:DescribeTransformJob',
    resource: (n) => sagemaker(n, `transform-job/${transform(n)}`),
    why: 'the authoritative outcome of each transform of the evaluation',
  },
  {
    caller: 'evaluate',
    call: 'UpdateModelPackage',
    action: 'sagemaker:UpdateModelPackage',
    resource: (n) => sagemaker(n, `model-package/${group(n)}/1`),
    why: 'approves a promoted model',
  },
  object('evaluate', 'GetObject', 's3:GetObject', keys.evaluationPlan(DATASET, 'job'), 'the evaluation plan'),
  object('evaluate', 'HeadObject', 's3:GetObject', keys.channel(DATASET, RUN, 'test'), 'the test rows'),
  object(
    'evaluate',
    'GetObject',
    's3:GetObjectVersion',
    keys.channel(DATASET, RUN, 'train'),
    'streams the training rows (baseline) and test rows at the version read',
  ),
  object(
    'evaluate',
    'GetObject',
    's3:GetObjectVersion',
    `${keys.evaluationOutput(DATASET, 'job', 'challenger')}test.csv.out`,
    'streams the predictions at the version read',
  ),
  object('evaluate', 'PutObject', 's3:PutObject', keys.evaluationReport(DATASET, 'job'), 'evaluation.json'),
  object('evaluate', 'GetObject', 's3:GetObject', keys.catalogEntry(DATASET, 'job'), 'the catalog entry'),
  object(
    'evaluate',
    'PutObject',
    's3:PutObject',
    keys.catalogEntry(DATASET, 'job'),
    "adds the entry's evaluation",
  ),
  object(
    'evaluate',
    'GetObject',
    's3:GetObjectVersion',
    keys.catalogChampion(DATASET),
    'champion.json at the exact version it compared against',
  ),
  object('evaluate', 'PutObject', 's3:PutObject', keys.catalogChampion(DATASET), 'moves the champion'),
];

const endpoint = (names: StackNames) => endpointNameOf(names.jobPrefix, DATASET);
const endpointConfig = (names: StackNames) =>
  endpointConfigNameOf(endpoint(names), job(names), {
    type: 'serverless',
    memoryMb: 2048,
    maxConcurrency: 5,
  });
const onEndpoint = (names: StackNames) => sagemaker(names, `endpoint/${endpoint(names)}`);
const onConfig = (names: StackNames) => sagemaker(names, `endpoint-config/${endpointConfig(names)}`);

/** The evaluate function keeps a dataset's opt-in serverless endpoint on its champion. */
const endpointCalls: IamCall[] = [
  {
    caller: 'evaluate',
    call: 'PutEvents',
    action: 'events:PutEvents',
    resource: (n) => `arn:${n.partition}:events:${n.region}:${n.account}:event-bus/default`,
    context: () => ({ 'events:source': ['sagedrop'], 'events:detail-type': ['Endpoint Updated'] }),
    why: 'the Endpoint Updated event (source sagedrop)',
  },
  object('evaluate', 'GetObject', 's3:GetObject', keys.catalogLatest(DATASET), "the newest run's settings"),
  ...(
    [
      ['HeadObject', 's3:GetObject', 'the endpoint record'],
      ['GetObject', 's3:GetObject', 'the endpoint record'],
      ['PutObject', 's3:PutObject', 'what the endpoint serves, by compare-and-swap'],
      ['DeleteObject', 's3:DeleteObject', 'the record of an endpoint deleted with its setting'],
    ] as const
  ).map(
    ([call, action, why]): IamCall => ({
      caller: 'evaluate',
      call,
      action,
      resource: (n) => s3(n, keys.endpointRecord(endpoint(n))),
      why,
    }),
  ),
  {
    caller: 'evaluate',
    call: 'DescribeEndpoint',
    action: 'sagemaker:DescribeEndpoint',
    resource: onEndpoint,
    why: 'where the endpoint stands (events repeat and come late)',
  },
  {
    caller: 'evaluate',
    call: 'CreateModel',
    action: 'sagemaker:CreateModel',
    resource: (n) => sagemaker(n, `model/${job(n)}`),
    why: "the champion's model, when its evaluation did not leave one",
  },
  {
    caller: 'evaluate',
    call: 'CreateModel',
    action: 'sagemaker:AddTags',
    resource: (n) => sagemaker(n, `model/${job(n)}`),
    context: () => ({ 'aws:TagKeys': EVAL_TAGS }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'evaluate',
    call: 'CreateModel',
    action: 'iam:PassRole',
    resource: (n) => n.sagemakerRoleArn,
    context: () => ({ 'iam:PassedToService': 'sagemaker.amazonaws.com' }),
    why: 'the model runs as the execution role',
  },
  {
    caller: 'evaluate',
    call: 'CreateEndpointConfig',
    action: 'sagemaker:CreateEndpointConfig',
    resource: onConfig,
    why: 'one serverless variant with the champion',
  },
  {
    caller: 'evaluate',
    call: 'CreateEndpointConfig',
    action: 'sagemaker:AddTags',
    resource: onConfig,
    context: () => ({ 'aws:TagKeys': [JOB_TAGS.dataset] }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'evaluate',
    call: 'CreateEndpoint',
    action: 'sagemaker:CreateEndpoint',
    resource: onEndpoint,
    why: "the dataset's endpoint, on the first champion",
  },
  {
    caller: 'evaluate',
    call: 'CreateEndpoint',
    action: 'sagemaker:CreateEndpoint',
    resource: onConfig,
    why: 'CreateEndpoint is authorized on the config it names too (its API documentation lists both ARNs)',
  },
  {
    caller: 'evaluate',
    call: 'CreateEndpoint',
    action: 'sagemaker:AddTags',
    resource: onEndpoint,
    context: () => ({ 'aws:TagKeys': [JOB_TAGS.dataset] }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'evaluate',
    call: 'UpdateEndpoint',
    action: 'sagemaker:UpdateEndpoint',
    resource: onEndpoint,
    why: 'switches the endpoint to a new champion',
  },
  {
    caller: 'evaluate',
    call: 'UpdateEndpoint',
    action: 'sagemaker:UpdateEndpoint',
    resource: onConfig,
    why: 'granted on the config it names as well, as for CreateEndpoint',
  },
  {
    caller: 'evaluate',
    call: 'DeleteEndpoint',
    action: 'sagemaker:DeleteEndpoint',
    resource: onEndpoint,
    why: 'the setting was removed, or the endpoint failed',
  },
  {
    caller: 'evaluate',
    call: 'DeleteEndpointConfig',
    action: 'sagemaker:DeleteEndpointConfig',
    resource: onConfig,
    why: 'a config no longer served, once the switch away from it finished',
  },
];

/** What a batch transform of the evaluation does with the execution role. */
const transformJobCalls: IamCall[] = [
  object(
    'training-job',
    'SageMaker: read the test rows',
    's3:GetObject',
    keys.channel(DATASET, RUN, 'test'),
    'a transform reads its input',
  ),
  ...uploadCalls(
    'training-job',
    `${keys.evaluationOutput(DATASET, 'job', 'challenger')}test.csv.out`,
    'a transform writes its predictions',
  ),
  {
    caller: 'training-job',
    call: 'SageMaker: transform logs',
    action: 'logs:CreateLogGroup',
    resource: (n) => transformLogs(n, ':*'),
    why: "the transform's log group",
  },
  {
    caller: 'training-job',
    call: 'SageMaker: transform logs',
    action: 'logs:DescribeLogStreams',
    resource: (n) => transformLogs(n, ':*'),
    why: "the transform's log streams",
  },
  ...(['logs:CreateLogStream', 'logs:PutLogEvents'] as const).map(
    (action): IamCall => ({
      caller: 'training-job',
      call: 'SageMaker: transform logs',
      action,
      resource: (n) => transformLogs(n, `:log-stream:${transform(n)}/i-0123456789abcdef0-1767225600`),
      why: "the transform's log stream",
    }),
  ),
];

const PREDICTION = '0123456789abcdef01234567';
const predictionTransform = (names: StackNames) => predictionTransformName(names.jobPrefix, PREDICTION);

/** The predict function: a scoring upload is validated, normalised and scored; its transform's end writes predictions. */
const predictCalls: IamCall[] = [
  ...commonCalls('predict', 'Predictions Ready'),
  object(
    'predict',
    'HeadObject',
    's3:GetObject',
    'score/iris/new.csv',
    'which upload of the file is current',
  ),
  object(
    'predict',
    'GetObject',
    's3:GetObjectVersion',
    'score/iris/new.csv.gz',
    'reads the exact uploaded version (VersionId) the event announced',
  ),
  object('predict', 'GetObject', 's3:GetObject', keys.catalogChampion(DATASET), "the dataset's champion"),
  object(
    'predict',
    'GetObject',
    's3:GetObject',
    keys.catalogEntry(DATASET, 'job'),
    "the champion's entry: its classes and settings",
  ),
  object(
    'predict',
    'PutObject',
    's3:PutObject',
    keys.predictionPlan(DATASET, PREDICTION),
    'the scoring plan',
  ),
  object('predict', 'GetObject', 's3:GetObject', keys.predictionPlan(DATASET, PREDICTION), 'an earlier plan'),
  object(
    'predict',
    'HeadObject',
    's3:GetObject',
    keys.predictionInput(DATASET, PREDICTION),
    'whether the rows were normalised already',
  ),
  ...uploadCalls('predict', keys.predictionInput(DATASET, PREDICTION), 'streams the normalised rows'),
  object(
    'predict',
    'HeadObject',
    's3:GetObject',
    keys.predictionOutput(DATASET, PREDICTION),
    "the transform's output",
  ),
  object(
    'predict',
    'GetObject',
    's3:GetObjectVersion',
    keys.predictionOutput(DATASET, PREDICTION),
    "streams the transform's output at the version read",
  ),
  ...uploadCalls('predict', keys.predictions(DATASET, 'new'), 'streams the rows with their predictions'),
  object(
    'predict',
    'PutObject',
    's3:PutObject',
    keys.predictionsRecord(DATASET, 'new'),
    'the record beside them',
  ),
  object('predict', 'GetObject', 's3:GetObject', keys.predictionsRecord(DATASET, 'new'), 'an earlier record'),
  object(
    'predict',
    'PutObject',
    's3:PutObject',
    keys.errorReport(DATASET, `predict-${PREDICTION}`),
    'the rejection report',
  ),
  {
    caller: 'predict',
    call: 'CreateModel',
    action: 'sagemaker:CreateModel',
    resource: (n) => sagemaker(n, `model/${job(n)}`),
    why: "the champion's model, for its batch transform",
  },
  {
    caller: 'predict',
    call: 'CreateModel',
    action: 'sagemaker:AddTags',
    resource: (n) => sagemaker(n, `model/${job(n)}`),
    context: () => ({ 'aws:TagKeys': EVAL_TAGS }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'predict',
    call: 'CreateModel',
    action: 'iam:PassRole',
    resource: (n) => n.sagemakerRoleArn,
    context: () => ({ 'iam:PassedToService': 'sagemaker.amazonaws.com' }),
    why: 'the model runs as the execution role',
  },
  {
    caller: 'predict',
    call: 'CreateTransformJob',
    action: 'sagemaker:CreateTransformJob',
    resource: (n) => sagemaker(n, `transform-job/${predictionTransform(n)}`),
    why: 'scores the uploaded rows',
  },
  {
    caller: 'predict',
    call: 'CreateTransformJob',
    action: 'sagemaker:AddTags',
    resource: (n) => sagemaker(n, `transform-job/${predictionTransform(n)}`),
    context: () => ({ 'aws:TagKeys': EVAL_TAGS }),
    why: 'tags given on create are authorized as AddTags too',
  },
  {
    caller: 'predict',
    call: 'DescribeTransformJob',
    action: 'sagemaker:DescribeTransformJob',
    resource: (n) => sagemaker(n, `transform-job/${predictionTransform(n)}`),
    why: 'the authoritative outcome of the transform',
  },
];

/** What a prediction transform does with the execution role: read the normalised rows, write its output. */
const predictionJobCalls: IamCall[] = [
  {
    caller: 'training-job',
    call: 'SageMaker: list the rows to predict',
    action: 's3:ListBucket',
    resource: (n) => s3(n),
    context: () => ({ 's3:prefix': keys.predictionInputPrefix(DATASET, PREDICTION) }),
    why: 'an S3Prefix input lists its prefix',
  },
  object(
    'training-job',
    'SageMaker: read the rows to predict',
    's3:GetObject',
    keys.predictionInput(DATASET, PREDICTION),
    'a transform reads its input',
  ),
  ...uploadCalls(
    'training-job',
    keys.predictionOutput(DATASET, PREDICTION),
    'a transform writes its predictions',
  ),
  ...(['logs:CreateLogStream', 'logs:PutLogEvents'] as const).map(
    (action): IamCall => ({
      caller: 'training-job',
      call: 'SageMaker: transform logs',
      action,
      resource: (n) =>
        transformLogs(n, `:log-stream:${predictionTransform(n)}/i-0123456789abcdef0-1767225600`),
      why: "the prediction transform's log stream",
    }),
  ),
];

const ECR_IMAGE_ACCOUNT = '438346466558';

const trainingJobCalls: IamCall[] = [
  {
    caller: 'training-job',
    call: 'SageMaker: assume the execution role',
    action: 'sts:AssumeRole',
    resource: (n) => n.sagemakerRoleArn,
    why: 'SageMaker runs the job as the execution role',
  },
  {
    caller: 'training-job',
    call: 'SageMaker: list a channel',
    action: 's3:ListBucket',
    resource: (n) => s3(n),
    context: () => ({ 's3:prefix': keys.channelPrefix(DATASET, RUN, 'train') }),
    why: 'an S3Prefix channel lists its prefix',
  },
  object(
    'training-job',
    'SageMaker: read a channel',
    's3:GetObject',
    keys.channel(DATASET, RUN, 'train'),
    'downloads the channel',
  ),
  ...uploadCalls('training-job', `models/${DATASET}/job/output/model.tar.gz`, 'uploads the model'),
  {
    caller: 'training-job',
    call: 'SageMaker: list checkpoints',
    action: 's3:ListBucket',
    resource: (n) => s3(n),
    context: () => ({ 's3:prefix': `models/${DATASET}/job/checkpoints/` }),
    why: 'a spot job resumes from its checkpoints',
  },
  object(
    'training-job',
    'SageMaker: read a checkpoint',
    's3:GetObject',
    `models/${DATASET}/job/checkpoints/c1`,
    'a spot job resumes from its checkpoints',
  ),
  // CloudWatch Logs authorizes log-group actions on the ARN with a trailing `:*`.
  {
    caller: 'training-job',
    call: 'SageMaker: logs',
    action: 'logs:CreateLogGroup',
    resource: (n) => trainingLogs(n, ':*'),
    why: "the job's log group",
  },
  {
    caller: 'training-job',
    call: 'SageMaker: logs',
    action: 'logs:DescribeLogStreams',
    resource: (n) => trainingLogs(n, ':*'),
    why: "the job's log streams",
  },
  ...(['logs:CreateLogStream', 'logs:PutLogEvents'] as const).map(
    (action): IamCall => ({
      caller: 'training-job',
      call: 'SageMaker: logs',
      action,
      resource: (n) => trainingLogs(n, `:log-stream:${job(n)}/algo-1-1767225600`),
      why: "the job's log stream",
    }),
  ),
  {
    caller: 'training-job',
    call: 'SageMaker: metrics',
    action: 'cloudwatch:PutMetricData',
    resource: () => '*',
    context: () => ({ 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' }),
    why: "the job's metrics",
  },
  {
    caller: 'training-job',
    call: 'SageMaker: pull the image',
    action: 'ecr:GetAuthorizationToken',
    resource: () => '*',
    why: 'logs in to the image registry',
  },
  ...(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const).map(
    (action): IamCall => ({
      caller: 'training-job',
      call: 'SageMaker: pull the image',
      action,
      resource: (n) => `arn:${n.partition}:ecr:${n.region}:${ECR_IMAGE_ACCOUNT}:repository/linear-learner`,
      why: 'pulls a built-in algorithm image from its AWS account',
    }),
  ),
];

/** The alert function: reads the failure queue through its event source mapping and notifies once. */
const alertCalls: IamCall[] = [
  ...(['logs:CreateLogStream', 'logs:PutLogEvents'] as const).map(
    (action): IamCall => ({
      caller: 'alert',
      call: 'Lambda: logs',
      action,
      resource: (n) => lambdaLogStream(n, 'alert'),
      why: "Lambda writes the function's log stream with its role",
    }),
  ),
  ...(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'] as const).map(
    (action): IamCall => ({
      caller: 'alert',
      call: 'Lambda: event source mapping',
      action,
      resource: (n) => n.failureQueueArn,
      why: 'Lambda polls the failure queue for the function with its role (it deletes nothing: the function hands every message back)',
    }),
  ),
  {
    caller: 'alert',
    call: 'PutEvents',
    action: 'events:PutEvents',
    resource: (n) => `arn:${n.partition}:events:${n.region}:${n.account}:event-bus/default`,
    context: () => ({ 'events:source': ['sagedrop'], 'events:detail-type': ['Pipeline Event Failed'] }),
    why: 'the Pipeline Event Failed event (source sagedrop)',
  },
  {
    caller: 'alert',
    call: 'Publish',
    action: 'sns:Publish',
    resource: (n) => n.topicArn,
    why: 'the email of a failed event',
  },
  ...(['PutObject', 'HeadObject', 'GetObject'] as const).map(
    (call): IamCall => ({
      caller: 'alert',
      call,
      action: call === 'PutObject' ? 's3:PutObject' : 's3:GetObject',
      resource: (n) => s3(n, keys.notification(DATASET, 'failed-e4b46cbf-b738-4a1e-8880-a18cdf61200e')),
      why: 'the sent-once record of a failure notification',
    }),
  ),
];

/** The whole table. */
export const IAM_CALLS: readonly IamCall[] = [
  ...mergeCalls,
  ...trainCalls,
  ...completeCalls,
  ...scoringCalls,
  ...evaluateCalls,
  ...predictCalls,
  ...endpointCalls,
  ...alertCalls,
  ...trainingJobCalls,
  ...transformJobCalls,
  ...predictionJobCalls,
];

/**
 * Commands the adapters can send that no function sends, and who does. A
 * function that starts sending one needs a row (and a grant) instead.
 */
export const NOT_SENT_BY_FUNCTIONS: Readonly<Record<string, string>> = {
  ListObjectsV2: "only `sagedrop status` lists, with the user's own credentials",
};

/** The sample dataset and run the rows use, for must-deny cases built beside them. */
export const SAMPLE = { dataset: DATASET, run: RUN, job, group, stackNamePrefix } as const;
