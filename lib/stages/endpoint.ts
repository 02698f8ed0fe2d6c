import type { EndpointStateEvent } from '../events/endpoint';
import type { Logger } from '../logger';
import { readChampion } from '../models/champion';
import type { ServerlessEndpointSetting } from '../models/endpoint';
import { readEndpointRecord } from '../models/endpoint-record';
import {
  type FinishOutcome,
  finishEndpointChange,
  type ReconcileResult,
  reconcileEndpoint,
  type ServeDeps,
} from '../models/serve-champion';
import type { EndpointBackend, ObjectStore } from '../ports';
import { readCatalogEntry } from '../training/catalog';
import { readLatestPointer } from '../training/catalog-records';
import { stackNamePrefix } from '../training/job-name';
import { runManifestSchema } from '../training/manifest';
import type { EvaluateDeps } from './deps';

export type { ServeDeps };

/** What serving the champion needs, from the evaluate function's dependencies. */
export function serveDepsOf(
  deps: EvaluateDeps & { endpoints: EndpointBackend },
  logger: Logger = deps.logger,
): ServeDeps {
  return {
    store: deps.store,
    endpoints: deps.endpoints,
    models: deps.scorer,
    notifier: deps.notifier,
    logger,
    config: deps.config,
  };
}

/**
 * The `"endpoint"` setting of the dataset's newest completed run (its
 * manifest records the settings the merge resolved: sagedrop.json over the
 * stack default), so removing it from sagedrop.json takes effect with the
 * next run. `known: false` when the newest run cannot be read: then nothing
 * is deleted on a guess.
 */
export async function newestEndpointSetting(
  store: ObjectStore,
  dataset: string,
): Promise<{ known: true; setting: ServerlessEndpointSetting | undefined } | { known: false; why: string }> {
  const latest = await readLatestPointer(store, dataset);
  if (latest.state === 'absent') return { known: true, setting: undefined };
  if (latest.state === 'invalid') return { known: false, why: latest.problem };
  const entry = await readCatalogEntry(store, dataset, latest.record.job);
  const manifest = runManifestSchema.safeParse(entry?.manifest);
  if (!manifest.success) {
    return { known: false, why: `the manifest of ${latest.record.job} is not readable` };
  }
  const setting = manifest.data.settings.endpoint;
  return { known: true, setting: setting ? { ...setting, type: 'serverless' } : undefined };
}

/**
 * Brings the dataset's endpoint in line with its champion and the settings
 * of its newest run: called whenever an evaluation ends or a model is
 * approved, and when an endpoint change finishes (a champion promoted while
 * SageMaker was busy is switched to then). Idempotent: repeated calls find
 * the work done.
 */
export async function serveChampion(deps: ServeDeps, dataset: string): Promise<ReconcileResult | undefined> {
  const newest = await newestEndpointSetting(deps.store, dataset);
  if (!newest.known) {
    deps.logger.warn('endpoint left as it is', { dataset, reason: newest.why });
    return undefined;
  }
  const champion = await readChampion(deps.store, dataset);
  return reconcileEndpoint(deps, {
    dataset,
    setting: newest.setting,
    champion: champion && {
      job: champion.job,
      modelName: champion.modelName,
      image: champion.image,
      modelArtifact: champion.modelArtifact,
    },
  });
}

export type EndpointStateOutcome =
  | { outcome: 'ignored'; reason: string }
  | { outcome: FinishOutcome; endpoint: string; dataset?: string; next?: ReconcileResult };

/**
 * Handles a "SageMaker Endpoint State Change" of this stack's endpoints:
 * finishes the change (old configs deleted once the new one is in service,
 * one notification), then, once in service, serves a champion promoted in
 * the meantime. Duplicates and late events find the work done.
 */
export async function endpointStateChanged(
  deps: ServeDeps,
  event: EndpointStateEvent,
): Promise<EndpointStateOutcome> {
  if (!event.endpoint.startsWith(stackNamePrefix(deps.config.jobPrefix))) {
    return { outcome: 'ignored', reason: `${event.endpoint} is not an endpoint of this stack` };
  }
  const record = await readEndpointRecord(deps.store, event.endpoint);
  const outcome = await finishEndpointChange(deps, {
    endpoint: event.endpoint,
    status: event.status,
    ...(event.failureReason ? { failureReason: event.failureReason } : {}),
  });
  if (!record) return { outcome, endpoint: event.endpoint };
  const dataset = record.record.dataset;
  if (outcome !== 'finished') return { outcome, endpoint: event.endpoint, dataset };
  const next = await serveChampion(deps, dataset);
  return { outcome, endpoint: event.endpoint, dataset, ...(next ? { next } : {}) };
}
