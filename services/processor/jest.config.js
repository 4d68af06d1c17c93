const preset = require('../../jest.preset.js');

// file-type, p-limit, thumbhash and their dependencies ship as ES modules only: compile them too.
const esmOnly = [
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  '@tokenizer',
  'p-limit',
  'yocto-queue',
  'thumbhash',
  '@borewit',
];

module.exports = {
  ...preset,
  // file-type's Node entry is exported under `import`/`module-sync` only (no `require`).
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons', 'module-sync'] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
};
