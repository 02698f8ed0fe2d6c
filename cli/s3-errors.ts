import { UsageError } from './command';

const FIND_BUCKET =
  'find the bucket of a deployed stack with: aws cloudformation describe-stacks --stack-name sagedrop-<stage> --query "Stacks[0].Outputs[?OutputKey==\'BucketName\'].OutputValue" --output text';

/** An S3 client error as one line saying what to do. */
export function explainS3Error(error: unknown, bucket: string, endpoint: string | undefined): Error {
  const name = (error as { name?: string }).name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (name === 'NoSuchBucket' || (status === 404 && /bucket/i.test(message))) {
    return new UsageError(
      `bucket ${bucket} does not exist${endpoint ? ` at ${endpoint}` : ''}; ${FIND_BUCKET}`,
      1,
    );
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new UsageError(
      'no AWS credentials found: run `aws configure` (or `aws sso login`), or pass --endpoint for a local server',
      1,
    );
  }
  if (/region is missing/i.test(message)) {
    return new UsageError('no AWS region configured: pass --region (e.g. --region us-east-1)', 1);
  }
  if (name === 'AccessDenied' || status === 403) {
    return new UsageError(
      `access denied to bucket ${bucket}: your credentials need s3:PutObject/ListBucket on it`,
      1,
    );
  }
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') {
    return new UsageError(
      `nothing is listening at ${endpoint ?? 'the endpoint'}: is \`sagedrop serve\` running?`,
      1,
    );
  }
  return new UsageError(`${name && name !== 'Error' ? `${name}: ` : ''}${message}`, 1);
}

export { FIND_BUCKET };
