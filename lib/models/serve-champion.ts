import { keys } from '../layout';
import type { Logger } from '../logger';
import type { EndpointUpdatedDetail } from '../notifications/events';
import { SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import type { EndpointBackend, Notifier, ObjectStore } from '../ports';
import { JOB_TAGS } from '../training/job-tags';
import {
  buildCreateEndpointRequest,
  buildEndpointConfigRequest,
  buildUpdateEndpointRequest,
  type EndpointPlan,
  endpointNameOf,
  invokeExample,
  planEndpoint,
  type ServerlessEndpointSetting,
} from './endpoint';
import { ENDPOINT_RECORD_VERSION, type EndpointRecord, readEndpointRecord } from './endpoint-record';

export interface ServeDeps {
  store: ObjectStore;
  endpoints: EndpointBackend;
  notifier: Notifier;
  logger: Logger;
  config: { jobPrefix: string; region: string };
  now?: () => Date;
}

/** The champion the endpoint should serve: its job and the SageMaker model made of it. */
export interface ServedModel {
  job: string;
  modelName: string;
}

export interface ReconcileInput {
  dataset: string;
  /** The dataset's `"endpoint"` setting; `undefined` when it has none (the endpoint goes). */
  setting: ServerlessEndpointSetting | undefined;
  champion: ServedModel | undefined;
}

export type ReconcileResult = { outcome: EndpointPlan['action']; endpoint: string; reason?: string };

const RECORD_ATTEMPTS = 5;

/** Writes the endpoint record by compare-and-swap against the version `change` was computed from. */
async function updateRecord(
  store: ObjectStore,
  endpoint: string,
  change: (current: EndpointRecord | undefined) => EndpointRecord | undefined,
): Promise<void> {
  for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt += 1) {
    const current = await readEndpointRecord(store, endpoint);
    const next = change(current?.record);
    if (!next) {
      if (current) await store.delete(keys.endpointRecord(endpoint));
      return;
    }
    const body = JSON.stringify(next, null, 2);
    const options = current
      ? { contentType: 'application/json', ifMatch: current.etag }
      : { contentType: 'application/json', ifAbsent: true };
    const { created } = await store.put(keys.endpointRecord(endpoint), body, options);
    if (created) return;
  }
  throw new Error(`${keys.endpointRecord(endpoint)} kept changing; retry`);
}

/**
 * Brings the dataset's serverless endpoint in line with its setting and its
 * champion: created on the first champion, switched with UpdateEndpoint to a
 * new champion (no downtime; the old config is kept until the switch has
 * finished), deleted when the setting is gone. Names derive from the dataset,
 * the model and the setting, so repeated events find the work already done.
 */
export async function reconcileEndpoint(deps: ServeDeps, input: ReconcileInput): Promise<ReconcileResult> {
  const { store, endpoints, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const endpoint = endpointNameOf(deps.config.jobPrefix, input.dataset);
  const current = await endpoints.describeEndpoint(endpoint);
  const plan = planEndpoint({
    setting: input.setting,
    championModel: input.champion?.modelName,
    endpoint,
    current,
  });
  const tags = { [JOB_TAGS.dataset]: input.dataset };
  switch (plan.action) {
    case 'none':
    case 'wait':
      logger.info('endpoint unchanged', { endpoint, reason: plan.reason });
      return { outcome: plan.action, endpoint, reason: plan.reason };
    case 'delete': {
      await endpoints.deleteEndpoint(endpoint);
      const record = await readEndpointRecord(store, endpoint);
      const configs = new Set([plan.configName, ...(record?.record.retiredConfigs ?? [])]);
      if (record) configs.add(record.record.configName);
      for (const config of configs) await endpoints.deleteEndpointConfig(config);
      await updateRecord(store, endpoint, () => undefined);
      logger.info('endpoint deleted', { endpoint });
      await notifyOnce(
        store,
        deps.notifier,
        endpointEvent(deps, { dataset: input.dataset, endpoint, status: 'Deleted' }),
        `endpoint-deleted-${plan.configName}`,
        `${endpoint}:${plan.configName}`,
        now,
      );
      return { outcome: 'delete', endpoint };
    }
    case 'create':
    case 'switch': {
      const setting = input.setting as ServerlessEndpointSetting;
      const champion = input.champion as ServedModel;
      await endpoints.createEndpointConfig(
        buildEndpointConfigRequest({
          configName: plan.configName,
          modelName: champion.modelName,
          setting,
          tags,
        }),
      );
      await updateRecord(store, endpoint, (previous) => ({
        schemaVersion: ENDPOINT_RECORD_VERSION,
        dataset: input.dataset,
        endpoint,
        configName: plan.configName,
        modelName: champion.modelName,
        championJob: champion.job,
        memoryMb: setting.memoryMb,
        maxConcurrency: setting.maxConcurrency,
        retiredConfigs: retire(previous, plan),
        updatedAt: now().toISOString(),
      }));
      if (plan.action === 'create') {
        await endpoints.createEndpoint(
          buildCreateEndpointRequest({ endpoint, configName: plan.configName, tags }),
        );
      } else {
        await endpoints.updateEndpoint(buildUpdateEndpointRequest({ endpoint, configName: plan.configName }));
      }
      logger.info('endpoint change started', { endpoint, action: plan.action, config: plan.configName });
      return { outcome: plan.action, endpoint };
    }
  }
}

/** The configs to delete once the endpoint runs on the new one: every earlier one but the new. */
function retire(previous: EndpointRecord | undefined, plan: EndpointPlan): string[] {
  const retired = new Set(previous?.retiredConfigs ?? []);
  if (previous) retired.add(previous.configName);
  if (plan.action === 'switch') retired.add(plan.from);
  if (plan.action === 'create' || plan.action === 'switch') retired.delete(plan.configName);
  return [...retired].sort();
}

export interface EndpointChange {
  endpoint: string;
  status: string;
  configName?: string;
  failureReason?: string;
}

/**
 * Finishes a switch when SageMaker reports the endpoint's new state: once it
 * is InService on the recorded config, deletes the configs it no longer needs
 * and notifies once; on Failed, notifies once with SageMaker's reason. Other
 * states and other endpoints are ignored.
 */
export async function finishEndpointChange(
  deps: ServeDeps,
  change: EndpointChange,
): Promise<'finished' | 'failed' | 'ignored'> {
  const { store, endpoints } = deps;
  const now = deps.now ?? (() => new Date());
  const found = await readEndpointRecord(store, change.endpoint);
  if (!found) return 'ignored';
  const record = found.record;
  // The event may be late: DescribeEndpoint says where the endpoint stands now.
  const current = await endpoints.describeEndpoint(record.endpoint);
  if (!current || current.configName !== record.configName) return 'ignored';
  if (current.status === 'InService') {
    for (const config of record.retiredConfigs) await endpoints.deleteEndpointConfig(config);
    await updateRecord(store, record.endpoint, (latest) =>
      latest && latest.configName === record.configName ? { ...latest, retiredConfigs: [] } : latest,
    );
    await notifyOnce(
      store,
      deps.notifier,
      endpointEvent(deps, {
        dataset: record.dataset,
        endpoint: record.endpoint,
        status: 'InService',
        job: record.championJob,
        configName: record.configName,
      }),
      `endpoint-${record.configName}`,
      record.configName,
      now,
    );
    return 'finished';
  }
  if (current.status === 'Failed') {
    await notifyOnce(
      store,
      deps.notifier,
      endpointEvent(deps, {
        dataset: record.dataset,
        endpoint: record.endpoint,
        status: 'Failed',
        job: record.championJob,
        configName: record.configName,
        failureReason: current.failureReason ?? change.failureReason,
      }),
      `endpoint-${record.configName}`,
      record.configName,
      now,
    );
    return 'failed';
  }
  return 'ignored';
}

function endpointEvent(
  deps: ServeDeps,
  detail: Omit<EndpointUpdatedDetail, 'schemaVersion' | 'invokeExample' | 'region'>,
): { detailType: 'Endpoint Updated'; detail: EndpointUpdatedDetail } {
  return {
    detailType: 'Endpoint Updated',
    detail: {
      schemaVersion: SCHEMA_VERSION,
      ...detail,
      region: deps.config.region,
      ...(detail.status === 'InService'
        ? { invokeExample: invokeExample(detail.endpoint, deps.config.region) }
        : {}),
    },
  };
}
