import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, UnavailableError } from '../command';
import { lazy } from '../lazy';
import { defineCommand, verboseOption } from '../options';

const IRIS = join(__dirname, '../../examples/iris');

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'run the whole pipeline locally on the Iris data set (no AWS needed)',
  description: `Runs the whole pipeline on this machine with no AWS account: starts a local
S3 server and the local trainer, uploads the Iris data set shipped in
examples/iris (UCI Machine Learning Repository, CC BY 4.0) as raw/demo/x.csv,
raw/demo/y.csv and raw/demo/sagedrop.json, and prints each step: the merge,
the training job and its metrics, the notification and the catalog entry.`,
  options: {
    keep: { type: 'boolean', help: "keep the temporary directory with the bucket's contents and say where" },
    verbose: verboseOption,
  },
  exits: {
    ok: 'the model was trained and catalogued',
    failed: 'the demo run did not produce a model (the output says why)',
  },
  async run({ options }, io) {
    if (!existsSync(join(IRIS, 'x.csv'))) throw new UnavailableError(`the demo data is missing from ${IRIS}`);
    const started = Date.now();
    const dir = await mkdtemp(join(tmpdir(), 'sagedrop-demo-'));
    try {
      const result = await lazy.localRun().runPairLocally(io, {
        dir: join(dir, 's3'),
        dataset: 'demo',
        x: join(IRIS, 'x.csv'),
        y: join(IRIS, 'y.csv'),
        settings: join(IRIS, 'sagedrop.json'),
        verbose: options.verbose,
        ...(options.keep ? { exportTo: join(dir, 'bucket') } : {}),
      });
      if (result.catalogKey) {
        io.out(`catalog entry s3://${result.bucket}/${result.catalogKey}:`);
        io.out(JSON.stringify(result.entry, null, 2));
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      io.out(
        result.exitCode === EXIT.ok
          ? `demo done in ${seconds} s: the same handlers run on AWS after \`npx sls deploy\`.`
          : `demo failed after ${seconds} s`,
      );
      return result.exitCode;
    } finally {
      if (!options.keep) await rm(dir, { recursive: true, force: true });
    }
  },
});
