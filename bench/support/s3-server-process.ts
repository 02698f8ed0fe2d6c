import { startLocalS3 } from '../../lib/local/s3-server';

/**
 * Runs the local S3 server in a process of its own and prints its client
 * configuration as one JSON line, so a benchmark's client and server do not
 * share one thread (S3 is never in the caller's process either).
 */
async function main(dir: string | undefined): Promise<void> {
  if (!dir) throw new Error('usage: s3-server-process.ts DIR');
  // The link proxy delivers responses seconds after the server sent them: idle connections stay open longer.
  const server = await startLocalS3({ dir, keepAliveMs: 60_000 });
  process.stdout.write(`${JSON.stringify({ bucket: server.bucket, clientConfig: server.clientConfig })}\n`);
  const stop = () => server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent going away (stdin closes) ends the server too.
  process.stdin.resume();
  process.stdin.on('end', stop);
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
