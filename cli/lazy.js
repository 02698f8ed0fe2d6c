// @ts-check
/**
 * Modules a command loads when it runs rather than when the CLI starts, so
 * `--help` and light commands do not pay for the AWS SDK and the local stack.
 *
 * Plain JavaScript on purpose: TypeScript types a `require()` by the module it
 * names only in JavaScript files, so each path below is written once and what
 * a command gets from it is type-checked against that module. (`await import()`
 * would be the TypeScript way, but `bin/sagedrop.cjs` runs the CLI through
 * tsx's CommonJS hook, under which a native import() of a .ts file fails, and
 * registering tsx's ESM hook as well costs about a second per command.)
 */
exports.lazy = {
  clientS3: () => require('@aws-sdk/client-s3'),
  s3Store: () => require('../lib/aws/s3-store'),
  statusStage: () => require('../lib/stages/status'),
  localMerge: () => require('./local-merge'),
  localRun: () => require('./local-run'),
  localServe: () => require('./local-serve'),
  localSummary: () => require('./local-summary'),
  predictLocal: () => require('./predict-local'),
  predictRun: () => require('./predict-run'),
  s3Client: () => require('./s3-client'),
  redrive: () => require('./redrive'),
  deployedStack: () => require('./deployed-stack'),
  uploadFile: () => require('./upload-file'),
};
