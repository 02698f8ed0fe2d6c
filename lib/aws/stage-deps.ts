import { S3Client } from '@aws-sdk/client-s3';
import { createLogger, type Logger } from '../logger';
import type { Notifier, ObjectStore } from '../ports';
import type { Config } from '../settings/config';
import { createDefaultNotifier } from './notifier';
import { createS3Store } from './s3-store';

/** What every stage gets on AWS, whatever else it needs. */
export interface AwsBaseDeps {
  config: Config;
  store: ObjectStore;
  notifier: Notifier;
  logger: Logger;
}

/**
 * The adapters every function uses on AWS: the stack's bucket, SNS and
 * EventBridge for notifications, and JSON log lines at the configured level.
 * A handler adds what its stage needs besides (SageMaker, the registry).
 */
export function awsBaseDeps(config: Config): AwsBaseDeps {
  return {
    config,
    store: createS3Store(new S3Client({ region: config.region }), config.bucket),
    notifier: createDefaultNotifier(config.region, config.topicArn, config.eventBusName),
    logger: createLogger({ level: config.logLevel }),
  };
}
