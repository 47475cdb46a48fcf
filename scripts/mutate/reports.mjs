// The reports of a full mutation run in two stages (docs/testing.md, "A full run in two stages").
// Each Stryker run of a stage writes its own JSON report into the stage's folder. A mutant's result
// is the newest one any report holds for it, from a report made while its file was as it is now
// (a report keeps the source it mutated). So a stage can run in pieces (files, or the ranges of
// chosen mutants), and a rerun after a change replaces only what it ran.
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { placeInSample } from './sampling.mjs';

/** Source file → (mutant key → mutant) from the reports in `dir`, newest result first, current sources only. */
export function currentResults(dir) {
  const results = new Map();
  if (!existsSync(dir)) return results;
  const reports = readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const report of reports) {
    const { files } = JSON.parse(readFileSync(report, 'utf8'));
    for (const [file, { source, mutants }] of Object.entries(files)) {
      if (!existsSync(file) || readFileSync(file, 'utf8') !== source) continue;
      if (!results.has(file)) results.set(file, new Map());
      const known = results.get(file);
      for (const mutant of mutants) {
        const key = mutantKey(mutant);
        if (!known.has(key)) known.set(key, mutant);
      }
    }
  }
  return results;
}

/** A mutant's identity within its file: the same change at the same place. */
export function mutantKey({ mutatorName, replacement, location: { start, end } }) {
  return `${mutatorName}|${replacement}|${start.line}:${start.column}-${end.line}:${end.column}`;
}

/** Killed by a test, or hung until the time limit (Stryker counts both as detected). */
export const DETECTED = ['Killed', 'Timeout'];
/** Not a verdict on the tests: the mutant did not compile or broke the test files themselves. */
export const INVALID = ['CompileError', 'RuntimeError'];

/** Stryker `mutate` entries for mutants of a report: report columns count from 1, Stryker's from 0. */
export function mutateRanges(file, mutants) {
  const ranges = new Set();
  for (const {
    location: { start, end },
  } of mutants) {
    ranges.add(`${file}:${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`);
  }
  return [...ranges];
}

/** A report file name of its own for each run. */
export function runReportName(dir) {
  return join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
}

export const UNIT_STAGE = 'reports/mutation-unit';
export const REST_STAGE = 'reports/mutation-rest';

/**
 * Whether a mutant of a report is in the sample of rate `rate` drawn by scripts/mutate/sample.mjs
 * (by its file and place: a report's columns count from 1, Babel's from 0).
 */
export function inSample(file, { location: { start, end } }, rate) {
  return placeInSample(
    file,
    { start: { line: start.line, column: start.column - 1 }, end: { line: end.line, column: end.column - 1 } },
    rate,
  );
}

/**
 * Stage two's mutants: those stage one (the unit tests) left alive, in the files named (all if
 * none), less those stage two has a current verdict for already; with `sample` below 1, only
 * those of that sample (`inSample`; stage one's own sample, if it had one, holds the others out
 * already). With `recheck`, instead, the mutants whose stage-two verdict has that status
 * (`Timeout`: a run on a busy machine can time out where the tests would have passed).
 */
export function restStageRanges({ files = [], recheck, sample = 1 } = {}) {
  const done = currentResults(REST_STAGE);
  const ranges = [];
  for (const [file, mutants] of currentResults(UNIT_STAGE)) {
    if (files.length && !files.includes(file)) continue;
    const left = [...mutants.values()].filter((mutant) => {
      if (!['Survived', 'NoCoverage'].includes(mutant.status)) return false;
      const verdict = done.get(file)?.get(mutantKey(mutant))?.status;
      return recheck ? verdict === recheck : !verdict && inSample(file, mutant, sample);
    });
    ranges.push(...mutateRanges(file, left));
  }
  return ranges;
}
