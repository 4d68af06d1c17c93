module.exports = {
  ...require('../jest.preset.js'),
  // jose ships ESM only: let SWC turn it into CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 30_000,
};
