// Shared jest settings: TypeScript through SWC (no TypeScript compiler API, so it works with TS 7).
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
