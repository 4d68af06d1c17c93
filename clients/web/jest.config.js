const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', tsx: true },
          transform: { react: { runtime: 'automatic', importSource: 'preact' } },
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // @sluice/local (the browser tests' stack) imports jose, which ships ESM only.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // One stack and one browser per file; files one after another (two cores).
  maxWorkers: 1,
  testTimeout: 120_000,
};
