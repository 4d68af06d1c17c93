const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // One stack per file; files run one after another so they never contend for the two cores.
  maxWorkers: 1,
  testTimeout: 120_000,
};
