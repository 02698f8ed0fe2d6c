import * as z from 'zod';
import { keys } from '../layout';
import type { ObjectStore } from '../ports';

export const ENDPOINT_RECORD_VERSION = '1.0';

/**
 * `catalog/_endpoints/<endpoint>.json`: what a dataset's endpoint was last asked
 * to serve, and the configs it served before, which are deleted only once the
 * switch away from them has finished (UpdateEndpoint needs the old config
 * until then).
 */
export const endpointRecordSchema = z.lazy(() =>
  z.object({
    schemaVersion: z.literal(ENDPOINT_RECORD_VERSION),
    dataset: z.string(),
    endpoint: z.string(),
    configName: z.string(),
    modelName: z.string(),
    championJob: z.string(),
    memoryMb: z.number(),
    maxConcurrency: z.number(),
    retiredConfigs: z.array(z.string()),
    updatedAt: z.string(),
  }),
);
export type EndpointRecord = z.infer<typeof endpointRecordSchema>;

/**
 * The record of `endpoint` with its ETag, or `undefined` when there is none or
 * it is unreadable. Kept by endpoint name, which SageMaker's state-change
 * events carry, with the dataset inside.
 */
export async function readEndpointRecord(
  store: ObjectStore,
  endpoint: string,
): Promise<{ record: EndpointRecord; etag: string } | undefined> {
  const key = keys.endpointRecord(endpoint);
  const head = await store.head(key);
  if (!head) return undefined;
  const text = await store.getText(key);
  if (text === undefined) return undefined;
  try {
    const parsed = endpointRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? { record: parsed.data, etag: head.etag } : undefined;
  } catch {
    return undefined;
  }
}
