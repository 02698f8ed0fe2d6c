import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { EXIT, UnavailableError } from '../command';
import { lazy } from '../lazy';
import { defineCommand, outputFolder, verboseOption } from '../options';

const IRIS = join(__dirname, '../../examples/iris');

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'run the whole pipeline locally on the Iris data set (no AWS needed)',
  description: `Runs the whole pipeline on this machine with no AWS account: starts a local
S3 server and the local trainer, uploads the Iris data set shipped in
examples/iris (UCI Machine Learning Repository, CC BY 4.0) as raw/demo/x.csv,
raw/demo/y.csv and raw/demo/sagedrop.json, and prints each step: the merge,
the training job and its metrics, the notifications as the emails read, the
evaluation's verdict and where everything is. The local bucket is kept in
DIR, so running the demo again trains a new model and compares it with the
champion the first run promoted, on the same held-out rows.`,
  options: {
    dir: {
      type: 'string',
      value: 'DIR',
      help: "where the local bucket lives (default: ./.sagedrop, shared with `sagedrop local`):\nthe server's state in DIR/s3/, its objects as plain files in DIR/bucket/",
      parse: outputFolder,
    },
    verbose: verboseOption,
  },
  exits: {
    ok: 'the model was trained, catalogued and evaluated',
    failed: 'the demo run did not produce a model (the output says why)',
  },
  async run({ options }, io) {
    if (!existsSync(join(IRIS, 'x.csv'))) throw new UnavailableError(`the demo data is missing from ${IRIS}`);
    const started = Date.now();
    const dir = resolve(options.dir ?? '.sagedrop');
    const exportTo = join(dir, 'bucket');
    const result = await lazy.localRun().runPairLocally(io, {
      dir: join(dir, 's3'),
      failureDir: join(dir, 'failures'),
      dataset: 'demo',
      x: join(IRIS, 'x.csv'),
      y: join(IRIS, 'y.csv'),
      settings: join(IRIS, 'sagedrop.json'),
      verbose: options.verbose,
      exportTo,
    });
    if (result.catalogKey) {
      const summary = lazy.localSummary().formatLocalSummary(result.entry, {
        bucket: result.bucket,
        catalogKey: result.catalogKey,
        exportDir: exportTo,
      });
      io.out(['', ...(summary ?? [JSON.stringify(result.entry, null, 2)])].join('\n'));
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (result.exitCode !== EXIT.ok) {
      io.out(`demo failed after ${seconds} s`);
      return result.exitCode;
    }
    const again = options.dir ? `npm run demo -- --dir ${options.dir}` : 'npm run demo';
    const nearby = relative(process.cwd(), join(IRIS, 'x.csv'));
    const rows = nearby.startsWith('..') ? join(IRIS, 'x.csv') : nearby;
    const predict = `npx sagedrop predict --dataset demo --x ${rows} --out demo.predictions.csv${options.dir ? ` --dir ${options.dir}` : ''}`;
    io.out(
      [
        '',
        `demo done in ${seconds} s: the same handlers run on AWS after \`npx sls deploy\`.`,
        `Run \`${again}\` again to train a new model and see it compared with the champion on the same rows;`,
        '`npx sagedrop local --x X.csv --y Y.csv` does the same with your own files.',
        '',
        'Predictions from the champion, each row of the file with its predicted class appended:',
        `  ${predict}`,
      ].join('\n'),
    );
    return result.exitCode;
  },
});
