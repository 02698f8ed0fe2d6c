import { resolve } from 'node:path';
import { lazy } from '../lazy';
import { defineCommand, outputFolder, portNumber, verboseOption } from '../options';

export const serveCommand = defineCommand({
  name: 'serve',
  summary: "run a local S3 endpoint, the pipeline and the datasets' model endpoints, until Ctrl-C",
  description: `Runs the local stack until interrupted (Ctrl-C): an S3-compatible endpoint on
127.0.0.1 that any S3 client can use, and the pipeline (merge, local
training, evaluation, catalog, notifications) on every upload, as the deployed
stack runs it. Notifications are printed as the email would read.
Each dataset's champion answers POST /endpoints/<dataset>/invocations
(text/csv rows in, the built-in container's JSON out), as its serverless
endpoint does once deployed, so client code can be tried first.`,
  options: {
    port: {
      type: 'string',
      value: 'P',
      help: 'the port to listen on (default: a free port)',
      parse: portNumber,
    },
    'inference-port': {
      type: 'string',
      value: 'Q',
      help: 'the port of the model endpoints (default: a free port)',
      parse: portNumber,
    },
    dir: {
      type: 'string',
      value: 'DIR',
      help: 'where the bucket lives (default: ./.sagedrop); kept between runs',
      parse: outputFolder,
    },
    verbose: verboseOption,
  },
  notes: `Credentials for the endpoint: access key S3RVER, secret S3RVER, any region,
path-style addressing. With the AWS CLI:
  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \\
    aws --endpoint-url http://127.0.0.1:P s3 cp x.csv s3://sagedrop-local/raw/mydata/x.csv
or: sagedrop upload x.csv y.csv --bucket sagedrop-local --dataset mydata --endpoint http://127.0.0.1:P
Ask a champion (rows of features, no header, the columns of x.csv):
  curl -s -H 'Content-Type: text/csv' --data-binary @rows.csv \\
    http://127.0.0.1:Q/endpoints/mydata/invocations
Answers: 404 no champion yet, 400 a bad row (named), 415 not text/csv.`,
  exits: { ok: 'stopped by Ctrl-C (SIGINT) or SIGTERM after finishing running work' },
  async run({ options }, io) {
    const dir = resolve(options.dir ?? '.sagedrop');
    return lazy.localServe().serveLocally(io, {
      port: options.port ?? 0,
      inferencePort: options['inference-port'] ?? 0,
      dir: resolve(dir, 's3'),
      shownDir: dir,
      failureDir: resolve(dir, 'failures'),
      verbose: options.verbose,
    });
  },
});
