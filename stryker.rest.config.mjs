// Stage two of a full run (docs/testing.md, "A full run in two stages"): `npm run mutate:rest`.
// The mutants that stage one (`npm run mutate:unit`, the unit tests) left alive, each run with
// every test that covers it, as `npm run mutate` would. Mutants that already have a result here
// are not run again, so the stage can be run in pieces: `MUTATE_FILES=src/a.ts,src/b.ts`.
// `MUTATE_SAMPLE=0.1` runs those of a fixed tenth of the mutants (scripts/mutate/sample.mjs): the
// rate stage one ran with, or a lower one (then `npm run mutate:score -- --sample 0.05`).
// `MUTATE_RECHECK=Timeout` runs again those that timed out (on an idle machine, concurrency 1).
import base from './stryker.config.mjs';
import { REST_STAGE, restStageRanges, runReportName } from './scripts/mutate/reports.mjs';
import { sampleRate } from './scripts/mutate/sampling.mjs';

const files = (process.env.MUTATE_FILES ?? '').split(',').filter(Boolean);
const mutate = restStageRanges({
  files,
  recheck: process.env.MUTATE_RECHECK || undefined,
  sample: sampleRate(),
});
if (!mutate.length)
  throw new Error('Stage two has nothing to run: no mutant that stage one left alive lacks a result.');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate,
  incremental: false,
  // MUTATE_SAMPLE=0.1: a fixed tenth of the mutants, the same in both stages (scripts/mutate/sample.mjs).
  plugins: [...(base.plugins ?? ['@stryker-mutator/*']), './scripts/mutate/sample.mjs'],
  ignorers: ['sample'],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: runReportName(REST_STAGE) },
};
