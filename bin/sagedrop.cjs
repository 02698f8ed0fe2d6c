#!/usr/bin/env node
// The `sagedrop` command. The CLI is TypeScript, loaded through tsx.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs');
require('../cli/main.ts');
