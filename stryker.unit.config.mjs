// The whole core against the unit tests only (docs/testing.md, "Mutation testing"):
// `npm run mutate:unit`. Every mutant a unit test kills is killed by the full suite too, so its score
// is a lower bound of the full run's, reached in under an hour on two cores instead of many (the
// integration tests, with their servers and waits, are what make a full run slow). The docs check
// is left out: it tests the docs, not src/.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  jest: {
    ...base.jest,
    config: {
      testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/unit/docs\\.test\\.ts$'],
    },
  },
  // Static mutants (module-level constants) would each run every unit test: left out here, as the
  // CI slice tests those of its modules.
  ignoreStatic: true,
  incremental: false,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation-unit/mutation.json' },
  concurrency: 2,
  thresholds: { high: 80, low: 60, break: null },
};
