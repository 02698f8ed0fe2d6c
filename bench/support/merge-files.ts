/**
 * Merges two local CSV files with the engine, file to file, and prints one
 * JSON line: rows, seconds (until every output is flushed) and the process's
 * peak RSS. The merge benchmark runs it in a child process so the RSS is the
 * engine's alone. `node merge-files.js X Y OUT_DIR [testFraction validationFraction]`.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { mergeStreams } from '../../lib/csv/merge';
import { CHUNK, readBorrowed as readChunks } from '../../lib/local/file-store';

async function main(): Promise<void> {
  const [xFile, yFile, outDir, testFraction = '0', validationFraction = '0'] = process.argv.slice(2);
  if (xFile === undefined || yFile === undefined || outDir === undefined) {
    throw new Error('usage: merge-files X Y OUT_DIR [testFraction validationFraction]');
  }
  const started = process.hrtime.bigint();
  const finished: Promise<void>[] = [];
  const summary = await mergeStreams(
    readChunks(xFile),
    readChunks(yFile),
    (file) => {
      const stream = createWriteStream(join(outDir, `${file}.csv`), { highWaterMark: CHUNK });
      finished.push(
        new Promise((resolve, reject) => {
          stream.on('close', resolve);
          stream.on('error', reject);
        }),
      );
      return stream;
    },
    {
      xFile,
      yFile,
      testFraction: Number(testFraction),
      validationFraction: Number(validationFraction),
      splitSeed: 'bench',
      numeric: 'numeric',
      labelInTraining: true,
      reuseWrittenChunks: true,
    },
  );
  await Promise.all(finished);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${JSON.stringify({ rows: summary.rows, seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
