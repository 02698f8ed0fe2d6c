import { AsyncLocalStorage } from 'node:async_hooks';
import { readdir, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { replaceObjectsWhole, storedVersionId, VERSION_METADATA } from './s3-object-files';

/** One record of an S3 event notification, as Lambda receives it. */
export interface S3NotificationRecord {
  eventVersion: string;
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/** The payload S3 hands to a notification target (Lambda, SQS). */
export interface S3Notification {
  Records: S3NotificationRecord[];
}

export type ObjectCreatedListener = (notification: S3Notification) => void | Promise<void>;

export interface LocalS3Options {
  /** Where the server keeps the bucket's objects. */
  dir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  bucket?: string;
  region?: string;
  /** Receives what a listener throws; the default writes it to stderr. */
  onListenerError?: (error: unknown) => void;
  /**
   * How long an idle connection stays open (Node's default is 5 s). A client
   * behind a slow link receives a response long after the server sent it, and
   * must not find its connection closed when it sends the next request.
   */
  keepAliveMs?: number;
}

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  region: string;
  /** Everything an `S3Client` needs to talk to this server. */
  clientConfig: S3ClientConfig & { forcePathStyle: true };
  /** The file holding the bytes of `key` (read-only; replaced whole when the object is). */
  objectFile(key: string): string;
  /** Keys of multipart uploads started and neither completed nor aborted. */
  openMultipartUploads(): Promise<string[]>;
  /** Calls `listener` with an S3-shaped notification after each object is created. Returns an unsubscribe function. */
  onObjectCreated(listener: ObjectCreatedListener): () => void;
  stop(): Promise<void>;
}

export const LOCAL_BUCKET = 'sagedrop-local';
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

interface RawS3rverRecord {
  eventName: string;
  eventTime: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string } };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

interface RequestInfo {
  method: string;
  url: string;
  res: ServerResponse;
  /** The versions this request stored, by key, for its event records. */
  versions: Map<string, { versionId: string; sequencer: string }>;
}

/** S3 encodes keys in notifications like a form value (space as `+`), keeping `/`. */
export function encodeNotificationKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/**
 * s3rver's events differ from S3's: version 2.0, keys not encoded, a malformed
 * bucket ARN, no version id, and multipart completions reported as `ObjectCreated:Post`.
 * This makes them what a Lambda receives from S3.
 */
function normaliseRecord(raw: RawS3rverRecord, request: RequestInfo | undefined, region: string) {
  const isCompleteMultipart =
    raw.eventName === 'ObjectCreated:Post' && request?.method === 'POST' && /[?&]uploadId=/.test(request.url);
  const version = request?.versions.get(raw.s3.object.key);
  const object: S3NotificationRecord['s3']['object'] = {
    key: encodeNotificationKey(raw.s3.object.key),
    // s3rver's sequencer is the time in milliseconds: two writes in one millisecond would tie.
    sequencer: version?.sequencer ?? raw.s3.object.sequencer,
  };
  if (version) object.versionId = version.versionId;
  if (raw.s3.object.size !== undefined) object.size = Number(raw.s3.object.size);
  if (raw.s3.object.eTag !== undefined) object.eTag = raw.s3.object.eTag;
  const record: S3NotificationRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: raw.eventTime,
    eventName: isCompleteMultipart ? 'ObjectCreated:CompleteMultipartUpload' : raw.eventName,
    userIdentity: raw.userIdentity,
    requestParameters: raw.requestParameters,
    responseElements: raw.responseElements,
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: raw.s3.configurationId,
      bucket: {
        name: raw.s3.bucket.name,
        ownerIdentity: raw.s3.bucket.ownerIdentity,
        arn: `arn:aws:s3:::${raw.s3.bucket.name}`,
      },
      object,
    },
  };
  return record;
}

/**
 * s3rver answers an object's stored metadata as headers: the version id, kept
 * as user metadata (`VERSION_METADATA`), goes out as S3's `x-amz-version-id`.
 */
function answerVersionsAsS3(res: ServerResponse): void {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) =>
    setHeader(name.toLowerCase() === VERSION_METADATA ? 'x-amz-version-id' : name, value);
}

/** The key and version id of a path-style object request that names a version (`?versionId=`). */
function requestedVersion(url: string): { key: string; versionId: string } | undefined {
  const parsed = new URL(url, 'http://local');
  const versionId = parsed.searchParams.get('versionId');
  if (!versionId) return undefined;
  const [, , ...rest] = parsed.pathname.split('/');
  if (rest.length === 0) return undefined;
  return { key: decodeURIComponent(rest.join('/')), versionId };
}

/**
 * Starts an S3-compatible server (s3rver) on 127.0.0.1 with one bucket, for
 * local mode and integration tests. Its quirks are smoothed here so that
 * everything above sees S3's behaviour and S3's notification payloads.
 */
export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const bucket = options.bucket ?? LOCAL_BUCKET;
  const region = options.region ?? 'us-east-1';
  const onListenerError =
    options.onListenerError ??
    ((error: unknown) => console.error('local S3 notification listener failed', error));
  const requests = new AsyncLocalStorage<RequestInfo>();
  const listeners = new Set<ObjectCreatedListener>();

  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.dir,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  replaceObjectsWhole(server.store, (key, version) => {
    const request = requests.getStore();
    request?.versions.set(key, version);
    // As S3 answers a write to a versioned bucket (PutObject, CompleteMultipartUpload, CopyObject).
    if (request && !request.res.headersSent) request.res.setHeader('x-amz-version-id', version.versionId);
  });
  // Remember which request an event comes from: s3rver's event does not say whether a POST was a multipart completion.
  const handlerFactory = server.callback.bind(server);
  const uploadsDir = join(options.dir, bucket, '._S3rver_uploads');
  server.callback = () => {
    const handle = handlerFactory();
    return (req: IncomingMessage, res: ServerResponse) => {
      const method = req.method ?? '';
      const url = req.url ?? '';
      const abortedUpload = method === 'DELETE' ? /[?&]uploadId=([0-9a-f]+)/.exec(url)?.[1] : undefined;
      if (abortedUpload) {
        // s3rver has no AbortMultipartUpload: drop the stored parts as S3 does.
        rm(join(uploadsDir, abortedUpload), { recursive: true, force: true }).then(
          () => res.writeHead(204).end(),
          () => res.writeHead(500).end(),
        );
        return;
      }
      answerVersionsAsS3(res);
      const versionQuery = method === 'GET' || method === 'HEAD' ? requestedVersion(url) : undefined;
      if (versionQuery === undefined) {
        requests.run({ method, url, res, versions: new Map() }, () => handle(req, res));
        return;
      }
      // Only the current version is kept: a read of any other is answered as S3 answers an unknown one.
      storedVersionId(server.store, bucket, versionQuery.key).then(
        (current) => {
          if (current !== undefined && current !== versionQuery.versionId) {
            res.writeHead(404, { 'content-type': 'application/xml' });
            res.end(
              method === 'HEAD'
                ? undefined
                : '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchVersion</Code><Message>The specified version does not exist.</Message></Error>',
            );
            return;
          }
          requests.run({ method, url, res, versions: new Map() }, () => handle(req, res));
        },
        () => res.writeHead(500).end(),
      );
    };
  };
  server.on('event', (event: { Records: RawS3rverRecord[] }) => {
    const request = requests.getStore();
    const records = event.Records.filter((r) => r.eventName.startsWith('ObjectCreated:')).map((r) =>
      normaliseRecord(r, request, region),
    );
    if (records.length === 0) return;
    for (const listener of listeners) {
      // Deliver after the response, as S3 does, and never inside s3rver's request handling.
      setImmediate(() => {
        try {
          Promise.resolve(listener({ Records: records })).catch(onListenerError);
        } catch (error) {
          onListenerError(error);
        }
      });
    }
  });

  const address = await server.run();
  if (options.keepAliveMs !== undefined && server.httpServer)
    server.httpServer.keepAliveTimeout = options.keepAliveMs;
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    bucket,
    region,
    clientConfig: {
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { ...LOCAL_CREDENTIALS },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
    objectFile: (key) => server.store.getResourcePath(bucket, key, 'object'),
    async openMultipartUploads() {
      const ids = await readdir(uploadsDir).catch(() => [] as string[]);
      const found = await Promise.all(
        ids.map((id) => readFile(join(uploadsDir, id, 'key'), 'utf8').catch(() => undefined)),
      );
      return found.filter((key): key is string => key !== undefined).sort();
    },
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      listeners.clear();
      server.httpServer?.closeAllConnections();
      await server.close();
    },
  };
}
