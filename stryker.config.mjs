// Mutation testing of the core (docs/testing.md, "Mutation testing"): `npm run mutate`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    // The project's jest config (@swc/jest, the ESM-only p-memoize/mimic-function transform) minus the
    // test files that only exercise dist/ or are too slow to run per mutant.
    configFile: 'jest.mutate.config.js',
    enableFindRelatedTests: true,
  },
  // Each mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  mutate: [
    'src/**/*.ts',
    // Not the core: the command line, the sandbox, and the NestJS and OpenTelemetry adapters.
    '!src/cli/**',
    '!src/testing/**',
    '!src/nestjs/**',
    '!src/opentelemetry/**',
    // The package entries and pure type files: nothing to mutate.
    '!src/index.ts',
    '!src/redis/index.ts',
    '!src/request/request-state.ts',
    '!src/observability/telemetry.ts',
  ],
  // A rerun tests only the mutants of changed code (or whose covering tests changed).
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // Not needed by the tests in the sandbox copy.
  ignorePatterns: ['coverage', '.tmp', 'reports', '*.tgz'],
  tempDirName: '.stryker-tmp',
  // Some test files start servers, and leaks.test.ts always runs whole (scripts/mutate/): a margin
  // over the measured time of the covering tests before a mutant counts as a timeout.
  timeoutMS: 10000,
  thresholds: { high: 80, low: 60, break: null },
};
