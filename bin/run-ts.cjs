#!/usr/bin/env node
// Runs a TypeScript entry point (benchmarks, reliability harness) through tsx.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
const path = require('node:path');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: run-ts.cjs FILE.ts [args...]');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));
