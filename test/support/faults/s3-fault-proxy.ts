import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy can do to one S3 request instead of passing it through. */
export type S3FaultKind = 'http-500' | 'slowdown-503' | 'reset-get-body' | 'reset-upload-part';

export const S3_FAULT_KINDS: readonly S3FaultKind[] = [
  'http-500',
  'slowdown-503',
  'reset-get-body',
  'reset-upload-part',
];

/** One request as the proxy sees it: path-style, key decoded. */
export interface S3Request {
  method: string;
  bucket: string;
  /** Empty for bucket-level requests (ListObjectsV2). */
  key: string;
  query: URLSearchParams;
  /** `GetObject`, `PutObject`, `UploadPart`, ...: the operation, as far as the request says. */
  operation: string;
  /** The Range header of a ranged GetObject (`bytes=0-99`). */
  range?: string;
}

export interface S3FaultRule {
  kind: S3FaultKind;
  match: (request: S3Request) => boolean;
  /** How many matching requests get the fault; the rule is spent after that. */
  times: number;
  /** Called each time the fault is injected. */
  onInjected?: (request: S3Request) => void;
}

export interface S3FaultProxy {
  /** The endpoint clients use instead of the server's. */
  endpoint: string;
  /** Adds a rule; rules are tried in the order they were added. */
  inject(rule: S3FaultRule): void;
  /** Faults actually injected so far, by kind. */
  readonly injected: Record<S3FaultKind, number>;
  /** Rules that have not been spent yet. */
  pending(): number;
  /** Drops every rule not yet spent. */
  clear(): void;
  stop(): Promise<void>;
}

const ERRORS: Record<'http-500' | 'slowdown-503', { status: number; code: string; message: string }> = {
  'http-500': {
    status: 500,
    code: 'InternalError',
    message: 'We encountered an internal error. Please try again.',
  },
  'slowdown-503': { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' },
};

/** Names the S3 operation of a path-style request. */
export function operationOf(method: string, key: string, query: URLSearchParams): string {
  if (method === 'GET') return key ? 'GetObject' : 'ListObjects';
  if (method === 'HEAD') return key ? 'HeadObject' : 'HeadBucket';
  if (method === 'DELETE') return query.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
  if (method === 'POST' && query.has('uploads')) return 'CreateMultipartUpload';
  if (method === 'POST' && query.has('uploadId')) return 'CompleteMultipartUpload';
  if (method === 'PUT' && query.has('partNumber')) return 'UploadPart';
  if (method === 'PUT') return 'PutObject';
  return method;
}

function parseRequest(req: IncomingMessage): S3Request {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  const method = req.method ?? 'GET';
  const request: S3Request = {
    method,
    bucket,
    key,
    query: url.searchParams,
    operation: operationOf(method, key, url.searchParams),
  };
  if (typeof req.headers.range === 'string') request.range = req.headers.range;
  return request;
}

/** S3's XML error document, as the SDK parses it into `error.name`. */
function errorBody(code: string, message: string, key: string): string {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message><Key>${key.replace(/[<>&]/g, '')}</Key>` +
    `<RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`
  );
}

function forwardHeaders(req: IncomingMessage, upstreamHost: string): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ...req.headers, host: upstreamHost };
  // The proxy has already answered 100-continue on its side; the server gets the body straight away.
  delete headers.expect;
  return headers;
}

/**
 * A loopback HTTP proxy in front of an S3 endpoint that, per rule, answers
 * with S3's 500 InternalError or 503 SlowDown (XML error bodies, as S3 sends
 * them), cuts the connection half-way through a GetObject response body (whole
 * or ranged), or
 * half-way through an UploadPart request body (the server sees the part
 * truncated and the client sees the socket die). Everything else is passed
 * through unchanged, so the SDK's own retries and the functions' handling of
 * what survives them are what is exercised.
 */
export async function startS3FaultProxy(upstreamEndpoint: string): Promise<S3FaultProxy> {
  const upstream = new URL(upstreamEndpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const rules: S3FaultRule[] = [];
  const injected = Object.fromEntries(S3_FAULT_KINDS.map((k) => [k, 0])) as Record<S3FaultKind, number>;

  const take = (request: S3Request): S3FaultRule | undefined => {
    const index = rules.findIndex((rule) => rule.times > 0 && rule.match(request));
    const rule = rules[index];
    if (!rule) return undefined;
    rule.times -= 1;
    if (rule.times <= 0) rules.splice(index, 1);
    injected[rule.kind] += 1;
    rule.onInjected?.(request);
    return rule;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, fault?: S3FaultKind) => {
    const out = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: forwardHeaders(req, upstream.host),
      agent,
    });
    out.on('error', () => res.socket?.destroy());
    out.on('response', (answer) => {
      if (fault === 'reset-get-body' && (answer.statusCode === 200 || answer.statusCode === 206)) {
        cutResponse(answer, res);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    if (fault === 'reset-upload-part') {
      cutRequest(req, res, out);
      return;
    }
    req.pipe(out);
  };

  const server: Server = createServer((req, res) => {
    const request = parseRequest(req);
    const rule = take(request);
    if (!rule) return forward(req, res);
    if (rule.kind === 'http-500' || rule.kind === 'slowdown-503') {
      const { status, code, message } = ERRORS[rule.kind];
      req.resume();
      req.on('end', () => {
        const body = req.method === 'HEAD' ? '' : errorBody(code, message, request.key);
        res.writeHead(status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      });
      return;
    }
    forward(req, res, rule.kind);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject: (rule) => {
      if (rule.times > 0) rules.push({ ...rule });
    },
    injected,
    pending: () => rules.length,
    clear: () => {
      rules.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** Sends the status, headers and the first half of the body, then kills the socket. */
function cutResponse(answer: IncomingMessage, res: ServerResponse) {
  const length = Number(answer.headers['content-length'] ?? 0);
  const budget = Math.max(1, Math.floor(length / 2));
  let sent = 0;
  res.writeHead(answer.statusCode ?? 200, answer.headers);
  answer.on('data', (chunk: Buffer) => {
    if (sent >= budget) return;
    const part = chunk.subarray(0, budget - sent);
    sent += part.byteLength;
    if (sent < budget) {
      res.write(part);
      return;
    }
    answer.pause();
    // Let the half body leave before the reset, as a connection dying mid-transfer would.
    res.write(part, () => {
      res.socket?.destroy();
      answer.destroy();
    });
  });
  // A body shorter than announced cannot be cut half-way: end the connection the same way.
  answer.on('end', () => {
    if (sent < budget) res.socket?.destroy();
  });
}

/** Passes the first half of the request body to the server, then kills both connections. */
function cutRequest(req: IncomingMessage, res: ServerResponse, out: ReturnType<typeof httpRequest>) {
  const length = Number(req.headers['content-length'] ?? 0);
  const budget = Math.max(1, Math.floor(length / 2));
  let sent = 0;
  req.on('data', (chunk: Buffer) => {
    if (sent >= budget) return;
    const part = chunk.subarray(0, budget - sent);
    sent += part.byteLength;
    out.write(part);
    if (sent >= budget) {
      out.destroy();
      res.socket?.destroy();
      req.destroy();
    }
  });
  req.on('end', () => {
    out.destroy();
    res.socket?.destroy();
  });
}
