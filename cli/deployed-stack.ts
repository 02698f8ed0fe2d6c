import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
} from '@aws-sdk/client-cloudformation';
import { UnavailableError } from './command';

/** What the redrive and status commands need of a deployed stage, read from its CloudFormation stack. */
export interface DeployedStack {
  stackName: string;
  region?: string;
  bucket?: string;
  /** Where failed events arrive; the alert function reports each, then SQS moves it on. */
  failureQueueUrl?: string;
  /** Where failed events wait for `sagedrop redrive`. */
  redriveQueueUrl?: string;
  /** Physical names of the stack's Lambda functions: the only ones a redrive invokes. */
  functions: Set<string>;
}

/** The stack serverless deploys for a stage: `<service>-<stage>`. */
export function stackNameOf(stage: string): string {
  return `sagedrop-${stage}`;
}

function explainCloudFormationError(error: unknown, stackName: string, region: string | undefined): Error {
  const name = (error as { name?: string }).name ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const where = region ? ` in ${region}` : '';
  if (/does not exist/i.test(message)) {
    return new UnavailableError(
      `no stack ${stackName}${where}: check --stage and --region (the ones \`npx sls deploy\` used)`,
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new UnavailableError('no AWS credentials found: run `aws configure` (or `aws sso login`)', {
      cause: error,
    });
  }
  if (/region is missing/i.test(message)) {
    return new UnavailableError('no AWS region configured: pass --region (e.g. --region us-east-1)', {
      cause: error,
    });
  }
  if (name === 'AccessDenied' || name === 'AccessDeniedException') {
    return new UnavailableError(
      `access denied reading stack ${stackName}: your credentials need cloudformation:DescribeStacks and ListStackResources on it`,
      { cause: error },
    );
  }
  return error as Error;
}

/**
 * Reads a deployed stage's stack: its outputs (bucket, failure and redrive
 * queues) and its functions. Throws `UnavailableError` naming what to check
 * when the stack cannot be read.
 */
export async function readDeployedStack(
  client: CloudFormationClient,
  stage: string,
  region: string | undefined,
): Promise<DeployedStack> {
  const stackName = stackNameOf(stage);
  try {
    const answer = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = new Map(
      (answer.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    const functions = new Set<string>();
    for await (const page of paginateListStackResources({ client }, { StackName: stackName })) {
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType === 'AWS::Lambda::Function' && resource.PhysicalResourceId) {
          functions.add(resource.PhysicalResourceId);
        }
      }
    }
    const stack: DeployedStack = { stackName, functions };
    if (region) stack.region = region;
    const bucket = outputs.get('BucketName');
    const failureQueueUrl = outputs.get('FailureQueueUrl');
    const redriveQueueUrl = outputs.get('RedriveQueueUrl');
    if (bucket) stack.bucket = bucket;
    if (failureQueueUrl) stack.failureQueueUrl = failureQueueUrl;
    if (redriveQueueUrl) stack.redriveQueueUrl = redriveQueueUrl;
    return stack;
  } catch (error) {
    throw explainCloudFormationError(error, stackName, region);
  }
}

/** A client for the stage's region (the configured one when `region` is not given). */
export function cloudFormationClient(region: string | undefined): CloudFormationClient {
  return new CloudFormationClient(region ? { region } : {});
}
