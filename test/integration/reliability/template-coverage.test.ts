import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageStack, type StackPackage } from '../../../bench/support/stack-package';
import { checkTemplate } from '../../integration/template/check-template';
import { type Json, record, TemplateView } from '../../integration/template/template-model';
import { checkExtraProtections } from '../../reliability/template-extra-checks';

let stack: StackPackage;

// esbuild bundles every function: minutes, not seconds, on a busy two-core machine.
beforeAll(async () => {
  stack = await packageStack({ stage: 'ci', region: 'eu-west-1' });
}, 240_000);

afterAll(() => stack?.remove());

/** A copy of the compiled template's resources with one change applied. */
function broken(change: (resources: Record<string, Json>) => void): TemplateView {
  const template = structuredClone(stack.template) as Json;
  change(record(template.Resources) as Record<string, Json>);
  return new TemplateView(template);
}

const props = (resource: Json | undefined) => record(resource?.Properties);
const ofType = (resources: Record<string, Json>, type: string) =>
  Object.values(resources).filter((resource) => resource.Type === type);

describe('security checks of the compiled stack', () => {
  it('cover every resource in serverless.yml and find nothing missing', () => {
    const view = new TemplateView(stack.template);
    expect([...checkTemplate(stack.template), ...checkExtraProtections(view)]).toEqual([]);
  });

  it.each([
    [
      'a resource of a type no check covers',
      (r: Record<string, Json>) => {
        r.Url = { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE' } };
      },
      /no security check covers AWS::Lambda::Url/,
    ],
    [
      'a log group kept forever',
      (r: Record<string, Json>) => {
        delete props(ofType(r, 'AWS::Logs::LogGroup')[0]).RetentionInDays;
      },
      /keeps logs forever/,
    ],
    [
      'a function without its log group',
      (r: Record<string, Json>) => {
        delete r.TrainLogGroup;
      },
      /train has no log group/,
    ],
    [
      'a failure queue reachable without TLS',
      (r: Record<string, Json>) => {
        const document = record(props(ofType(r, 'AWS::SQS::QueuePolicy')[0]).PolicyDocument);
        document.Statement = (document.Statement as Json[]).filter((s) => s.Effect !== 'Deny');
      },
      /accepts requests without TLS/,
    ],
    [
      'a failure queue any rule may send to',
      (r: Record<string, Json>) => {
        const document = record(props(ofType(r, 'AWS::SQS::QueuePolicy')[0]).PolicyDocument);
        for (const statement of document.Statement as Json[])
          if (statement.Effect === 'Allow') delete statement.Condition;
      },
      /send without naming the source/,
    ],
    [
      'a deployment bucket without encryption',
      (r: Record<string, Json>) => {
        delete props(r.ServerlessDeploymentBucket).BucketEncryption;
      },
      /ServerlessDeploymentBucket is not encrypted/,
    ],
    [
      'an invoke permission without a source',
      (r: Record<string, Json>) => {
        for (const permission of ofType(r, 'AWS::Lambda::Permission')) delete props(permission).SourceArn;
      },
      /invoke without a SourceArn/,
    ],
    [
      'EventBridge allowed to invoke for any rule',
      (r: Record<string, Json>) => {
        for (const permission of ofType(r, 'AWS::Lambda::Permission')) {
          if (props(permission).Principal === 'events.amazonaws.com')
            props(permission).SourceArn = 'arn:aws:events:*:*:rule/*';
        }
      },
      /not this stack's rule/,
    ],
  ])('notice %s', (_name, change, problem) => {
    expect(checkExtraProtections(broken(change)).join('\n')).toMatch(problem);
  });
});
