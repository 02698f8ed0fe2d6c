import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import type { ObjectStore } from '../ports';
import { createLocalInference, MAX_INVOCATION_BYTES } from './inference';

export interface LocalInferenceServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The URL a dataset's rows are posted to. */
  invocationsUrl(dataset: string): string;
  stop(): Promise<void>;
}

const ROUTE = /^\/endpoints\/([^/?#]+)\/invocations\/?(?:\?.*)?$/;

/** The body, or only its size once it passed `limit` bytes (the rest is drained, not kept). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | number> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= limit) parts.push(chunk as Buffer);
  }
  return size > limit ? size : Buffer.concat(parts);
}

/**
 * The local stand-in for the datasets' SageMaker endpoints, on loopback:
 * `POST /endpoints/<dataset>/invocations` answers from the dataset's
 * champion as its endpoint would (`sagemaker-runtime invoke-endpoint`), so
 * client code can be tried before deploying.
 */
export async function startLocalInference(options: {
  store: ObjectStore;
  bucket: string;
  port?: number;
  logger: Logger;
}): Promise<LocalInferenceServer> {
  const invoke = createLocalInference(options);
  const server = createServer((request, response) => {
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'Content-Type': contentType });
      response.end(body);
    };
    const route = ROUTE.exec(request.url ?? '');
    if (!route) {
      send(404, 'text/plain; charset=utf-8', 'POST rows to /endpoints/<dataset>/invocations\n');
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      send(405, 'text/plain; charset=utf-8', 'invocations take POST\n');
      return;
    }
    const dataset = decodeURIComponent(route[1] as string);
    readBody(request, MAX_INVOCATION_BYTES)
      .then((body) =>
        invoke({
          dataset,
          contentType: request.headers['content-type'],
          accept: request.headers.accept,
          // An oversized body is answered 413 by its size alone.
          ...(typeof body === 'number' ? { body: Buffer.alloc(0), size: body } : { body }),
        }),
      )
      .then((answer) => {
        options.logger.info('local invocation', { dataset, status: answer.status, job: answer.job });
        send(answer.status, answer.contentType, answer.body);
      })
      .catch((error: unknown) => {
        options.logger.error('local invocation failed', { dataset, error });
        send(500, 'text/plain; charset=utf-8', `${(error as Error).message}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    invocationsUrl: (dataset) => `${url}/endpoints/${encodeURIComponent(dataset)}/invocations`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
