// The fixed mutation-testing slice for CI (docs/testing.md, "Mutation testing"): `npm run mutate:ci`.
// Same setup as stryker.config.mjs, on the core modules that have unit tests of their own (Retry-After
// and backoff, client authentication, idempotency keys and their option, the bearer scope and the
// URL helpers, the transient rule, the store value check and key, the memory store, the Redis
// encryption, the body check, cancellation) against those unit tests only, so that it takes minutes, not hours. It
// starts from scratch (no incremental file), so its time and score do not depend on a baseline; a
// score under `thresholds.break` fails the run. No build needed: these unit tests do not load dist/.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: [
    'src/retry/backoff.ts',
    'src/token/client-auth.ts',
    'src/request/idempotency.ts',
    'src/options/idempotency-options.ts',
    'src/request/scope.ts',
    'src/util/urls.ts',
    'src/errors/transient.ts',
    'src/store/token-store.ts',
    'src/store/memory-store.ts',
    'src/redis/encryption.ts',
    'src/request/replayable-body.ts',
    'src/request/cancellation.ts',
  ],
  testFiles: [
    '__tests__/unit/backoff.test.ts',
    '__tests__/unit/client-auth.test.ts',
    '__tests__/unit/idempotency.test.ts',
    '__tests__/unit/scope.test.ts',
    '__tests__/unit/options.test.ts',
    '__tests__/unit/transient.test.ts',
    '__tests__/unit/token-store.test.ts',
    '__tests__/unit/memory-store.test.ts',
    '__tests__/unit/encryption.test.ts',
    '__tests__/unit/replayable-body.test.ts',
    '__tests__/unit/cancellation.test.ts',
  ],
  incremental: false,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation-ci/mutation.json' },
  concurrency: 2,
  // Measured: 91.39 (246 mutants: 211 killed, 12 timeouts, 19 survived, 2 without coverage by these
  // unit tests, 2 errors); the survivors are the decision cache's bound and key spelling (no
  // decision changes), two regex variants and three strings in error messages. Raise `break` as
  // tests improve.
  thresholds: { high: 80, low: 60, break: 85 },
};
