import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../lib/logger';
import { endpointConfigNameOf, endpointNameOf } from '../../../lib/models/endpoint';
import { readEndpointRecord } from '../../../lib/models/endpoint-record';
import { finishEndpointChange, reconcileEndpoint, type ServeDeps } from '../../../lib/models/serve-champion';
import { renderMessage } from '../../../lib/notifications/render';
import { testConfig } from '../../support/config';
import { FakeEndpoints } from '../../support/fake-endpoints';
import { MemoryStore } from '../../support/memory-store';
import { RecordingNotifier } from '../../support/notifier';

const SETTING = { type: 'serverless', memoryMb: 2048, maxConcurrency: 5 } as const;
const IMAGE = '685385470294.dkr.ecr.eu-west-1.amazonaws.com/linear-learner:1';
const served = (job: string) => ({
  job,
  modelName: job,
  image: IMAGE,
  modelArtifact: `s3://sagedrop-data-123456789012/models/iris/${job}/output/model.tar.gz`,
});
const FIRST = served('sagedrop-dev--iris--run1');
const SECOND = served('sagedrop-dev--iris--run2');
const ENDPOINT = endpointNameOf('sagedrop-dev', 'iris');

function setup() {
  const store = new MemoryStore();
  const endpoints = new FakeEndpoints();
  const notifier = new RecordingNotifier();
  const deps: ServeDeps = {
    store,
    endpoints,
    models: endpoints,
    notifier,
    logger: silentLogger,
    config: testConfig,
    now: () => new Date('2026-11-30T12:00:00Z'),
  };
  return { store, endpoints, notifier, deps };
}

const finish = (deps: ServeDeps, status = 'InService') =>
  finishEndpointChange(deps, { endpoint: ENDPOINT, status });

describe('the dataset endpoint', () => {
  it('is named in the stack namespace and gets one serverless variant with the champion model', async () => {
    const { deps, endpoints } = setup();
    const result = await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    expect(result).toMatchObject({ outcome: 'create', endpoint: 'sagedrop-dev--iris' });
    const config = endpoints.configs.get(endpointConfigNameOf(ENDPOINT, FIRST.modelName, SETTING));
    expect(config).toMatchObject({
      ProductionVariants: [
        { ModelName: FIRST.modelName, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } },
      ],
    });
    expect(JSON.stringify(config)).not.toContain('InstanceType');
    expect(endpoints.endpoints.get(ENDPOINT)?.status).toBe('Creating');
  });

  it('creates nothing more when the same promotion is delivered again', async () => {
    const { deps, endpoints } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT);
    const creates = endpoints.calls.filter((c) => c.startsWith('Create')).length;
    const again = await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    expect(again.outcome).toBe('none');
    expect(endpoints.calls.filter((c) => c.startsWith('Create')).length).toBe(creates);
  });

  it('switches to a new champion with UpdateEndpoint and deletes the old config only after the switch', async () => {
    const { deps, endpoints, notifier } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT);
    await finish(deps);
    const oldConfig = endpointConfigNameOf(ENDPOINT, FIRST.modelName, SETTING);
    const newConfig = endpointConfigNameOf(ENDPOINT, SECOND.modelName, SETTING);

    const result = await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: SECOND });
    expect(result.outcome).toBe('switch');
    expect(endpoints.calls).toContain(`UpdateEndpoint ${ENDPOINT} -> ${newConfig}`);
    expect(endpoints.configs.has(oldConfig)).toBe(true);

    expect(await finish(deps)).toBe('ignored');
    expect(endpoints.configs.has(oldConfig)).toBe(true);

    endpoints.settle(ENDPOINT);
    expect(await finish(deps)).toBe('finished');
    expect(endpoints.configs.has(oldConfig)).toBe(false);
    expect(endpoints.configs.has(newConfig)).toBe(true);
    const updates = notifier.sent.filter((e) => e.detailType === 'Endpoint Updated');
    expect(updates.map((e) => e.detail.job)).toEqual([FIRST.job, SECOND.job]);
  });

  it('notifies once when SageMaker reports InService several times, with an invoke-endpoint example', async () => {
    const { deps, endpoints, notifier } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT);
    await Promise.all([finish(deps), finish(deps), finish(deps)]);
    await finish(deps);
    expect(notifier.sent).toHaveLength(1);
    const event = notifier.sent[0];
    if (event?.detailType !== 'Endpoint Updated') throw new Error('expected Endpoint Updated');
    expect(event.detail.invokeExample).toContain(
      `aws sagemaker-runtime invoke-endpoint --region eu-west-1 --endpoint-name ${ENDPOINT}`,
    );
    expect(renderMessage(event).body).toContain('nothing while idle');
  });

  it('waits while SageMaker is still changing the endpoint, and switches once it is done', async () => {
    const { deps, endpoints } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    const waiting = await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: SECOND });
    expect(waiting.outcome).toBe('wait');
    endpoints.settle(ENDPOINT);
    const switched = await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: SECOND });
    expect(switched.outcome).toBe('switch');
  });

  it('makes a new config when the memory setting changes', async () => {
    const { deps, endpoints } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT);
    const bigger = { ...SETTING, memoryMb: 4096 };
    const result = await reconcileEndpoint(deps, { dataset: 'iris', setting: bigger, champion: FIRST });
    expect(result.outcome).toBe('switch');
    expect(endpoints.endpoints.get(ENDPOINT)?.configName).toBe(
      endpointConfigNameOf(ENDPOINT, FIRST.modelName, bigger),
    );
  });

  it('is deleted with all its configs when the setting is removed, and says so once', async () => {
    const { deps, endpoints, store, notifier } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT);
    await finish(deps);
    const removed = await reconcileEndpoint(deps, { dataset: 'iris', setting: undefined, champion: FIRST });
    expect(removed.outcome).toBe('delete');
    expect(endpoints.endpoints.size).toBe(0);
    expect(endpoints.configs.size).toBe(0);
    expect(await readEndpointRecord(store, ENDPOINT)).toBeUndefined();
    const again = await reconcileEndpoint(deps, { dataset: 'iris', setting: undefined, champion: FIRST });
    expect(again.outcome).toBe('none');
    expect(notifier.sent.map((e) => (e.detailType === 'Endpoint Updated' ? e.detail.status : ''))).toEqual([
      'InService',
      'Deleted',
    ]);
  });

  it('waits for a champion before creating anything', async () => {
    const { deps, endpoints } = setup();
    const result = await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: undefined });
    expect(result).toMatchObject({ outcome: 'none', reason: 'the dataset has no champion to serve yet' });
    expect(endpoints.configs.size).toBe(0);
  });

  it('reports a failed endpoint once with SageMaker reason, deletes it and keeps the config for the next promotion', async () => {
    const { deps, endpoints, notifier } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT, 'Failed', 'Memory too small for the model');
    expect(await finish(deps, 'Failed')).toBe('failed');
    expect(endpoints.endpoints.has(ENDPOINT)).toBe(false);
    expect(endpoints.configs.has(endpointConfigNameOf(ENDPOINT, FIRST.modelName, SETTING))).toBe(true);
    expect(await finish(deps, 'Failed')).toBe('ignored');
    const again = await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    expect(again.outcome).toBe('create');
    expect(notifier.sent).toHaveLength(1);
    const event = notifier.sent[0];
    if (event?.detailType !== 'Endpoint Updated') throw new Error('expected Endpoint Updated');
    expect(event.detail).toMatchObject({ status: 'Failed', failureReason: 'Memory too small for the model' });
    expect(renderMessage(event).body).toContain('endpoint.memoryMb');
  });

  it('reports a switch SageMaker could not finish once, while the previous model keeps serving', async () => {
    const { deps, endpoints, notifier } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT);
    await finish(deps);
    const oldConfig = endpointConfigNameOf(ENDPOINT, FIRST.modelName, SETTING);
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: SECOND });
    endpoints.failUpdate(ENDPOINT, oldConfig, 'The model container failed the ping health check');
    expect(await finish(deps)).toBe('failed');
    expect(await finish(deps)).toBe('failed');
    expect(endpoints.endpoints.get(ENDPOINT)?.configName).toBe(oldConfig);
    expect(endpoints.configs.has(oldConfig)).toBe(true);
    const failures = notifier.sent.filter(
      (e) => e.detailType === 'Endpoint Updated' && e.detail.status === 'Failed',
    );
    expect(failures).toHaveLength(1);
    expect(failures[0]?.detail).toMatchObject({ job: SECOND.job });
    expect(JSON.stringify(failures[0]?.detail)).toContain('ping health check');
  });

  it('creates the champion model before the config that names it', async () => {
    const { deps, endpoints } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    expect(endpoints.calls.filter((c) => c.startsWith('Create'))).toEqual([
      `CreateModel ${FIRST.modelName}`,
      `CreateEndpointConfig ${endpointConfigNameOf(ENDPOINT, FIRST.modelName, SETTING)}`,
      `CreateEndpoint ${ENDPOINT}`,
    ]);
    expect(endpoints.models.get(FIRST.modelName)).toMatchObject({
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: FIRST.modelArtifact },
      ExecutionRoleArn: testConfig.sagemakerRoleArn,
    });
  });

  it('starts a switch once when two invocations race on the same promotion', async () => {
    const { deps, endpoints } = setup();
    await reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: FIRST });
    endpoints.settle(ENDPOINT);
    const results = await Promise.all([
      reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: SECOND }),
      reconcileEndpoint(deps, { dataset: 'iris', setting: SETTING, champion: SECOND }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['switch', 'switch']);
    expect(endpoints.calls.filter((c) => c.startsWith('UpdateEndpoint'))).toHaveLength(2);
    expect(endpoints.endpoints.get(ENDPOINT)).toMatchObject({
      status: 'Updating',
      configName: endpointConfigNameOf(ENDPOINT, SECOND.modelName, SETTING),
    });
  });
});
