import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** How one connection to S3 behaves, as the proxy imposes it. */
export interface LinkModel {
  /** Bytes per second one connection carries, in each direction. */
  bytesPerSecond: number;
  /** Wait before the first byte of each response (the server's time to answer). */
  firstByteMs: number;
}

/** What crossed the proxy since the last reset. */
export interface LinkStats {
  /** Connections opened. */
  connections: number;
  /** Most connections open at once. */
  peakConnections: number;
  /** Requests seen (a client write after a response, or on a fresh connection). */
  requests: number;
  bytesUp: number;
  bytesDown: number;
}

export interface LinkProxy {
  endpoint: string;
  /** The counters since the last call, then resets them. */
  takeStats(): LinkStats;
  stop(): Promise<void>;
}

/**
 * Moves chunks from one socket to the other no faster than `bytesPerSecond`:
 * each chunk is delivered when its last byte would have arrived over the
 * link, and the source is paused meanwhile, so TCP backpressure reaches the
 * sender as a slow network's would.
 */
function pace(
  from: Socket,
  to: Socket,
  bytesPerSecond: number,
  extraDelayMs: () => number,
  count: (bytes: number) => void,
): void {
  let busyUntil = 0;
  let pending = 0;
  let ended = false;
  from.on('data', (chunk: Buffer) => {
    from.pause();
    pending += 1;
    const now = performance.now();
    const start = Math.max(now + extraDelayMs(), busyUntil);
    busyUntil = start + (chunk.length / bytesPerSecond) * 1000;
    setTimeout(
      () => {
        pending -= 1;
        count(chunk.length);
        if (to.destroyed) return;
        if (to.write(chunk)) from.resume();
        else to.once('drain', () => from.resume());
        if (ended && pending === 0) to.end();
      },
      Math.max(0, busyUntil - now),
    );
  });
  // The end may be read while the last chunk is still on its way: it follows that chunk.
  from.on('end', () => {
    ended = true;
    if (pending === 0) to.end();
  });
}

/**
 * A loopback TCP proxy in front of an HTTP server that gives every connection
 * the same bandwidth cap in each direction and makes each response wait
 * `firstByteMs` before its first byte: one connection behaves like one
 * connection to S3, so only more connections move more bytes per second.
 */
export async function startLinkProxy(upstreamPort: number, model: LinkModel): Promise<LinkProxy> {
  let stats: LinkStats = { connections: 0, peakConnections: 0, requests: 0, bytesUp: 0, bytesDown: 0 };
  let open = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client).add(upstream);
    open += 1;
    stats.connections += 1;
    stats.peakConnections = Math.max(stats.peakConnections, open);
    let awaitingResponse = false;
    client.on('data', () => {
      if (!awaitingResponse) stats.requests += 1;
      awaitingResponse = true;
    });
    const firstByte = () => {
      if (!awaitingResponse) return 0;
      awaitingResponse = false;
      return model.firstByteMs;
    };
    pace(
      client,
      upstream,
      model.bytesPerSecond,
      () => 0,
      (bytes) => {
        stats.bytesUp += bytes;
      },
    );
    pace(upstream, client, model.bytesPerSecond, firstByte, (bytes) => {
      stats.bytesDown += bytes;
    });
    const forget = () => {
      if (!sockets.delete(client)) return;
      sockets.delete(upstream);
      open -= 1;
    };
    // A client that goes away takes its request with it; a server that ends is followed by its last bytes.
    client.on('close', () => {
      upstream.destroy();
      forget();
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    takeStats() {
      const taken = stats;
      stats = { connections: 0, peakConnections: open, requests: 0, bytesUp: 0, bytesDown: 0 };
      return taken;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
