import { UnavailableError } from './command';

/** Prints the bucket name of a deployed stack. */
export const FIND_BUCKET_COMMAND =
  'aws cloudformation describe-stacks --stack-name sagedrop-<stage> --query "Stacks[0].Outputs[?OutputKey==\'BucketName\'].OutputValue" --output text';
export const FIND_BUCKET = `find the bucket of a deployed stack with: ${FIND_BUCKET_COMMAND}`;

/**
 * An S3 client or network error as one line saying what to do. Anything else
 * (a bug, not the bucket) comes back unchanged.
 */
export function explainS3Error(error: unknown, bucket: string, endpoint: string | undefined): Error {
  const name = (error as { name?: string }).name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const unavailable = (text: string) => new UnavailableError(text, { cause: error });
  if (name === 'NoSuchBucket' || (status === 404 && /bucket/i.test(message))) {
    return unavailable(`bucket ${bucket} does not exist${endpoint ? ` at ${endpoint}` : ''}; ${FIND_BUCKET}`);
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return unavailable(
      'no AWS credentials found: run `aws configure` (or `aws sso login`), or pass --endpoint for a local server',
    );
  }
  if (/region is missing/i.test(message)) {
    return unavailable('no AWS region configured: pass --region (e.g. --region us-east-1)');
  }
  if (name === 'AccessDenied' || status === 403) {
    return unavailable(
      `access denied to bucket ${bucket}: your credentials need s3:PutObject/ListBucket on it`,
    );
  }
  const code = (error as { code?: string }).code;
  if (code === 'ECONNREFUSED') {
    return unavailable(
      `nothing is listening at ${endpoint ?? 'the endpoint'}: is \`sagedrop serve\` running?`,
    );
  }
  const fromS3 = typeof error === 'object' && error !== null && ('$metadata' in error || 'syscall' in error);
  return fromS3 ? unavailable(`${name && name !== 'Error' ? `${name}: ` : ''}${message}`) : (error as Error);
}
