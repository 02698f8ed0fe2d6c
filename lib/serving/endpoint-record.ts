import { z } from 'zod';
import { PREFIX } from '../layout';
import type { ObjectStore } from '../ports';

export const ENDPOINT_RECORD_VERSION = '1.0';

/**
 * `catalog/<dataset>/endpoint.json`: what the dataset's endpoint was last asked
 * to serve, and the configs it served before, which are deleted only once the
 * switch away from them has finished (UpdateEndpoint needs the old config
 * until then).
 */
export const endpointRecordSchema = z.object({
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
});
export type EndpointRecord = z.infer<typeof endpointRecordSchema>;

export const endpointRecordKey = (dataset: string) => `${PREFIX.catalog}${dataset}/endpoint.json`;

/** The dataset's endpoint record with its ETag, or `undefined` when there is none or it is unreadable. */
export async function readEndpointRecord(
  store: ObjectStore,
  dataset: string,
): Promise<{ record: EndpointRecord; etag: string } | undefined> {
  const key = endpointRecordKey(dataset);
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
