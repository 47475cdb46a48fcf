// The whole core against the unit tests only (docs/testing.md, "Mutation testing"):
// `npm run mutate:unit`. Every mutant a unit test kills is killed by the full suite too, so its score
// is a lower bound of the full run's, reached in under an hour on two cores instead of many (the
// integration tests, with their servers and waits, are what make a full run slow). The docs check
// is left out: it tests the docs, not src/.
import base from './stryker.config.mjs';
import { UNIT_STAGE, runReportName } from './scripts/mutate/reports.mjs';

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
  // Static mutants (module-level constants) each run every unit test (about 9 s).
  ignoreStatic: false,
  incremental: false,
  reporters: ['clear-text', 'progress', 'json'],
  // One report per run, so a run over some files adds to the results of the others.
  jsonReporter: { fileName: runReportName(UNIT_STAGE) },
  concurrency: 2,
  // MUTATE_SAMPLE=0.1: a fixed tenth of the mutants, the same in both stages (scripts/mutate/sample.mjs).
  plugins: [...(base.plugins ?? ['@stryker-mutator/*']), './scripts/mutate/sample.mjs'],
  ignorers: ['sample'],
  thresholds: { high: 80, low: 60, break: null },
};
