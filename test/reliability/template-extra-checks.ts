import {
  list,
  type Resource,
  record,
  render,
  statements,
  type TemplateView,
} from '../integration/template/template-model';

/**
 * Resource types some check looks at: those of `checkTemplate`
 * (test/integration/template) and those of this file. A resource of any other
 * type is a protection nobody checks yet.
 */
export const CHECKED_TYPES: Record<string, string> = {
  'AWS::S3::Bucket': 'checkBucket (data bucket), checkEveryBucket (all buckets)',
  'AWS::S3::BucketPolicy': 'checkBucket (TLS only), checkEveryBucket',
  'AWS::Lambda::Function': 'checkFunctions',
  'AWS::Lambda::EventInvokeConfig': 'checkFunctions (retries, on-failure queue)',
  'AWS::Lambda::Permission': 'checkTriggers (S3), checkPermissions (every principal)',
  'AWS::IAM::Role': 'checkIam',
  'AWS::SNS::Topic': 'checkFunctions (encryption)',
  'AWS::SNS::Subscription': 'checkFunctions (email only when set)',
  'AWS::SQS::Queue': 'checkFunctions (encryption, retention)',
  'AWS::SQS::QueuePolicy': 'checkQueuePolicies',
  'AWS::Events::Rule': 'checkTriggers (pattern, dead-letter queue)',
  'AWS::Logs::LogGroup': 'checkLogGroups',
  'AWS::Lambda::EventSourceMapping': 'checkFailureLoop (the alert function never keeps a failed event)',
};

/** Resources whose type no check covers. */
export function checkCoverage(view: TemplateView): string[] {
  return view.resources
    .filter((resource) => CHECKED_TYPES[resource.type] === undefined)
    .map((resource) => `coverage: no security check covers ${resource.type} ${resource.id}: add one`);
}

/** Every function logs to its own group, kept a bounded number of days. */
export function checkLogGroups(view: TemplateView): string[] {
  const problems: string[] = [];
  const groups = new Map(
    view.ofType('AWS::Logs::LogGroup').map((group) => [render(group.properties.LogGroupName), group]),
  );
  for (const [name, fn] of view.functions()) {
    const functionName = render(fn.properties.FunctionName);
    const group = groups.get(`/aws/lambda/${functionName}`);
    if (!group) {
      problems.push(`logs: ${name} has no log group of the stack (its logs would be kept forever)`);
      continue;
    }
    const days = Number(group.properties.RetentionInDays);
    if (!Number.isInteger(days) || days < 1 || days > 3653) {
      problems.push(
        `logs: ${group.id} keeps logs ${String(group.properties.RetentionInDays ?? 'forever')}, not a bounded number of days`,
      );
    }
  }
  return problems;
}

function deniesPlainHttp(policyDocument: unknown, resource: string): boolean {
  return statements(policyDocument).some(
    (statement) =>
      statement.effect === 'Deny' &&
      statement.resources.includes(resource) &&
      String(record(statement.condition.Bool)['aws:SecureTransport']) === 'false',
  );
}

/** The failure queue takes messages over TLS only, and only from this stack's rule. */
export function checkQueuePolicies(view: TemplateView): string[] {
  const problems: string[] = [];
  for (const queue of view.ofType('AWS::SQS::Queue')) {
    const arn = `\${${queue.id}.Arn}`;
    const policies = view
      .ofType('AWS::SQS::QueuePolicy')
      .filter((policy) => list(policy.properties.Queues).some((q) => render(q) === `\${${queue.id}}`));
    const documents = policies.map((policy) => policy.properties.PolicyDocument);
    if (!documents.some((document) => deniesPlainHttp(document, arn))) {
      problems.push(`queues: ${queue.id} accepts requests without TLS (no aws:SecureTransport deny)`);
    }
    for (const statement of documents.flatMap((document) => statements(document))) {
      if (statement.effect !== 'Allow') continue;
      const scoped =
        record(statement.condition.ArnEquals)['aws:SourceArn'] ??
        record(statement.condition.ArnLike)['aws:SourceArn'];
      if (scoped === undefined) {
        problems.push(
          `queues: ${queue.id} lets ${statement.sid || 'a statement'} send without naming the source (aws:SourceArn)`,
        );
      }
    }
  }
  return problems;
}

/** Every bucket, the framework's deployment bucket included, is encrypted, private and TLS-only. */
export function checkEveryBucket(view: TemplateView): string[] {
  const problems: string[] = [];
  for (const bucket of view.ofType('AWS::S3::Bucket')) {
    const encryption = list(record(bucket.properties.BucketEncryption).ServerSideEncryptionConfiguration);
    if (encryption.length === 0) problems.push(`buckets: ${bucket.id} is not encrypted`);
    const block = record(bucket.properties.PublicAccessBlockConfiguration);
    const flags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];
    if (!flags.every((flag) => block[flag] === true || block[flag] === 'true')) {
      problems.push(`buckets: ${bucket.id} does not block public access`);
    }
    const policies = view
      .ofType('AWS::S3::BucketPolicy')
      .filter((policy) => render(policy.properties.Bucket) === `\${${bucket.id}}`);
    const tls = policies.some((policy) =>
      statements(policy.properties.PolicyDocument).some(
        (statement) =>
          statement.effect === 'Deny' &&
          String(record(statement.condition.Bool)['aws:SecureTransport']) === 'false',
      ),
    );
    if (!tls) problems.push(`buckets: ${bucket.id} accepts requests without TLS`);
  }
  return problems;
}

/** A function may be invoked by a service only for one named source (no confused deputy). */
export function checkPermissions(view: TemplateView): string[] {
  const problems: string[] = [];
  const rules = view.ofType('AWS::Events::Rule');
  for (const permission of view.ofType('AWS::Lambda::Permission')) {
    const principal = render(permission.properties.Principal);
    const source = permission.properties.SourceArn;
    if (source === undefined) {
      problems.push(`permissions: ${permission.id} lets ${principal} invoke without a SourceArn`);
      continue;
    }
    if (principal === 'events.amazonaws.com') {
      const arn = render(source);
      const named = rules.some((rule: Resource) => arn.endsWith(`:rule/${render(rule.properties.Name)}`));
      if (!named)
        problems.push(
          `permissions: ${permission.id} lets EventBridge invoke for ${arn}, not this stack's rule`,
        );
    }
  }
  return problems;
}

/** Everything this file checks, for the compiled template. */
export function checkExtraProtections(view: TemplateView): string[] {
  return [
    ...checkCoverage(view),
    ...checkLogGroups(view),
    ...checkQueuePolicies(view),
    ...checkEveryBucket(view),
    ...checkPermissions(view),
  ];
}
