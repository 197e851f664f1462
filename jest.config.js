/** Type checking is done once by `npm run typecheck`; jest only transpiles, which keeps test start-up fast. */
const { availableParallelism, cpus } = require('os');

const cores = availableParallelism ? availableParallelism() : cpus().length;

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
  // One pool of DynamoDB Local JVMs for the whole run: test files lease instances instead of
  // starting their own (a start costs about 7 s of CPU).
  globalSetup: '<rootDir>/test/support/dynamodb-local-pool.ts',
  globalTeardown: '<rootDir>/test/support/dynamodb-local-pool-teardown.ts',
  testTimeout: 120000,
  // Jest's default (cores - 1) is a single worker on a 2-core machine, which leaves one core idle
  // while a test waits on terraform, Java or a server start. Every test binds port 0 and works in
  // its own temporary folders, so two files can run side by side.
  maxWorkers: Math.max(2, cores - 1),
  // The longest files start first, also on a runner without Jest's timing cache.
  testSequencer: '<rootDir>/test/support/heaviest-first-sequencer.js',
};
