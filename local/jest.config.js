module.exports = {
  ...require('../jest.preset.js'),
  // jose ships ESM only: let SWC turn it into CommonJS like our own code.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};
