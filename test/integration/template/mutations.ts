import { type Json, record } from './template-model';

/** A protection, how to remove it from a template, and the violation that must then be reported. */
export type Mutation = [protection: string, mutate: (template: Json) => void, violation: string];

function properties(template: Json, id: string): Json {
  return record(record(record(template.Resources)[id]).Properties);
}

function policyStatements(template: Json, roleId: string): Json[] {
  const [policy] = properties(template, roleId).Policies as Json[];
  return record(policy?.PolicyDocument).Statement as Json[];
}

function statementOf(template: Json, roleId: string, sid: string): Json {
  const statement = policyStatements(template, roleId).find((candidate) => candidate.Sid === sid);
  if (!statement) throw new Error(`${roleId} has no statement ${sid}`);
  return statement;
}

function bucketTriggers(template: Json): Json[] {
  return record(properties(template, 'DataBucket').NotificationConfiguration).LambdaConfigurations as Json[];
}

export const MUTATIONS: Mutation[] = [
  [
    'default encryption',
    (t) => delete properties(t, 'DataBucket').BucketEncryption,
    'bucket: no default encryption',
  ],
  [
    'keeping the bucket when the stack is removed',
    (t) => delete record(record(t.Resources).DataBucket).DeletionPolicy,
    'bucket: removing the stack would delete the users',
  ],
  [
    'one public access block flag',
    (t) => {
      record(properties(t, 'DataBucket').PublicAccessBlockConfiguration).RestrictPublicBuckets = false;
    },
    'bucket: public access block RestrictPublicBuckets is not true',
  ],
  [
    'the TLS-only bucket policy',
    (t) => {
      const document = record(properties(t, 'DataBucketPolicy').PolicyDocument);
      document.Statement = (document.Statement as Json[]).filter((s) => s.Sid !== 'DenyInsecureTransport');
    },
    'bucket: no bucket policy denying requests without TLS',
  ],
  [
    'versioning',
    (t) => {
      properties(t, 'DataBucket').VersioningConfiguration = { Status: 'Suspended' };
    },
    'bucket: versioning is not enabled',
  ],
  [
    'the abort-multipart lifecycle rule',
    (t) => {
      const lifecycle = record(properties(t, 'DataBucket').LifecycleConfiguration);
      lifecycle.Rules = (lifecycle.Rules as Json[]).filter((rule) => !rule.AbortIncompleteMultipartUpload);
    },
    'bucket: no lifecycle rule aborting incomplete multipart uploads',
  ],
  [
    'keeping user uploads forever',
    (t) => {
      const lifecycle = record(properties(t, 'DataBucket').LifecycleConfiguration);
      (lifecycle.Rules as Json[]).push({
        Id: 'tidy',
        Status: 'Enabled',
        Prefix: 'raw/',
        ExpirationInDays: 30,
      });
    },
    'expires user uploads under raw/',
  ],
  [
    'the PassedToService condition',
    (t) => delete statementOf(t, 'TrainFunctionRole', 'PassOnlyTheTrainingRoleToSageMaker').Condition,
    'iam:PassedToService = sagemaker.amazonaws.com',
  ],
  [
    'PassRole limited to the SageMaker role',
    (t) => {
      statementOf(t, 'TrainFunctionRole', 'PassOnlyTheTrainingRoleToSageMaker').Resource = {
        'Fn::GetAtt': ['MergeFunctionRole', 'Arn'],
      };
    },
    'may pass roles other than the SageMaker execution role',
  ],
  [
    'the on-failure destination',
    (t) => delete properties(t, 'TrainLambdaEvConf').DestinationConfig,
    'functions: train has no on-failure destination queue',
  ],
  [
    'non-overlapping trigger filters',
    (t) => {
      const train = bucketTriggers(t)[1] as Json;
      train.Filter = { S3Key: { Rules: [{ Name: 'prefix', Value: 'raw/' }] } };
    },
    'triggers: merge (prefix "raw/", suffix "") overlaps train (prefix "raw/", suffix "")',
  ],
  [
    'the manifest suffix on the train trigger',
    (t) => {
      const train = bucketTriggers(t)[1] as Json;
      train.Filter = { S3Key: { Rules: [{ Name: 'prefix', Value: 'train/' }] } };
    },
    'triggers: train is not triggered by s3:ObjectCreated:* with prefix "train/" and suffix "manifest.json"',
  ],
  [
    'every kind of object creation on the merge trigger',
    (t) => {
      (bucketTriggers(t)[0] as Json).Event = 's3:ObjectCreated:Put';
    },
    'triggers: merge is not triggered by s3:ObjectCreated:*',
  ],
  [
    'the job-name prefix filter of the rule',
    (t) => {
      const rule = Object.values(record(t.Resources))
        .map(record)
        .find(
          (resource) =>
            resource.Type === 'AWS::Events::Rule' &&
            JSON.stringify(record(resource.Properties).EventPattern).includes('Training Job State Change'),
        );
      delete record(record(record(rule).Properties).EventPattern).detail;
    },
    'triggers: the rule for complete must match terminal states of jobs named "sagedrop-ci--*" only',
  ],
  [
    'no write under a function’s own trigger',
    (t) => {
      const statement = statementOf(t, 'MergeFunctionRole', 'WriteRunsReportsAndNotificationRecords');
      (statement.Resource as unknown[]).push({
        'Fn::Sub': `arn:\${AWS::Partition}:s3:::sagedrop-ci-\${AWS::AccountId}-\${AWS::Region}/raw/*`,
      });
    },
    'triggers: merge can write under "raw/" which triggers it',
  ],
  [
    'specific actions',
    (t) => {
      statementOf(t, 'CompleteFunctionRole', 'Notify').Action = '*';
    },
    'iam: CompleteFunctionRole Notify grants the action *',
  ],
  [
    'no whole-service grants',
    (t) => {
      statementOf(t, 'MergeFunctionRole', 'ReadUploads').Action = 's3:*';
    },
    'iam: MergeFunctionRole ReadUploads grants the action s3:*',
  ],
  [
    'specific resources',
    (t) => {
      statementOf(t, 'TrainFunctionRole', 'Notify').Resource = '*';
    },
    'iam: TrainFunctionRole Notify grants sns:Publish on resource *',
  ],
  [
    'this account only',
    (t) => {
      statementOf(t, 'CompleteFunctionRole', 'Notify').Resource = {
        'Fn::Sub': `arn:\${AWS::Partition}:sns:\${AWS::Region}:*:sagedrop-ci`,
      };
    },
    'iam: CompleteFunctionRole Notify grants sns:Publish in any account',
  ],
  [
    'the namespace condition on training metrics',
    (t) => delete statementOf(t, 'SageMakerExecutionRole', 'TrainingMetrics').Condition,
    'cloudwatch:PutMetricData without a cloudwatch:namespace condition',
  ],
  [
    'the SageMaker role’s S3 scope',
    (t) => {
      statementOf(t, 'SageMakerExecutionRole', 'ReadTrainingData').Resource = {
        'Fn::Sub': `arn:\${AWS::Partition}:s3:::sagedrop-ci-\${AWS::AccountId}-\${AWS::Region}/*`,
      };
    },
    'lets SageMaker s3:GetObject on',
  ],
  [
    'inline, reviewable policies',
    (t) => {
      properties(t, 'SageMakerExecutionRole').ManagedPolicyArns = [
        'arn:aws:iam::aws:policy/AmazonSageMakerFullAccess',
      ];
    },
    'iam: SageMakerExecutionRole attaches managed policy',
  ],
  [
    'one role per function',
    (t) => {
      properties(t, 'TrainLambdaFunction').Role = { 'Fn::GetAtt': ['MergeFunctionRole', 'Arn'] };
    },
    'iam: train shares MergeFunctionRole with merge',
  ],
  [
    'the nodejs22.x runtime',
    (t) => {
      properties(t, 'CompleteLambdaFunction').Runtime = 'nodejs20.x';
    },
    'functions: complete runs nodejs20.x, not nodejs22.x',
  ],
  [
    'the functions’ configuration',
    (t) => delete record(record(properties(t, 'MergeLambdaFunction').Environment).Variables).TOPIC_ARN,
    'functions: merge lacks the environment variable TOPIC_ARN',
  ],
  [
    'the rule’s dead-letter queue',
    (t) => {
      const rule = Object.values(record(t.Resources))
        .map(record)
        .find((resource) => resource.Type === 'AWS::Events::Rule');
      delete record((record(record(rule).Properties).Targets as Json[])[0]).DeadLetterConfig;
    },
    'triggers: the rule for complete has no dead-letter queue',
  ],
  [
    'the alert function handing every failed event back',
    (t) => delete properties(t, 'AlertEventSourceMappingSQSFailureQueue').FunctionResponseTypes,
    'failure-loop: AlertEventSourceMappingSQSFailureQueue does not report batch item failures',
  ],
  [
    'the failure queue’s move to the redrive queue',
    (t) => delete properties(t, 'FailureQueue').RedrivePolicy,
    'failure-loop: FailureQueue has no redrive queue',
  ],
  [
    'a redrive queue only the CLI reads',
    (t) => {
      properties(t, 'AlertEventSourceMappingSQSFailureQueue').EventSourceArn = {
        'Fn::GetAtt': ['RedriveQueue', 'Arn'],
      };
    },
    'failure-loop: AlertEventSourceMappingSQSFailureQueue makes AlertLambdaFunction consume RedriveQueue',
  ],
];
