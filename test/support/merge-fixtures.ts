import { silentLogger } from '../../lib/logger';
import type { PipelineEvent } from '../../lib/notifications/events';
import type { Notifier, ObjectStore } from '../../lib/ports';
import type { Config } from '../../lib/settings/config';
import { readDefaults } from '../../lib/settings/config';
import type { MergeDeps } from '../../lib/stages/deps';

/** A Notifier that keeps what it was asked to send. */
export function recordingNotifier(): Notifier & { sent: PipelineEvent[] } {
  const sent: PipelineEvent[] = [];
  return {
    sent,
    async notify(event) {
      sent.push(event);
    },
  };
}

export function testConfig(bucket = 'test-bucket'): Config {
  return {
    region: 'us-east-1',
    bucket,
    jobPrefix: 'sagedrop-test',
    stackName: 'sagedrop-test',
    sagemakerRoleArn: 'arn:aws:iam::123456789012:role/sagemaker',
    topicArn: 'arn:aws:sns:us-east-1:123456789012:sagedrop',
    eventBusName: 'default',
    registerModels: false,
    defaults: readDefaults({}),
    logLevel: 'error',
  };
}

export function mergeDeps(store: ObjectStore, bucket?: string) {
  const notifier = recordingNotifier();
  const deps: MergeDeps = { config: testConfig(bucket), store, notifier, logger: silentLogger };
  return { deps, notifier };
}

/** `rows` lines of `features` numeric columns, and their labels (0/1), without headers. */
export function numericDataset(rows: number, features: number): { x: string; y: string } {
  const x: string[] = [];
  const y: string[] = [];
  for (let i = 0; i < rows; i++) {
    x.push(Array.from({ length: features }, (_, j) => ((i * 31 + j * 7) % 97) / 10).join(','));
    y.push(String(i % 2));
  }
  return { x: `${x.join('\n')}\n`, y: `${y.join('\n')}\n` };
}
