#!/usr/bin/env node
// The `sagedrop` command. The CLI is TypeScript: it runs from a bundle built
// from the current sources (see cli-bundle.cjs), or through tsx.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('./cli-bundle.cjs').runCli();
