import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvaluateHandler } from '../../handlers/evaluate';
import { lambdaContext } from '../../lib/local/invoker';
import type { TransformStateChangeEvent } from '../../lib/local/training/transform-event';
import { silentLogger } from '../../lib/logger';
import { readChampion } from '../../lib/models/champion';
import { endpointConfigNameOf, endpointNameOf } from '../../lib/models/endpoint';
import { readEndpointRecord } from '../../lib/models/endpoint-record';
import type { EndpointUpdatedDetail } from '../../lib/notifications/events';
import { readAwsEvent } from '../support/aws-fixtures';
import { FakeEndpoints } from '../support/fake-endpoints';
import { RecordingNotifier } from '../support/notifier';
import { IRIS_X, IRIS_Y, startTestStack } from './local-stack';

const SETTING = { type: 'serverless', memoryMb: 2048, maxConcurrency: 5 } as const;

/** The same table with its rows in reverse order: new uploads, so a new run. */
function reversedRows(csv: string): string {
  const [header, ...rows] = csv.trimEnd().split('\n');
  return `${[header, ...rows.reverse()].join('\n')}\n`;
}

/** The documented "SageMaker Endpoint State Change" sample, for one of this stack's endpoints. */
function endpointEvent(endpoint: string, status: string): Record<string, unknown> {
  const sample = readAwsEvent<{ detail: Record<string, unknown> }>(
    'sagemaker-endpoint-state-change.sample.json',
  );
  return { ...sample, detail: { ...sample.detail, EndpointName: endpoint, EndpointStatus: status } };
}

type Stack = Awaited<ReturnType<typeof startTestStack>>;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The local stack with a fake SageMaker hosting API, the evaluation events it delivered, and a second evaluate function. */
async function endpointWorld() {
  // Models are the local scorer's: evaluation made the champion's, as SageMaker keeps it.
  const endpoints = new FakeEndpoints((name) =>
    Boolean(stack?.scorer.requests.createModel.some((request) => request.ModelName === name)),
  );
  const transforms: TransformStateChangeEvent[] = [];
  const started = await startTestStack({
    endpoints,
    onStep: (step) => {
      if (step.kind === 'transform-state' && step.routedToEvaluate) transforms.push(step.event);
    },
  });
  stack = started;
  const notifier = new RecordingNotifier();
  const evaluate = createEvaluateHandler(() => ({
    config: started.config,
    store: started.store,
    scorer: started.scorer,
    notifier,
    logger: silentLogger,
    endpoints,
  }));
  const invoke = (event: unknown) =>
    evaluate(event, lambdaContext('evaluate', randomUUID(), started.region, 60_000));
  let runs = 0;
  const run = async (settings: object) => {
    const reversed = runs % 2 === 1;
    runs += 1;
    // One upload at a time, as a user's: this test is about the endpoint, not racing uploads.
    await started.upload('raw/iris/sagedrop.json', JSON.stringify(settings));
    await started.waitForIdle();
    await started.upload('raw/iris/x.csv', reversed ? reversedRows(IRIS_X) : IRIS_X);
    await started.waitForIdle();
    await started.upload('raw/iris/y.csv', reversed ? reversedRows(IRIS_Y) : IRIS_Y);
    await started.waitForIdle();
  };
  const endpoint = endpointNameOf(started.config.jobPrefix, 'iris');
  const updates = () =>
    started.notifications
      .map((n) => n.event)
      .filter((e) => e.detailType === 'Endpoint Updated')
      .map((e) => e.detail as EndpointUpdatedDetail);
  return { stack: started, endpoints, transforms, notifier, invoke, run, endpoint, updates };
}

const creates = (endpoints: FakeEndpoints) =>
  endpoints.calls.filter((c) => /^(Create|Update|Delete)/.test(c));

describe('the opt-in serverless endpoint, through the evaluate stage', () => {
  it('is created on the first promotion with the champion model, and only once whatever events repeat', async () => {
    const world = await endpointWorld();
    await world.run({ algorithm: 'linear-learner', endpoint: SETTING });
    const champion = await readChampion(world.stack.store, 'iris');
    if (!champion) throw new Error('iris has no champion');
    const configName = endpointConfigNameOf(world.endpoint, champion.modelName, SETTING);
    expect(creates(world.endpoints)).toEqual([
      `CreateEndpointConfig ${configName}`,
      `CreateEndpoint ${world.endpoint}`,
    ]);
    // The model is asked for again (it exists from the evaluation) with the stack's execution role.
    const modelRequests = world.stack.scorer.requests.createModel.filter(
      (request) => request.ModelName === champion.modelName,
    );
    expect(modelRequests.length).toBeGreaterThanOrEqual(2);
    expect(modelRequests.at(-1)).toMatchObject({
      ExecutionRoleArn: world.stack.config.sagemakerRoleArn,
      PrimaryContainer: { ModelDataUrl: champion.modelArtifact },
    });
    expect(world.endpoints.configs.get(configName)).toMatchObject({
      ProductionVariants: [
        { ModelName: champion.modelName, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } },
      ],
    });

    // EventBridge delivers every evaluation event again, twice at once.
    expect(world.transforms.length).toBeGreaterThan(0);
    await Promise.all(world.transforms.flatMap((event) => [world.invoke(event), world.invoke(event)]));
    expect(creates(world.endpoints)).toHaveLength(2);

    world.endpoints.settle(world.endpoint);
    const inService = endpointEvent(world.endpoint, 'IN_SERVICE');
    await Promise.all([world.invoke(inService), world.invoke(inService)]);
    await world.invoke(inService);
    const updates = world.notifier.sent.filter((e) => e.detailType === 'Endpoint Updated');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.detail).toMatchObject({
      status: 'InService',
      endpoint: world.endpoint,
      job: champion.job,
      invokeExample: expect.stringContaining(
        `aws sagemaker-runtime invoke-endpoint --region ${world.stack.region} --endpoint-name ${world.endpoint}`,
      ),
    });
  });

  it('switches to a new config with UpdateEndpoint on the next run, deleting the old one only once the switch is in service', async () => {
    const world = await endpointWorld();
    await world.run({ algorithm: 'linear-learner', endpoint: SETTING });
    world.endpoints.settle(world.endpoint);
    await world.invoke(endpointEvent(world.endpoint, 'IN_SERVICE'));
    const before = await readEndpointRecord(world.stack.store, world.endpoint);
    const oldConfig = before?.record.configName as string;

    await world.run({ algorithm: 'linear-learner', endpoint: { ...SETTING, memoryMb: 4096 } });
    const champion = await readChampion(world.stack.store, 'iris');
    const newConfig = endpointConfigNameOf(world.endpoint, champion?.modelName as string, {
      ...SETTING,
      memoryMb: 4096,
    });
    expect(world.endpoints.calls).toContain(`UpdateEndpoint ${world.endpoint} -> ${newConfig}`);
    expect(world.endpoints.configs.has(oldConfig)).toBe(true);

    // A late event from before the switch changes nothing.
    await world.invoke(endpointEvent(world.endpoint, 'IN_SERVICE'));
    expect(world.endpoints.configs.has(oldConfig)).toBe(true);

    world.endpoints.settle(world.endpoint);
    await world.invoke(endpointEvent(world.endpoint, 'IN_SERVICE'));
    expect(world.endpoints.configs.has(oldConfig)).toBe(false);
    expect([...world.endpoints.configs.keys()]).toEqual([newConfig]);
  });

  it('is deleted with its configs on the next run once the setting is removed from sagedrop.json', async () => {
    const world = await endpointWorld();
    await world.run({ algorithm: 'linear-learner', endpoint: SETTING });
    world.endpoints.settle(world.endpoint);
    await world.invoke(endpointEvent(world.endpoint, 'IN_SERVICE'));

    await world.run({ algorithm: 'linear-learner' });
    expect(world.endpoints.endpoints.size).toBe(0);
    expect(world.endpoints.configs.size).toBe(0);
    expect(await readEndpointRecord(world.stack.store, world.endpoint)).toBeUndefined();
    expect(world.updates().map((u) => u.status)).toEqual(['Deleted']);
    const deleted = world.stack.notifications.find((n) => n.event.detailType === 'Endpoint Updated');
    expect(deleted?.body).toContain('"endpoint" setting was removed');
  });

  it('creates nothing for a dataset without the setting', async () => {
    const world = await endpointWorld();
    await world.run({ algorithm: 'linear-learner' });
    expect(await readChampion(world.stack.store, 'iris')).toBeDefined();
    expect(creates(world.endpoints)).toEqual([]);
  });
});
