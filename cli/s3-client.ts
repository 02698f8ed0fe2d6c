import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from '../lib/local/s3-server';
import { UsageError } from './command';

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname);
}

/**
 * How to reach the bucket: with `--endpoint` on loopback, the local server
 * (`sagedrop serve`) with its fixed credentials and path-style URLs; with
 * another endpoint or none, S3 itself through the SDK's default credential chain.
 */
export function s3ClientConfig(endpoint: string | undefined, region: string | undefined): S3ClientConfig {
  const config: S3ClientConfig = {};
  if (region) config.region = region;
  if (endpoint === undefined) return config;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint ${endpoint}: not a URL (e.g. http://127.0.0.1:4569)`);
  }
  config.endpoint = endpoint;
  if (isLoopback(url)) {
    config.forcePathStyle = true;
    config.credentials = { ...LOCAL_CREDENTIALS };
    config.region = region ?? 'us-east-1';
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  return config;
}
