import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBundle, loadBundle } from '../../../bench/support/bundles';
import { packageStack, type StackPackage, warningLines } from '../../../bench/support/stack-package';
import { readZip } from '../../../bench/support/zip';
import { FUNCTION_CALLERS, IAM_CALLS } from '../../../lib/aws/iam-calls';
import { loadConfig } from '../../../lib/settings/config';
import { bucketArn, dataBucket } from './check-bucket';
import { environmentOf, FUNCTIONS, REQUIRED_ENVIRONMENT } from './check-functions';
import { checkTemplate } from './check-template';
import { EXPECTED_S3_TRIGGERS, s3Triggers, trainingJobPattern } from './check-triggers';
import { denyCases, OTHER_STAGES, otherStage, requestOf, serviceCalls } from './iam-cases';
import { MUTATIONS } from './mutations';
import { SimulatedStack } from './simulate-iam';
import { type Json, list, record, render, roleStatements, TemplateView } from './template-model';

let stack: StackPackage;
let view: TemplateView;
let work: string;

// Packaging takes seconds: once for the whole file, template and bundles alike.
beforeAll(async () => {
  stack = await packageStack({ stage: 'ci', region: 'eu-west-1' });
  view = new TemplateView(stack.template);
  work = mkdtempSync(join(tmpdir(), 'sagedrop-bundle-test-'));
  // esbuild bundles three functions: minutes, not seconds, on a busy two-core machine.
}, 240_000);

afterAll(() => {
  stack?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** S3 grants of a function's role as `action -> keys`, with the bucket ARN left out. */
function s3Grants(fn: string): Record<string, string[]> {
  const functionResource = view.functions().get(fn);
  const role = functionResource && view.roleOf(functionResource);
  const bucket = dataBucket(view);
  if (!role || !bucket) throw new Error(`no role or bucket for ${fn}`);
  const arn = bucketArn(bucket);
  const grants: Record<string, string[]> = {};
  for (const statement of roleStatements(role)) {
    for (const action of statement.actions.filter((candidate) => candidate.startsWith('s3:'))) {
      const keys = statement.resources.map((resource) =>
        resource === arn ? '(bucket)' : resource.replace(`${arn}/`, ''),
      );
      grants[action] = [...(grants[action] ?? []), ...keys].sort();
    }
  }
  return grants;
}

describe('sls package', () => {
  it('packages offline, without credentials, and prints no warning', () => {
    expect(stack.output).toContain('Service packaged');
    expect(warningLines(stack.output)).toEqual([]);
  });

  it('writes a template with no protection missing', () => {
    expect(checkTemplate(stack.template)).toEqual([]);
  });

  it('triggers merge on raw/ and train on train/**/manifest.json, for every kind of object creation', () => {
    expect(s3Triggers(view)).toEqual(EXPECTED_S3_TRIGGERS);
  });

  it("invokes complete only for terminal states of this stack's training jobs", () => {
    const patterns = view.ofType('AWS::Events::Rule').map((rule) => rule.properties.EventPattern);
    expect(patterns).toContainEqual(trainingJobPattern('sagedrop-ci'));
    expect(environmentOf(view, 'complete').JOB_PREFIX).toBe('sagedrop-ci');
  });

  it('runs every function on nodejs22.x with the whole configuration in its environment', () => {
    for (const fn of FUNCTIONS) {
      const resource = view.functions().get(fn);
      expect(resource?.properties.Runtime).toBe('nodejs22.x');
      expect(Object.keys(environmentOf(view, fn))).toEqual(expect.arrayContaining([...REQUIRED_ENVIRONMENT]));
    }
  });

  it("gives every function an environment its own configuration loader accepts, with the params' defaults", () => {
    for (const fn of FUNCTIONS) {
      const environment = Object.fromEntries(
        Object.entries(environmentOf(view, fn)).map(([name, value]) => [name, render(value)]),
      );
      const config = loadConfig({ ...environment, AWS_REGION: 'eu-west-1' });
      expect(config.jobPrefix).toBe('sagedrop-ci');
      expect(config.eventBusName).toBe('default');
      expect(config.registerModels).toBe(true);
      expect(config.defaults).toEqual({
        algorithm: 'linear-learner',
        instanceType: 'ml.m5.large',
        instanceCount: 1,
        volumeSizeGb: 10,
        maxRuntimeSeconds: 3600,
        spot: false,
        validationFraction: 0.2,
        testFraction: 0.1,
        allowCustomImages: false,
      });
    }
  });

  it('gives merge time rather than memory, since it streams', () => {
    const merge = view.functions().get('merge');
    expect(merge?.properties.Timeout).toBe(900);
    expect(Number(merge?.properties.MemorySize)).toBeLessThanOrEqual(1024);
  });

  it('lets each function reach exactly the bucket prefixes its stage uses', () => {
    expect(s3Grants('merge')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['errors/*', 'notifications/*', 'raw/*', 'train/*'],
      's3:GetObjectVersion': ['raw/*'],
      's3:PutObject': ['errors/*', 'notifications/*', 'train/*'],
      's3:AbortMultipartUpload': ['train/*'],
      's3:DeleteObject': ['train/*/_inputs/*'],
    });
    expect(s3Grants('train')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['notifications/*', 'train/*'],
      's3:PutObject': ['notifications/*'],
    });
    expect(s3Grants('complete')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['catalog/*', 'evaluation/*/plan.json', 'models/*', 'notifications/*', 'train/*'],
      's3:GetObjectVersion': ['catalog/*'],
      's3:PutObject': ['catalog/*', 'evaluation/*/plan.json', 'notifications/*'],
    });
    expect(s3Grants('evaluate')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['catalog/*', 'evaluation/*', 'notifications/*', 'train/*'],
      's3:GetObjectVersion': ['catalog/*', 'evaluation/*', 'train/*'],
      's3:PutObject': ['catalog/*', 'evaluation/*', 'notifications/*'],
      's3:DeleteObject': ['catalog/_endpoints/*'],
    });
    expect(s3Grants('predict')).toEqual({
      's3:ListBucket': ['(bucket)'],
      's3:GetObject': ['catalog/*', 'notifications/*', 'predictions/*', 'score/*', 'transforms/*'],
      's3:GetObjectVersion': ['score/*', 'transforms/*/output/*'],
      's3:PutObject': ['errors/*', 'notifications/*', 'predictions/*', 'transforms/*'],
      's3:AbortMultipartUpload': ['predictions/*', 'transforms/*/input/*'],
    });
  });

  it('outputs what a user needs after deploying', () => {
    expect(Object.keys(record(record(stack.template).Outputs))).toEqual(
      expect.arrayContaining(['BucketName', 'TopicArn', 'FailureQueueUrl', 'SageMakerRoleArn']),
    );
  });
});

describe('a template missing one protection', () => {
  it.each(MUTATIONS)('fails the check without %s', (_protection, mutate, violation) => {
    const broken = structuredClone(stack.template) as Json;
    mutate(broken);
    expect(checkTemplate(broken)).toContainEqual(expect.stringContaining(violation));
  });
});

describe.each(FUNCTIONS)('the %s bundle', (fn) => {
  it('is one minified file with its dependencies, the AWS SDK included, and no source map', () => {
    const zip = stack.zips.get(fn);
    expect(zip).toBeDefined();
    const files = [...readZip(zip as string).keys()];
    expect(files).toEqual([`handlers/${fn}.js`]);
  });

  it('loads in a fresh node without any AWS configuration and exports a handler function', () => {
    const file = extractBundle(stack.zips.get(fn) as string, join(work, fn), fn);
    const result = loadBundle(file);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.handlerType).toBe('function');
  });
});

describe('IAM of the packaged stack, simulated (iam-simulate) for account 123456789012 in eu-west-1', () => {
  let sim: SimulatedStack;
  const grantsUsed = new Set<string>();
  beforeAll(() => {
    sim = new SimulatedStack(stack.template);
  });
  const ruleArn = () =>
    `arn:aws:events:eu-west-1:123456789012:rule/${view.ofType('AWS::Events::Rule')[0]?.properties.Name}`;

  it('has every function of the stack in the call table', () => {
    expect([...view.functions().keys()].sort()).toEqual([...FUNCTION_CALLERS].sort());
  });

  it.each(IAM_CALLS)('allows $caller $call: $action ($why)', async (row) => {
    const outcome = await sim.simulate(requestOf(row, sim.names));
    for (const grant of outcome.grantsUsed) grantsUsed.add(grant);
    expect(outcome.error).toBeUndefined();
    expect(outcome.ignoredContextKeys).toEqual([]);
    expect(outcome.result).toBe('Allowed');
  });

  it('uses every grant of every role for some call of the table', () => {
    expect(grantsUsed.size).toBeGreaterThan(0);
    expect(sim.grants().filter((grant) => !grantsUsed.has(grant))).toEqual([]);
  });

  it("refuses what no principal may do: raw/ changed, models written by merge, other roles passed, other stages' resources, plain HTTP, events of another source", async () => {
    const cases = denyCases(sim.names);
    const allowed: string[] = [];
    for (const request of cases) {
      const outcome = await sim.simulate(request);
      expect(outcome.error, request.why).toBeUndefined();
      if (outcome.result === 'Allowed') allowed.push(request.why);
    }
    expect(cases.length).toBeGreaterThan(IAM_CALLS.length);
    expect(allowed).toEqual([]);
  });

  it('lets S3 and the training job rule invoke the functions and keep failed events, for this stage only', async () => {
    for (const request of serviceCalls(sim.names, ruleArn())) {
      expect((await sim.simulate(request)).result, request.why).toBe('Allowed');
      for (const stage of OTHER_STAGES) {
        const other = otherStage(sim.names, stage);
        const source = serviceCalls(other, ruleArn().replace('sagedrop-ci-', `sagedrop-${stage}-`));
        const foreign = source.find((candidate) => candidate.why === request.why);
        const outcome = await sim.simulate({
          ...request,
          context: { ...request.context, ...foreign?.context },
        });
        expect(outcome.result, `${request.why}, from stage ${stage}`).not.toBe('Allowed');
      }
    }
  });

  it('would refuse every notification with a plain StringEquals on the multivalued events:source', async () => {
    const broken = structuredClone(stack.template) as Json;
    for (const resource of Object.values(record(broken.Resources)).map(record)) {
      for (const policy of list(record(resource.Properties).Policies).map(record)) {
        for (const statement of list(record(policy.PolicyDocument).Statement).map(record)) {
          if (statement.Sid === 'PutPipelineEvents')
            statement.Condition = { StringEquals: { 'events:source': 'sagedrop' } };
        }
      }
    }
    const brokenSim = new SimulatedStack(broken);
    const rows = IAM_CALLS.filter((row) => row.action === 'events:PutEvents');
    // One per function, and the evaluate function's Endpoint Updated.
    expect(rows.length).toBe(7);
    for (const row of rows) {
      expect((await brokenSim.simulate(requestOf(row, brokenSim.names))).result).toBe('ImplicitlyDenied');
    }
  });

  it('plain HTTP is refused by the bucket and queue policies themselves', async () => {
    const [read] = denyCases(sim.names).filter((request) => request.why.includes('plain HTTP'));
    expect(read && (await sim.simulate(read)).result).toBe('ExplicitlyDenied');
  });
});
