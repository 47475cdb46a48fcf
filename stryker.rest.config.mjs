// Stage two of a full run (docs/testing.md, "A full run in two stages"): `npm run mutate:rest`.
// The mutants that stage one (`npm run mutate:unit`, the unit tests) left alive, each run with
// every test that covers it, as `npm run mutate` would. Mutants that already have a result here
// are not run again, so the stage can be run in pieces: `MUTATE_FILES=src/a.ts,src/b.ts`.
// `MUTATE_SAMPLE=0.25` runs a fixed quarter of them (an estimate of the full score in a quarter of
// the time: `npm run mutate:score -- --sample 0.25`). `MUTATE_RECHECK=Timeout` runs again those
// that timed out (on an idle machine, concurrency 1).
import base from './stryker.config.mjs';
import { REST_STAGE, restStageRanges, runReportName } from './scripts/mutate/reports.mjs';

const files = (process.env.MUTATE_FILES ?? '').split(',').filter(Boolean);
const mutate = restStageRanges({
  files,
  recheck: process.env.MUTATE_RECHECK || undefined,
  sample: Number(process.env.MUTATE_SAMPLE ?? 1),
});
if (!mutate.length)
  throw new Error('Stage two has nothing to run: no mutant that stage one left alive lacks a result.');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  mutate,
  incremental: false,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: runReportName(REST_STAGE) },
};
