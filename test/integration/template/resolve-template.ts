/**
 * Resolves a compiled CloudFormation template's intrinsic functions for one
 * sample deployment (account, region, stack name), as CloudFormation would:
 * pseudo parameters, `Ref` and `Fn::GetAtt` of the stack's resources (with
 * sample physical names where CloudFormation generates them), `Fn::Sub`,
 * `Fn::Join`, `Fn::If` with the template's conditions, `AWS::NoValue`.
 */
import { type Json, list, record } from './template-model';

export interface Deployment {
  partition: string;
  region: string;
  account: string;
  stackName: string;
}

const NO_VALUE = Symbol('AWS::NoValue');

export function resolveTemplate(template: unknown, deployment: Deployment): Json {
  const raw = record(template);
  const resources = record(raw.Resources);
  const conditions = record(raw.Conditions);
  const { partition, region, account, stackName } = deployment;
  const pseudo: Record<string, string> = {
    'AWS::Partition': partition,
    'AWS::Region': region,
    'AWS::AccountId': account,
    'AWS::StackName': stackName,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const generated = (id: string) => `${stackName}-${id}-SAMPLE`;

  const property = (id: string, name: string): string | undefined => {
    const value = record(record(resources[id]).Properties)[name];
    return value === undefined ? undefined : String(resolve(value));
  };

  const ref = (id: string): string => {
    if (id in pseudo) return pseudo[id] as string;
    const type = String(record(resources[id]).Type);
    switch (type) {
      case 'AWS::S3::Bucket':
        return property(id, 'BucketName') ?? generated(id).toLowerCase();
      case 'AWS::SNS::Topic':
        return `arn:${partition}:sns:${region}:${account}:${property(id, 'TopicName') ?? generated(id)}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${region}.amazonaws.com/${account}/${property(id, 'QueueName') ?? generated(id)}`;
      case 'AWS::IAM::Role':
        return property(id, 'RoleName') ?? generated(id);
      case 'AWS::Lambda::Function':
        return property(id, 'FunctionName') ?? generated(id);
      case 'AWS::Events::Rule':
        return property(id, 'Name') ?? generated(id);
      case 'AWS::Logs::LogGroup':
        return property(id, 'LogGroupName') ?? generated(id);
      default:
        if (!(id in resources)) throw new Error(`Ref to unknown ${id}`);
        return generated(id);
    }
  };

  const getAtt = (id: string, attribute: string): string => {
    const type = String(record(resources[id]).Type);
    if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${id}.${attribute} is not resolved here`);
    switch (type) {
      case 'AWS::S3::Bucket':
        return `arn:${partition}:s3:::${ref(id)}`;
      case 'AWS::SQS::Queue':
        return `arn:${partition}:sqs:${region}:${account}:${property(id, 'QueueName') ?? generated(id)}`;
      case 'AWS::IAM::Role':
        return `arn:${partition}:iam::${account}:role/${ref(id)}`;
      case 'AWS::Lambda::Function':
        return `arn:${partition}:lambda:${region}:${account}:function:${ref(id)}`;
      case 'AWS::Events::Rule':
        return `arn:${partition}:events:${region}:${account}:rule/${ref(id)}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${partition}:logs:${region}:${account}:log-group:${ref(id)}:*`;
      case 'AWS::SNS::Topic':
        return ref(id);
      default:
        throw new Error(`Fn::GetAtt ${id}.Arn of ${type} is not resolved here`);
    }
  };

  const sub = (text: string, variables: Json): string =>
    text.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
      if (name in variables) return String(resolve(variables[name]));
      const [id = '', attribute] = name.split('.');
      return attribute ? getAtt(id, attribute) : ref(id);
    });

  const condition = (name: string): boolean => evaluate(conditions[name]);
  const evaluate = (value: unknown): boolean => {
    const node = record(value);
    if ('Fn::Equals' in node) {
      const [a, b] = list(node['Fn::Equals']).map(resolve);
      return String(a) === String(b);
    }
    if ('Fn::Not' in node) return !evaluate(list(node['Fn::Not'])[0]);
    if ('Fn::And' in node) return list(node['Fn::And']).every(evaluate);
    if ('Fn::Or' in node) return list(node['Fn::Or']).some(evaluate);
    if (typeof node.Condition === 'string') return condition(node.Condition);
    throw new Error(`condition ${JSON.stringify(value)} is not resolved here`);
  };

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const node = value as Json;
    const keys = Object.keys(node);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = node[key];
      if (key === 'Ref') return argument === 'AWS::NoValue' ? NO_VALUE : ref(String(argument));
      if (key === 'Fn::GetAtt') {
        const [id, attribute] =
          typeof argument === 'string' ? argument.split('.') : list(argument).map(String);
        return getAtt(String(id), String(attribute));
      }
      if (key === 'Fn::Sub') {
        if (typeof argument === 'string') return sub(argument, {});
        const [text, variables] = list(argument);
        return sub(String(text), record(variables));
      }
      if (key === 'Fn::Join') {
        const [separator, parts] = list(argument);
        return list(resolve(parts)).map(String).join(String(separator));
      }
      if (key === 'Fn::If') {
        const [name, whenTrue, whenFalse] = list(argument);
        return resolve(condition(String(name)) ? whenTrue : whenFalse);
      }
    }
    const out: Json = {};
    for (const [key, item] of Object.entries(node)) {
      const resolved = resolve(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  const out: Json = { ...raw, Resources: {} };
  for (const [id, resource] of Object.entries(resources)) {
    const condition_ = record(resource).Condition;
    if (typeof condition_ === 'string' && !condition(condition_)) continue;
    (out.Resources as Json)[id] = resolve(resource);
  }
  return out;
}
