module.exports = {
  ...require('../../jest.preset.js'),
  // The moto-backed tests start moto through @sluice/local, which imports jose (ESM only).
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60_000,
};
