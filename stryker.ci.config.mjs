// The fixed mutation-testing slice for CI (docs/testing.md, "Mutation testing"): `npm run mutate:ci`.
// Same setup as stryker.config.mjs, on a few small core files (Retry-After and backoff, which bodies
// can be replayed, what a token store may return and under which key), from
// scratch (no incremental file) so its time and score do not depend on a baseline; a score under
// `thresholds.break` fails the run.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate: ['src/backoff.ts', 'src/replay.ts', 'src/stores/token-store.ts'],
  incremental: false,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation-ci/mutation.json' },
  concurrency: 2,
  thresholds: { high: 90, low: 80, break: 80 },
};
