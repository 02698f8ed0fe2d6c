declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, Server, ServerResponse } from 'node:http';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    vhostBuckets?: boolean;
    allowMismatchedSignatures?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** What s3rver stores for an object; `content` is a stream, or a buffer for small bodies. */
  interface S3rverObject {
    bucket: string;
    key: string;
    content: NodeJS.ReadableStream | Buffer;
    metadata: Record<string, string>;
  }

  /** s3rver's FilesystemStore: one file per object, `<key>._S3rver_object`, with metadata beside it. */
  interface S3rverStore {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
    copyObject(
      srcBucket: string,
      srcKey: string,
      destBucket: string,
      destKey: string,
      replacementMetadata?: Record<string, string>,
    ): Promise<unknown>;
  }

  class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    store: S3rverStore;
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    httpServer?: Server;
  }

  export = S3rver;
}
