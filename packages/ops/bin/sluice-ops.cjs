#!/usr/bin/env node
// sluice-ops: runs the TypeScript sources through tsx, like the repository's other tools.
const tsx = require('tsx/cjs/api');

const { runCli } = tsx.require('../src/cli.ts', __filename);
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
