/**
 * The jest config that Stryker runs (`npm run mutate`): the project's own config (transforms,
 * module mapping, setup), less the test files that cannot kill a mutant in src/ or are too slow to
 * run once per mutant, with the environment and sequencer of scripts/mutate/ (see there).
 * @type {import('jest').Config}
 */
const { join } = require('node:path');
const base = require('./jest.config.js');

module.exports = {
  ...base,
  // Stryker adds only the mutated file's folder to the roots for --findRelatedTests; with all of
  // src/ in jest's module map, a file in any folder of src/ finds its tests.
  roots: [...base.roots, '<rootDir>/src'],
  testEnvironment: join(__dirname, 'scripts', 'mutate', 'jest-environment.cjs'),
  testSequencer: join(__dirname, 'scripts', 'mutate', 'test-sequencer.cjs'),
  // `npm run mutate` builds dist/ before Stryker copies the project; in the sandbox, src/ holds
  // instrumented code that must not be built, so the rebuild-if-stale check is off.
  globalSetup: undefined,
  testPathIgnorePatterns: [
    '/node_modules/',
    // Run the built package in a child process (dist/ is not mutated, so they can never kill a mutant).
    '<rootDir>/__tests__/integration/cli\\.test\\.ts$',
    '<rootDir>/__tests__/integration/fleet\\.test\\.ts$',
    '<rootDir>/__tests__/integration/process-exit\\.test\\.ts$',
    // Checks the docs against the repository: no code under test.
    '<rootDir>/__tests__/unit/docs\\.test\\.ts$',
    // The chaos soak: randomised faults over thousands of requests, seconds per run; `npm test` runs it.
    '<rootDir>/__tests__/chaos/',
  ],
};
