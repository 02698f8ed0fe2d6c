import { list, type Resource, record, render, statements, type TemplateView } from './template-model';

/** The pipeline's bucket: the one whose notifications trigger functions. */
export function dataBucket(view: TemplateView): Resource | undefined {
  return view
    .ofType('AWS::S3::Bucket')
    .find((bucket) => list(record(bucket.properties.NotificationConfiguration).LambdaConfigurations).length);
}

export function bucketArn(bucket: Resource): string {
  return `arn:\${AWS::Partition}:s3:::${render(bucket.properties.BucketName)}`;
}

function checkEncryption(bucket: Resource): string[] {
  const rules = list(record(bucket.properties.BucketEncryption).ServerSideEncryptionConfiguration);
  const encrypted = rules.some((rule) => {
    const algorithm = record(record(rule).ServerSideEncryptionByDefault).SSEAlgorithm;
    return algorithm === 'AES256' || algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse';
  });
  return encrypted ? [] : ['bucket: no default encryption (BucketEncryption with AES256 or aws:kms)'];
}

const PUBLIC_ACCESS_FLAGS = [
  'BlockPublicAcls',
  'BlockPublicPolicy',
  'IgnorePublicAcls',
  'RestrictPublicBuckets',
];

function checkPublicAccess(bucket: Resource): string[] {
  const block = record(bucket.properties.PublicAccessBlockConfiguration);
  return PUBLIC_ACCESS_FLAGS.filter((flag) => block[flag] !== true).map(
    (flag) => `bucket: public access block ${flag} is not true`,
  );
}

function checkVersioning(bucket: Resource): string[] {
  return record(bucket.properties.VersioningConfiguration).Status === 'Enabled'
    ? []
    : ['bucket: versioning is not enabled (an overwrite would lose the earlier upload)'];
}

function rulePrefix(rule: Record<string, unknown>): string {
  const filter = record(rule.Filter);
  return String(rule.Prefix ?? filter.Prefix ?? record(filter.And).Prefix ?? '');
}

function checkLifecycle(bucket: Resource): string[] {
  const rules = list(record(bucket.properties.LifecycleConfiguration).Rules).map(record);
  const enabled = rules.filter((rule) => rule.Status === 'Enabled');
  const problems: string[] = [];
  const aborts = enabled.some((rule) => {
    const days = Number(record(rule.AbortIncompleteMultipartUpload).DaysAfterInitiation);
    return rulePrefix(rule) === '' && days >= 1 && days <= 7;
  });
  if (!aborts) {
    problems.push('bucket: no lifecycle rule aborting incomplete multipart uploads (whole bucket, 1-7 days)');
  }
  for (const rule of enabled) {
    const expires = rule.ExpirationInDays !== undefined || rule.NoncurrentVersionExpiration !== undefined;
    const prefix = rulePrefix(rule);
    if (expires && ('raw/'.startsWith(prefix) || prefix.startsWith('raw/'))) {
      problems.push(`bucket: lifecycle rule ${String(rule.Id)} expires user uploads under raw/`);
    }
  }
  return problems;
}

function checkTlsOnly(view: TemplateView, bucket: Resource): string[] {
  const arn = bucketArn(bucket);
  const policies = view
    .ofType('AWS::S3::BucketPolicy')
    .filter((policy) => render(policy.properties.Bucket) === `\${${bucket.id}}`);
  const deniesPlainHttp = policies
    .flatMap((policy) => statements(policy.properties.PolicyDocument))
    .some(
      (statement) =>
        statement.effect === 'Deny' &&
        statement.actions.includes('s3:*') &&
        statement.resources.includes(arn) &&
        statement.resources.includes(`${arn}/*`) &&
        String(record(statement.condition.Bool)['aws:SecureTransport']) === 'false',
    );
  return deniesPlainHttp
    ? []
    : ['bucket: no bucket policy denying requests without TLS (aws:SecureTransport)'];
}

/** Encryption, public access block, TLS-only policy, versioning and lifecycle of the data bucket. */
export function checkBucket(view: TemplateView): string[] {
  const bucket = dataBucket(view);
  if (!bucket) return ['bucket: no bucket with function notifications in the template'];
  const retained =
    bucket.deletionPolicy === 'Retain'
      ? []
      : ["bucket: removing the stack would delete the users' data (DeletionPolicy Retain)"];
  return [
    ...retained,
    ...checkEncryption(bucket),
    ...checkPublicAccess(bucket),
    ...checkTlsOnly(view, bucket),
    ...checkVersioning(bucket),
    ...checkLifecycle(bucket),
  ];
}
