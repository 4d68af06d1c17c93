#!/usr/bin/env node
// `sluice`: runs the TypeScript sources through tsx (an internal workspace package: no build step).
// The SDK's Node 22 notice (FIELD-NOTES) would print on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
const { runCli } = require('../src/main.ts');

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
