/**
 * Runs requests against the packaged stack's policies with
 * `@cloud-copilot/iam-simulate` (AGPL-3.0: used by the tests only, never
 * bundled). Identity policies of the caller's role, and the resource policy
 * AWS would evaluate beside them: the bucket policy, the failure queue's
 * policy, the Lambda permissions of a function, or a role's trust policy.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { FunctionCaller, IamCaller, StackNames } from '../../../lib/aws/iam-calls';
import { type Deployment, resolveTemplate } from './resolve-template';
import { type Json, list, record } from './template-model';

export const DEPLOYMENT: Deployment = {
  partition: 'aws',
  region: 'eu-west-1',
  account: '123456789012',
  stackName: 'sagedrop-ci',
};

export interface SimRequest {
  /** A caller of the table, or a service principal (`s3.amazonaws.com`). */
  caller: IamCaller | `${string}.amazonaws.com`;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
}

export interface SimOutcome {
  result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'Error';
  /** Condition keys the simulator dropped as not applying to the action: a table error. */
  ignoredContextKeys: string[];
  /** `role/Sid/action/resource pattern` of each identity statement that allowed the request. */
  grantsUsed: string[];
  error?: string;
}

type Fn = FunctionCaller;
const logicalFunction = (fn: Fn) => `${fn.charAt(0).toUpperCase()}${fn.slice(1)}LambdaFunction`;

/** The packaged template with intrinsics resolved for `DEPLOYMENT`, and its names. */
export class SimulatedStack {
  readonly resources: Record<string, Json>;
  readonly names: StackNames;

  constructor(template: unknown) {
    this.resources = record(resolveTemplate(template, DEPLOYMENT).Resources) as Record<string, Json>;
    const env = record(record(this.properties(logicalFunction('merge')).Environment).Variables);
    const onFailure = this.ofType('AWS::Lambda::EventInvokeConfig').map(
      (config) => record(record(record(config.Properties).DestinationConfig).OnFailure).Destination,
    );
    this.names = {
      partition: DEPLOYMENT.partition,
      region: DEPLOYMENT.region,
      account: DEPLOYMENT.account,
      jobPrefix: String(env.JOB_PREFIX),
      bucket: String(env.BUCKET_NAME),
      topicArn: String(env.TOPIC_ARN),
      failureQueueArn: String(onFailure[0]),
      sagemakerRoleArn: String(env.SAGEMAKER_ROLE_ARN),
      functionName: (fn) => String(this.properties(logicalFunction(fn)).FunctionName),
    };
  }

  properties(id: string): Json {
    return record(this.resources[id]?.Properties);
  }

  ofType(type: string): Json[] {
    return Object.values(this.resources).filter((resource) => resource.Type === type);
  }

  /** Logical id of the role a caller's requests are signed with. */
  roleId(caller: IamCaller): string {
    if (caller === 'training-job') {
      const id = Object.entries(this.resources).find(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Role' &&
          JSON.stringify(record(resource.Properties).AssumeRolePolicyDocument).includes(
            'sagemaker.amazonaws.com',
          ),
      )?.[0];
      if (!id) throw new Error('no SageMaker execution role');
      return id;
    }
    const role = String(this.properties(logicalFunction(caller)).Role);
    const id = Object.keys(this.resources).find((candidate) =>
      role.endsWith(`/${DEPLOYMENT.stackName}-${candidate}-SAMPLE`),
    );
    if (!id) throw new Error(`no role for ${caller}`);
    return id;
  }

  roleArn(id: string): string {
    return `arn:${DEPLOYMENT.partition}:iam::${DEPLOYMENT.account}:role/${DEPLOYMENT.stackName}-${id}-SAMPLE`;
  }

  /** Every (role, Sid, action, resource pattern) an Allow statement of a role grants. */
  grants(): string[] {
    const out: string[] = [];
    for (const [id, resource] of Object.entries(this.resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      for (const policy of list(record(resource.Properties).Policies).map(record)) {
        for (const statement of list(record(policy.PolicyDocument).Statement).map(record)) {
          if (statement.Effect !== 'Allow') continue;
          for (const action of list(statement.Action))
            for (const pattern of list(statement.Resource))
              out.push(`${id}/${statement.Sid}/${action}/${pattern}`);
        }
      }
    }
    return out;
  }

  private identityPolicies(roleId: string) {
    return list(this.properties(roleId).Policies)
      .map(record)
      .map((policy) => ({ name: `${roleId}/${policy.PolicyName}`, policy: policy.PolicyDocument }));
  }

  /** The resource policy AWS evaluates for `request` besides the identity policies, if any. */
  private resourcePolicy(request: SimRequest): unknown {
    const { action, resource } = request;
    if (action.startsWith('s3:') && resource.startsWith(`arn:aws:s3:::${this.names.bucket}`)) {
      const policy = this.ofType('AWS::S3::BucketPolicy').find(
        (candidate) => record(candidate.Properties).Bucket === this.names.bucket,
      );
      return policy && record(policy.Properties).PolicyDocument;
    }
    if (action.startsWith('sqs:')) {
      const name = resource.split(':').at(-1);
      const policy = this.ofType('AWS::SQS::QueuePolicy').find((candidate) =>
        list(record(candidate.Properties).Queues).some((url) => String(url).endsWith(`/${name}`)),
      );
      return policy && record(policy.Properties).PolicyDocument;
    }
    if (action === 'lambda:InvokeFunction') {
      const statements = this.ofType('AWS::Lambda::Permission')
        .map((permission) => record(permission.Properties))
        .filter(
          (permission) =>
            permission.FunctionName === resource || String(resource).endsWith(`:${permission.FunctionName}`),
        )
        .map((permission) => {
          const condition: Json = {};
          if (permission.SourceArn) condition.ArnLike = { 'aws:SourceArn': permission.SourceArn };
          if (permission.SourceAccount)
            condition.StringEquals = { 'aws:SourceAccount': permission.SourceAccount };
          return {
            Effect: 'Allow',
            Principal: { Service: permission.Principal },
            Action: permission.Action,
            Resource: resource,
            ...(Object.keys(condition).length ? { Condition: condition } : {}),
          };
        });
      return { Version: '2012-10-17', Statement: statements };
    }
    if (action === 'sts:AssumeRole') {
      const id = Object.keys(this.resources).find((candidate) => this.roleArn(candidate) === resource);
      return id ? this.properties(id).AssumeRolePolicyDocument : { Version: '2012-10-17', Statement: [] };
    }
    return undefined;
  }

  async simulate(request: SimRequest): Promise<SimOutcome> {
    const service = request.caller.endsWith('.amazonaws.com');
    const assumed = request.action === 'sts:AssumeRole' && request.caller === 'training-job';
    const roleId = service || assumed ? undefined : this.roleId(request.caller as IamCaller);
    const principal = assumed ? 'sagemaker.amazonaws.com' : roleId ? this.roleArn(roleId) : request.caller;
    const resourcePolicy = this.resourcePolicy(request);
    const response = await runSimulation(
      {
        request: {
          principal,
          action: request.action,
          resource: { resource: request.resource, accountId: DEPLOYMENT.account },
          contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
        },
        identityPolicies: roleId ? this.identityPolicies(roleId) : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
      },
      {},
    );
    if (response.resultType === 'error') {
      return {
        result: 'Error',
        ignoredContextKeys: [],
        grantsUsed: [],
        error: JSON.stringify(response.errors),
      };
    }
    const results = response.resultType === 'single' ? [response.result] : response.results;
    const grantsUsed = results.flatMap((result) =>
      (result.analysis.identityAnalysis?.allowStatements ?? []).flatMap((statement) => {
        const explain = statement.explain;
        const actions = list(explain.actions)
          .filter((a) => record(a).matches)
          .map((a) => record(a).action);
        const patterns = list(explain.resources)
          .filter((r) => record(r).matches)
          .map((r) => record(r).resource);
        const role = statement.policyId.split('/')[0];
        return actions.flatMap((action) =>
          patterns.map((pattern) => `${role}/${explain.identifier}/${action}/${pattern}`),
        );
      }),
    );
    return {
      result: response.overallResult,
      ignoredContextKeys: results.flatMap((result) => result.ignoredContextKeys ?? []),
      grantsUsed,
    };
  }
}
