const preset = require('../../jest.preset.js');

// p-limit, its yocto-queue and thumbhash ship as ES modules only: compile them too.
const esmOnly = ['p-limit', 'yocto-queue', 'thumbhash'];

module.exports = {
  ...preset,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  // Image tests take well under a second each; the bound leaves room for a loaded 2-core machine.
  testTimeout: 30_000,
};
