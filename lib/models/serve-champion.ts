import { keys } from '../layout';
import type { Logger } from '../logger';
import type { EndpointUpdatedDetail } from '../notifications/events';
import { SCHEMA_VERSION } from '../notifications/events';
import { notifyOnce } from '../notifications/notify-once';
import type { EndpointBackend, Notifier, ObjectStore, ScoringBackend } from '../ports';
import type { Config } from '../settings/config';
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
import { buildModelRequest } from './transform';

export interface ServeDeps {
  store: ObjectStore;
  endpoints: EndpointBackend;
  /** Creates the champion's SageMaker model when it is missing (it usually exists from its evaluation). */
  models: Pick<ScoringBackend, 'createModel'>;
  notifier: Notifier;
  logger: Logger;
  config: Pick<Config, 'jobPrefix' | 'region' | 'sagemakerRoleArn' | 'stackName'>;
  now?: () => Date;
}

/** The champion the endpoint should serve: its job and the SageMaker model made of it. */
export interface ServedModel {
  job: string;
  modelName: string;
  image: string;
  modelArtifact: string;
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
    case 'remove-failed':
      await endpoints.deleteEndpoint(endpoint);
      logger.warn('failed endpoint deleted', { endpoint, reason: plan.reason });
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
      await deps.models.createModel(
        buildModelRequest({
          modelName: champion.modelName,
          image: champion.image,
          modelDataUrl: champion.modelArtifact,
          roleArn: deps.config.sagemakerRoleArn,
          tags: {
            [JOB_TAGS.dataset]: input.dataset,
            [JOB_TAGS.job]: champion.job,
            [JOB_TAGS.stack]: deps.config.stackName,
          },
        }),
      );
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
        await switchEndpoint(endpoints, endpoint, plan.configName);
      }
      logger.info('endpoint change started', { endpoint, action: plan.action, config: plan.configName });
      return { outcome: plan.action, endpoint };
    }
  }
}

/**
 * UpdateEndpoint, tolerating the one refusal a duplicate event causes: a
 * racing invocation already started the same switch, so SageMaker says the
 * endpoint is being updated, and DescribeEndpoint names the same config.
 */
async function switchEndpoint(endpoints: EndpointBackend, endpoint: string, configName: string) {
  try {
    await endpoints.updateEndpoint(buildUpdateEndpointRequest({ endpoint, configName }));
  } catch (error) {
    const now = await endpoints.describeEndpoint(endpoint);
    if (now?.configName === configName && now.status !== 'Failed') return;
    throw error;
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

export type FinishOutcome = 'finished' | 'failed' | 'ignored';

/**
 * Finishes a change when SageMaker reports the endpoint's new state, from
 * what DescribeEndpoint says now (events repeat and arrive late or out of
 * order). InService on the recorded config: the configs it no longer needs
 * are deleted and "Endpoint Updated" is sent once. InService on an older
 * config with a FailureReason: the switch failed and the old model keeps
 * serving; said once. Failed: said once with SageMaker's reason, and the
 * endpoint deleted (SageMaker accepts nothing else on a failed endpoint), so
 * the next promotion or run creates it again. Anything else is ignored.
 */
export async function finishEndpointChange(deps: ServeDeps, change: EndpointChange): Promise<FinishOutcome> {
  const { store, endpoints } = deps;
  const now = deps.now ?? (() => new Date());
  const found = await readEndpointRecord(store, change.endpoint);
  if (!found) return 'ignored';
  const record = found.record;
  const current = await endpoints.describeEndpoint(record.endpoint);
  if (!current) return 'ignored';
  const failed = (failureReason: string | undefined) =>
    notifyOnce(
      store,
      deps.notifier,
      endpointEvent(deps, {
        dataset: record.dataset,
        endpoint: record.endpoint,
        status: 'Failed',
        job: record.championJob,
        configName: record.configName,
        failureReason: failureReason ?? 'SageMaker gave no reason',
      }),
      `endpoint-failed-${record.configName}`,
      record.configName,
      now,
    );
  if (current.status === 'InService' && current.configName === record.configName) {
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
  if (current.status === 'InService' && current.failureReason) {
    // A failed UpdateEndpoint leaves the endpoint in service on its old config, with the reason.
    await failed(
      `the switch to ${record.configName} failed, the previous model keeps serving: ${current.failureReason}`,
    );
    return 'failed';
  }
  if (current.status === 'Failed' && current.configName === record.configName) {
    await failed(current.failureReason ?? change.failureReason);
    await endpoints.deleteEndpoint(record.endpoint);
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
