import { bucketArn, dataBucket } from './check-bucket';
import {
  actionGrants,
  concrete,
  list,
  type Resource,
  record,
  referencedId,
  render,
  roleStatements,
  type Statement,
  type TemplateView,
} from './template-model';

/** Actions granted on every resource, and why no narrower resource exists. */
export const WILDCARD_RESOURCE_ALLOWED: Readonly<Record<string, string>> = {
  'ecr:GetAuthorizationToken': 'ECR login has no resource-level permissions',
  'cloudwatch:PutMetricData':
    'CloudWatch metrics have no resource-level permissions; the statement is limited by cloudwatch:namespace',
};

/** Wildcard accounts in ARNs, and why: the built-in algorithm images live in AWS-owned accounts per region. */
const ANY_ACCOUNT_ALLOWED = new Set([
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
]);

function describe(role: Resource, statement: Statement): string {
  return `iam: ${role.id} ${statement.sid}`;
}

function checkStatement(role: Resource, statement: Statement): string[] {
  if (statement.effect !== 'Allow') return [];
  const at = describe(role, statement);
  const problems: string[] = [];
  if (statement.negated) problems.push(`${at} uses NotAction/NotResource`);
  for (const action of statement.actions) {
    if (action === '*' || /^[a-z0-9-]+:\*$/i.test(action)) problems.push(`${at} grants the action ${action}`);
  }
  if (statement.resources.includes('*')) {
    const unjustified = statement.actions.filter((action) => !(action in WILDCARD_RESOURCE_ALLOWED));
    if (unjustified.length) problems.push(`${at} grants ${unjustified.join(', ')} on resource *`);
    if (
      statement.actions.includes('cloudwatch:PutMetricData') &&
      !record(statement.condition.StringEquals)['cloudwatch:namespace']
    ) {
      problems.push(`${at} grants cloudwatch:PutMetricData without a cloudwatch:namespace condition`);
    }
  }
  const anyAccount = statement.resources.filter((resource) =>
    /^arn:[^:]*:[^:]*:[^:]*:\*:/.test(concrete(resource)),
  );
  if (anyAccount.length && statement.actions.some((action) => !ANY_ACCOUNT_ALLOWED.has(action))) {
    problems.push(`${at} grants ${statement.actions.join(', ')} in any account (${anyAccount.join(', ')})`);
  }
  return problems;
}

function checkPassRole(view: TemplateView, role: Resource, statement: Statement): string[] {
  if (
    statement.effect !== 'Allow' ||
    !statement.actions.some((action) => actionGrants(action, 'iam:PassRole'))
  ) {
    return [];
  }
  const at = describe(role, statement);
  const problems: string[] = [];
  const target =
    statement.resources.length === 1 ? view.get(referencedId(statement.resources[0]) ?? '') : undefined;
  if (target?.type !== 'AWS::IAM::Role' || !trusts(target, 'sagemaker.amazonaws.com')) {
    problems.push(
      `${at} may pass roles other than the SageMaker execution role: ${statement.resources.join(', ')}`,
    );
  }
  if (record(statement.condition.StringEquals)['iam:PassedToService'] !== 'sagemaker.amazonaws.com') {
    problems.push(
      `${at} passes the role without the condition iam:PassedToService = sagemaker.amazonaws.com`,
    );
  }
  return problems;
}

function trusts(role: Resource, service: string): boolean {
  const trust = list(record(role.properties.AssumeRolePolicyDocument).Statement).map(record);
  return (
    trust.length > 0 &&
    trust.every((statement) => {
      const services = list(record(statement.Principal).Service).map(render);
      return (
        services.length === 1 &&
        services[0] === service &&
        Object.keys(record(statement.Principal)).length === 1
      );
    })
  );
}

/**
 * The SageMaker role reads train/ and the normalised rows to predict, writes models/, the
 * evaluation's predictions and the prediction transforms' output, and touches nothing else in S3.
 */
function checkSageMakerRole(role: Resource, arn: string): string[] {
  const problems: string[] = [];
  const allowedObjects: Record<string, readonly string[]> = {
    [`${arn}/train/*`]: ['s3:GetObject'],
    [`${arn}/models/*`]: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
    [`${arn}/evaluation/*`]: ['s3:PutObject', 's3:AbortMultipartUpload'],
    [`${arn}/transforms/*/input/*`]: ['s3:GetObject'],
    [`${arn}/transforms/*/output/*`]: ['s3:PutObject', 's3:AbortMultipartUpload'],
  };
  for (const statement of roleStatements(role)) {
    if (statement.effect !== 'Allow') continue;
    for (const action of statement.actions.filter((candidate) => /^s3:/i.test(candidate))) {
      for (const resource of statement.resources) {
        const allowed =
          action === 's3:ListBucket'
            ? resource === arn && list(record(statement.condition.StringLike)['s3:prefix']).length > 0
            : (allowedObjects[resource] ?? []).includes(action);
        if (!allowed) {
          problems.push(
            `iam: ${role.id} ${statement.sid} lets SageMaker ${action} on ${resource} (only read train/ and transforms/*/input/, write models/, evaluation/ and transforms/*/output/)`,
          );
        }
      }
    }
  }
  return problems;
}

/** A function's role writes CloudWatch Logs only to that function's own log group. */
function checkFunctionLogs(role: Resource, functionName: string): string[] {
  const own = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`;
  return roleStatements(role)
    .filter((statement) => statement.effect === 'Allow' && statement.actions.some((a) => /^logs:/i.test(a)))
    .flatMap((statement) =>
      statement.resources
        .filter((resource) => resource !== own)
        .map(
          (resource) =>
            `iam: ${role.id} ${statement.sid} writes logs outside ${functionName}'s log group: ${resource}`,
        ),
    );
}

/** Least privilege across every role: actions, resources, PassRole, per-function roles. */
export function checkIam(view: TemplateView): string[] {
  const problems: string[] = [];
  const roles = view.ofType('AWS::IAM::Role');
  for (const role of roles) {
    for (const managed of list(role.properties.ManagedPolicyArns)) {
      problems.push(`iam: ${role.id} attaches managed policy ${render(managed)} (not reviewable here)`);
    }
    for (const statement of roleStatements(role)) {
      problems.push(...checkStatement(role, statement), ...checkPassRole(view, role, statement));
    }
  }
  for (const policy of [...view.ofType('AWS::IAM::Policy'), ...view.ofType('AWS::IAM::ManagedPolicy')]) {
    problems.push(
      `iam: ${policy.id} is a separate policy resource (keep policies inline on the per-function roles)`,
    );
  }
  const bucket = dataBucket(view);
  const sagemakerRoles = roles.filter((role) => trusts(role, 'sagemaker.amazonaws.com'));
  if (sagemakerRoles.length !== 1)
    problems.push(`iam: expected one SageMaker execution role, found ${sagemakerRoles.length}`);
  if (bucket)
    for (const role of sagemakerRoles) problems.push(...checkSageMakerRole(role, bucketArn(bucket)));
  const seen = new Map<string, string>();
  for (const [name, fn] of view.functions()) {
    const role = view.roleOf(fn);
    if (!role) {
      problems.push(`iam: ${name} does not run as a role defined in this stack`);
      continue;
    }
    const sharedWith = seen.get(role.id);
    if (sharedWith)
      problems.push(`iam: ${name} shares ${role.id} with ${sharedWith} (one role per function)`);
    seen.set(role.id, name);
    if (!trusts(role, 'lambda.amazonaws.com'))
      problems.push(`iam: ${role.id} is not assumable by Lambda only`);
    problems.push(...checkFunctionLogs(role, render(fn.properties.FunctionName)));
  }
  return problems;
}
