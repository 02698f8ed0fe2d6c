import { type Config, readDefaults } from '../../lib/settings/config';
import type { SettingsDefaults } from '../../lib/settings/dataset';

/** What a test may change in {@link makeConfig}; `defaults` are merged into the stack defaults. */
export type ConfigOverrides = Partial<Omit<Config, 'defaults'>> & { defaults?: Partial<SettingsDefaults> };

/**
 * The configuration of a deployed test stack (`sagedrop-dev` in eu-west-1,
 * account 123456789012) with the stack defaults of serverless.yml, except
 * that own training images are allowed so that tests reach the image checks
 * (tests of the refusal turn it off). Model registration is off unless asked.
 */
export function makeConfig(overrides: ConfigOverrides = {}): Config {
  const { defaults, ...rest } = overrides;
  return {
    region: 'eu-west-1',
    bucket: 'sagedrop-data-123456789012',
    jobPrefix: 'sagedrop-dev',
    stackName: 'sagedrop-dev',
    sagemakerRoleArn: 'arn:aws:iam::123456789012:role/sagedrop-dev-sagemaker',
    topicArn: 'arn:aws:sns:eu-west-1:123456789012:sagedrop-dev',
    eventBusName: 'default',
    registerModels: false,
    logLevel: 'error',
    ...rest,
    defaults: { ...readDefaults({}), allowCustomImages: true, ...defaults },
  };
}

/** The test stack's configuration as {@link makeConfig} builds it. */
export const testConfig: Config = makeConfig();
