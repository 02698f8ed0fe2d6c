import { dataBucket } from './check-bucket';
import {
  actionGrants,
  record,
  referencedId,
  render,
  roleStatements,
  type TemplateView,
} from './template-model';

export const RUNTIME = 'nodejs22.x';
export const FUNCTIONS = ['merge', 'train', 'complete', 'evaluate', 'predict'] as const;

/** Every variable `lib/settings/config.ts` reads. */
export const REQUIRED_ENVIRONMENT = [
  'BUCKET_NAME',
  'JOB_PREFIX',
  'STACK_NAME',
  'SAGEMAKER_ROLE_ARN',
  'TOPIC_ARN',
  'EVENT_BUS_NAME',
  'REGISTER_MODELS',
  'DEFAULT_ALGORITHM',
  'DEFAULT_INSTANCE_TYPE',
  'DEFAULT_INSTANCE_COUNT',
  'DEFAULT_VOLUME_SIZE_GB',
  'DEFAULT_MAX_RUNTIME_SECONDS',
  'DEFAULT_SPOT',
  'DEFAULT_VALIDATION_FRACTION',
  'DEFAULT_TEST_FRACTION',
  'ALLOW_CUSTOM_IMAGES',
  'LOG_LEVEL',
] as const;

const FOURTEEN_DAYS = 14 * 24 * 3600;

export function environmentOf(view: TemplateView, name: string): Record<string, unknown> {
  const fn = view.functions().get(name);
  return record(record(fn?.properties.Environment).Variables);
}

function checkFailureDestination(view: TemplateView, name: string, functionId: string): string[] {
  const config = view
    .ofType('AWS::Lambda::EventInvokeConfig')
    .find((candidate) => referencedId(candidate.properties.FunctionName) === functionId);
  const destination = record(record(config?.properties.DestinationConfig).OnFailure).Destination;
  const queue = view.get(referencedId(destination) ?? '');
  if (!config || !queue || queue.type !== 'AWS::SQS::Queue') {
    return [`functions: ${name} has no on-failure destination queue (a failed event would be dropped)`];
  }
  const problems: string[] = [];
  const retries = config.properties.MaximumRetryAttempts;
  if (retries !== undefined && retries !== 2)
    problems.push(`functions: ${name} retries ${String(retries)} times, not 2`);
  if (queue.properties.SqsManagedSseEnabled !== true && queue.properties.KmsMasterKeyId === undefined) {
    problems.push(`functions: failure queue ${queue.id} is not encrypted`);
  }
  if (Number(queue.properties.MessageRetentionPeriod) !== FOURTEEN_DAYS) {
    problems.push(`functions: failure queue ${queue.id} does not keep messages for 14 days`);
  }
  const fn = view.get(functionId);
  const role = fn && view.roleOf(fn);
  const canSend =
    role &&
    roleStatements(role).some(
      (statement) =>
        statement.effect === 'Allow' &&
        statement.actions.some((action) => actionGrants(action, 'sqs:SendMessage')) &&
        statement.resources.includes(`\${${queue.id}.Arn}`),
    );
  if (!canSend) problems.push(`functions: ${name}'s role cannot send to its failure queue ${queue.id}`);
  return problems;
}

function checkEnvironment(view: TemplateView, name: string, jobPrefix: string): string[] {
  const environment = environmentOf(view, name);
  const problems = REQUIRED_ENVIRONMENT.filter((variable) => environment[variable] === undefined).map(
    (variable) => `functions: ${name} lacks the environment variable ${variable}`,
  );
  const bucket = dataBucket(view);
  if (bucket && render(environment.BUCKET_NAME) !== render(bucket.properties.BucketName)) {
    problems.push(`functions: ${name}'s BUCKET_NAME is not the data bucket's name`);
  }
  if (render(environment.JOB_PREFIX) !== jobPrefix) problems.push(`functions: ${name}'s JOB_PREFIX differs`);
  return problems;
}

/** Runtime, environment and on-failure destination of every function; the topic's encryption. */
export function checkFunctions(view: TemplateView, jobPrefix: string): string[] {
  const problems: string[] = [];
  const functions = view.functions();
  for (const name of FUNCTIONS) {
    const fn = functions.get(name);
    if (!fn) {
      problems.push(`functions: ${name} is missing`);
      continue;
    }
    if (fn.properties.Runtime !== RUNTIME) {
      problems.push(`functions: ${name} runs ${String(fn.properties.Runtime)}, not ${RUNTIME}`);
    }
    problems.push(...checkFailureDestination(view, name, fn.id), ...checkEnvironment(view, name, jobPrefix));
  }
  for (const topic of view.ofType('AWS::SNS::Topic')) {
    if (!topic.properties.KmsMasterKeyId) problems.push(`functions: topic ${topic.id} is not encrypted`);
  }
  for (const subscription of view.ofType('AWS::SNS::Subscription')) {
    if (!subscription.condition) {
      problems.push(`functions: subscription ${subscription.id} is created even when no email is set`);
    }
  }
  const topics = view.ofType('AWS::SNS::Topic').length;
  if (topics !== 1) problems.push(`functions: expected one notification topic, found ${topics}`);
  return problems;
}
