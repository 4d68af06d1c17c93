// Shared jest settings: TypeScript through SWC (no TypeScript compiler API, so it works with TS 7).
// The AWS SDK warns on every client that releases after January 2027 need Node 22; the versions are
// pinned by the lockfile, so the warning is noise in test output. Workers inherit this.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  clearMocks: true,
  reporters: ['default', require.resolve('./scripts/jest-summary-reporter.js')],
};
