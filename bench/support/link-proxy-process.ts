import { startLinkProxy } from './link-proxy';

/**
 * Runs the link proxy in a process of its own, so its pacing timers neither
 * slow down nor are slowed down by the process being measured. Prints its
 * endpoint as one JSON line; answers a `stats` message on the IPC channel
 * with the counters since the last one.
 */
async function main(args: string[]): Promise<void> {
  const [port, bytesPerSecond, firstByteMs] = args.map(Number);
  if (!port || !bytesPerSecond || firstByteMs === undefined || Number.isNaN(firstByteMs))
    throw new Error('usage: link-proxy-process.ts UPSTREAM_PORT BYTES_PER_SECOND FIRST_BYTE_MS');
  const proxy = await startLinkProxy(port, { bytesPerSecond, firstByteMs });
  process.on('message', (message) => {
    if (message === 'stats') process.send?.(proxy.takeStats());
  });
  process.stdout.write(`${JSON.stringify({ endpoint: proxy.endpoint })}\n`);
  const stop = () => proxy.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
