import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Command, UsageError } from '../command';
import { load, parseOptions } from '../options';

const IRIS = join(__dirname, '../../examples/iris');

const usage = `usage: sagedrop demo [--keep] [--verbose]

Runs the whole pipeline on this machine with no AWS account: starts a local
S3 server and the local trainer, uploads the Iris data set shipped in
examples/iris (UCI Machine Learning Repository, CC BY 4.0) as raw/demo/x.csv,
raw/demo/y.csv and raw/demo/sagedrop.json, and prints each step: the merge,
the training job and its metrics, the notification and the catalog entry.

options:
  --keep      keep the temporary directory with the bucket's contents and say where
  --verbose   also print the functions' JSON log lines (stderr)

Exits 0 when the model was trained and catalogued.`;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the whole pipeline locally on the Iris data set (no AWS needed)',
  usage,
  async run(argv, io) {
    const { values } = parseOptions('demo', argv, {
      keep: { type: 'boolean' },
      verbose: { type: 'boolean' },
    });
    if (!existsSync(join(IRIS, 'x.csv'))) throw new UsageError(`the demo data is missing from ${IRIS}`);
    const started = Date.now();
    const { runPairLocally } = load<typeof import('../local-run')>('./local-run');
    const dir = await mkdtemp(join(tmpdir(), 'sagedrop-demo-'));
    try {
      const result = await runPairLocally(io, {
        dir: join(dir, 's3'),
        dataset: 'demo',
        x: join(IRIS, 'x.csv'),
        y: join(IRIS, 'y.csv'),
        settings: join(IRIS, 'sagedrop.json'),
        verbose: values.verbose === true,
        ...(values.keep ? { exportTo: join(dir, 'bucket') } : {}),
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      io.out(
        result.exitCode === 0
          ? `demo done in ${seconds} s: the same handlers run on AWS after \`npx sls deploy\`.`
          : `demo failed after ${seconds} s`,
      );
      return result.exitCode;
    } finally {
      if (!values.keep) await rm(dir, { recursive: true, force: true });
    }
  },
};
