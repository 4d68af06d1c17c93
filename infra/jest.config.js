// Synthesizing CDK apps takes seconds, not milliseconds: one synth per file in beforeAll, generous timeouts.
module.exports = { ...require('../jest.preset.js'), testTimeout: 120_000 };
