// Which mutants a sampled mutation run tests (scripts/mutate/sample.mjs draws them; the reports'
// scripts recognise them): a fixed pseudo-random choice by file and place in the source.

/** The sampling rate from MUTATE_SAMPLE (1 without it). */
export function sampleRate(env = process.env) {
  const rate = Number(env.MUTATE_SAMPLE ?? 1);
  if (!(rate > 0 && rate <= 1)) throw new Error(`MUTATE_SAMPLE must be a rate in (0, 1], got ${env.MUTATE_SAMPLE}`);
  return rate;
}

/**
 * Whether the place `{ start, end }` of `file` is in the sample of `rate`: FNV-1a of the two. Lines
 * count from 1 and columns from 0, as in Babel's locations (a report's columns count from 1).
 */
export function placeInSample(file, { start, end }, rate) {
  if (rate >= 1) return true;
  let hash = 0x811c9dc5;
  for (const char of `${file}|${start.line}:${start.column}-${end.line}:${end.column}`) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32 < rate;
}
