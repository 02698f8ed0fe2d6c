import * as z from 'zod';
import { keys } from '../layout';
import { type Notifier, type ObjectStore, readStoredRecord, type StoredRecord } from '../ports';
import type { PipelineEvent } from './events';

/** How long another invocation's unfinished send is trusted before this one takes over. */
export const NOTIFY_LEASE_MS = 16 * 60 * 1000;

/** A pipeline event as stored: its type and a detail naming the dataset, the fields every event has. */
const storedEventSchema = z.lazy(() =>
  z.custom<PipelineEvent>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { detailType?: unknown }).detailType === 'string' &&
      typeof (value as { detail?: { dataset?: unknown } }).detail?.dataset === 'string',
    'not a pipeline event (detailType and detail.dataset)',
  ),
);

const notificationRecordSchema = z.lazy(() =>
  z.object({
    state: z.enum(['sending', 'sent', 'failed']),
    owner: z.string(),
    at: z.string(),
    event: storedEventSchema,
  }),
);

/** `notifications/<dataset>/<id>.json`: one notification, claimed before it is sent and marked after. */
export type NotificationRecord = z.infer<typeof notificationRecordSchema>;

/** The notification record at `key`, checked. */
export function readNotificationRecord(
  store: Pick<ObjectStore, 'getText'>,
  key: string,
): Promise<StoredRecord<NotificationRecord>> {
  return readStoredRecord(store, key, notificationRecordSchema);
}

/**
 * Sends `event` once per `id`, whatever duplicates and retries call this.
 *
 * A record at `notifications/<dataset>/<id>.json` is claimed before sending and
 * marked sent after. A concurrent duplicate (another `owner`) backs off while
 * the claim is fresh; a retry of the same invocation (same `owner`, as Lambda
 * keeps the request id across retries) or a stale claim sends again, so a crash
 * between claim and send never loses the notification. A send that throws marks
 * the record failed before rethrowing, so any later attempt (a redrive from the
 * on-failure queue comes with a new request id) sends it. Returns whether this
 * call sent it.
 */
export async function notifyOnce(
  store: ObjectStore,
  notifier: Notifier,
  event: PipelineEvent,
  id: string,
  owner: string,
  now: () => Date = () => new Date(),
): Promise<boolean> {
  const key = keys.notification(event.detail.dataset, id);
  const claim: NotificationRecord = { state: 'sending', owner, at: now().toISOString(), event };
  const { created } = await store.put(key, JSON.stringify(claim), {
    contentType: 'application/json',
    ifAbsent: true,
  });
  if (!created) {
    const current = await store.head(key);
    const read = current ? await readNotificationRecord(store, key) : undefined;
    if (!current || !read || read.state === 'absent') return false;
    // A record that is not one tells nothing of a send: it is taken over, so the notification is not lost.
    const existing = read.state === 'valid' ? read.record : undefined;
    if (existing?.state === 'sent') return false;
    const fresh = existing !== undefined && now().getTime() - Date.parse(existing.at) < NOTIFY_LEASE_MS;
    if (existing?.state === 'sending' && existing.owner !== owner && fresh) return false;
    // Take over only the record as read: of two takers, one wins and the other backs off.
    const { created: took } = await store.put(key, JSON.stringify(claim), {
      contentType: 'application/json',
      ifMatch: current.etag,
    });
    if (!took) return false;
  }
  try {
    await notifier.notify(event);
  } catch (error) {
    const failed: NotificationRecord = { state: 'failed', owner, at: now().toISOString(), event };
    await store.put(key, JSON.stringify(failed), { contentType: 'application/json' }).catch(() => {});
    throw error;
  }
  const sent: NotificationRecord = { state: 'sent', owner, at: now().toISOString(), event };
  await store.put(key, JSON.stringify(sent), { contentType: 'application/json' });
  return true;
}
