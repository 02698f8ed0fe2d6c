import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBundle, loadBundle } from '../../../bench/support/bundles';
import { packageStack, type StackPackage, warningLines } from '../../../bench/support/stack-package';
import { readZip } from '../../../bench/support/zip';
import { bucketArn, dataBucket } from './check-bucket';
import { environmentOf, FUNCTIONS, REQUIRED_ENVIRONMENT } from './check-functions';
import { checkTemplate } from './check-template';
import { EXPECTED_S3_TRIGGERS, s3Triggers, trainingJobPattern } from './check-triggers';
import { type Json, record, roleStatements, TemplateView } from './template-model';

let stack: StackPackage;
let view: TemplateView;
let work: string;

// Packaging takes seconds: once for the whole file, template and bundles alike.
beforeAll(async () => {
  stack = await packageStack({ stage: 'ci', region: 'eu-west-1' });
  view = new TemplateView(stack.template);
  work = mkdtempSync(join(tmpdir(), 'sagedrop-bundle-test-'));
});

afterAll(() => {
  stack?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** S3 grants of a function's role as `action -> keys`, with the bucket ARN left out. */
function s3Grants(fn: string): Record<string, string[]> {
  const functionResource = view.functions().get(fn);
  const role = functionResource && view.roleOf(functionResource);
  const bucket = dataBucket(view);
  if (!role || !bucket) throw new Error(`no role or bucket for ${fn}`);
  const arn = bucketArn(bucket);
  const grants: Record<string, string[]> = {};
  for (const statement of roleStatements(role)) {
    for (const action of statement.actions.filter((candidate) => candidate.startsWith('s3:'))) {
      const keys = statement.resources.map((resource) =>
        resource === arn ? '(bucket)' : resource.replace(`${arn}/`, ''),
      );
      grants[action] = [...(grants[action] ?? []), ...keys].sort();
    }
  }
  return grants;
}

describe('sls package', () => {
  it('packages offline, without credentials, and prints no warning', () => {
    expect(stack.output).toContain('Service packaged');
    expect(warningLines(stack.output)).toEqual([]);
  });

  it('writes a template with no protection missing', () => {
    expect(checkTemplate(stack.template)).toEqual([]);
  });

  it('triggers merge on raw/ and train on train/**/manifest.json, for every kind of object creation', () => {
    expect(s3Triggers(view)).toEqual(EXPECTED_S3_TRIGGERS);
  });

  it("invokes complete only for terminal states of this stack's training jobs", () => {
    const [rule] = view.ofType('AWS::Events::Rule');
    expect(rule?.properties.EventPattern).toEqual(trainingJobPattern('sagedrop-ci'));
    expect(environmentOf(view, 'complete').JOB_PREFIX).toBe('sagedrop-ci');
  });

  it('runs every function on nodejs22.x with the whole configuration in its environment', () => {
    for (const fn of FUNCTIONS) {
      const resource = view.functions().get(fn);
      expect(resource?.properties.Runtime).toBe('nodejs22.x');
      expect(Object.keys(environmentOf(view, fn))).toEqual(expect.arrayContaining([...REQUIRED_ENVIRONMENT]));
    }
  });

  it('gives merge time rather than memory, since it streams', () => {
    const merge = view.functions().get('merge');
    expect(merge?.properties.Timeout).toBe(900);
    expect(Number(merge?.properties.MemorySize)).toBeLessThanOrEqual(1024);
  });

  it('lets each function reach exactly the bucket prefixes its stage uses', () => {
    expect(s3Grants('merge')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['errors/*', 'notifications/*', 'raw/*', 'train/*'],
      's3:GetObjectVersion': ['raw/*'],
      's3:PutObject': ['errors/*', 'notifications/*', 'train/*'],
      's3:AbortMultipartUpload': ['errors/*', 'notifications/*', 'train/*'],
      's3:DeleteObject': ['train/*/_inputs/*'],
    });
    expect(s3Grants('train')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['notifications/*', 'train/*'],
      's3:PutObject': ['notifications/*'],
    });
    expect(s3Grants('complete')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['catalog/*', 'models/*', 'notifications/*', 'train/*'],
      's3:GetObjectVersion': ['catalog/*'],
      's3:PutObject': ['catalog/*', 'notifications/*'],
    });
  });

  it('outputs what a user needs after deploying', () => {
    expect(Object.keys(record(record(stack.template).Outputs))).toEqual(
      expect.arrayContaining(['BucketName', 'TopicArn', 'FailureQueueUrl', 'SageMakerRoleArn']),
    );
  });
});

type Mutation = [protection: string, mutate: (template: Json) => void, violation: string];

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

const MUTATIONS: Mutation[] = [
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
        .find((resource) => resource.Type === 'AWS::Events::Rule');
      delete record(record(record(rule).Properties).EventPattern).detail;
    },
    'triggers: the rule for complete must match terminal states of jobs named "sagedrop-ci-*" only',
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
];

describe('a template missing one protection', () => {
  it.each(MUTATIONS)('fails the check without %s', (_protection, mutate, violation) => {
    const broken = structuredClone(stack.template) as Json;
    mutate(broken);
    expect(checkTemplate(broken)).toContainEqual(expect.stringContaining(violation));
  });
});

describe.each(FUNCTIONS)('the %s bundle', (fn) => {
  it('is one minified file with its dependencies, the AWS SDK included, and no source map', () => {
    const zip = stack.zips.get(fn);
    expect(zip).toBeDefined();
    const files = [...readZip(zip as string).keys()];
    expect(files).toEqual([`handlers/${fn}.js`]);
  });

  it('loads in a fresh node without any AWS configuration and exports a handler function', () => {
    const file = extractBundle(stack.zips.get(fn) as string, join(work, fn), fn);
    const result = loadBundle(file);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.handlerType).toBe('function');
  });
});
