const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  // @sluice/local (the stack the integration tests start) imports jose, which ships ESM only.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // One local stack per file; files one after another (two cores).
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  maxWorkers: 1,
  testTimeout: 120_000,
};
