// The score of a full run in two stages (docs/testing.md, "A full run in two stages"):
// `npm run mutate:score [-- --survivors]`. Per file of the core: mutants killed by the unit tests
// (stage one), killed by the other tests (stage two), surviving every test, not yet run by stage
// two ("pending", counted as surviving), and invalid (did not compile or broke a test file; Stryker
// leaves those out of the score). With `--survivors`, every surviving mutant is listed. After a
// sampled run (MUTATE_SAMPLE), the sample's score and its 95 % interval; `--sample R` restricts the
// count to the sample of rate R (stage two run at a lower rate than stage one).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import base from '../../stryker.config.mjs';
import { DETECTED, INVALID, REST_STAGE, UNIT_STAGE, currentResults, inSample, mutantKey } from './reports.mjs';

/** The files the core's `mutate` patterns select (`src/**\/*.ts` less folders and single files). */
function coreFiles() {
  const excluded = base.mutate.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const all = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) all.push(path.split('\\').join('/'));
    }
  };
  walk('src');
  return all
    .filter((file) => !excluded.some((p) => (p.endsWith('/**') ? file.startsWith(p.slice(0, -2)) : file === p)))
    .sort();
}

const sampleAt = process.argv.indexOf('--sample');
const rate = sampleAt === -1 ? 1 : Number(process.argv[sampleAt + 1]);
if (!(rate > 0 && rate <= 1)) throw new Error('--sample takes the rate MUTATE_SAMPLE had, e.g. 0.1');

const unit = currentResults(UNIT_STAGE);
const rest = currentResults(REST_STAGE);
const rows = [];
const survivors = [];
const missing = [];
let outside = 0;
for (const file of coreFiles()) {
  const mutants = unit.get(file);
  if (!mutants) {
    missing.push(file);
    continue;
  }
  const row = { file, mutants: 0, unit: 0, rest: 0, survived: 0, pending: 0, invalid: 0 };
  for (const [key, mutant] of mutants) {
    // Outside the sample: stage one's (Ignored, by scripts/mutate/sample.mjs) or the --sample rate's.
    if (mutant.status === 'Ignored' || !inSample(file, mutant, rate)) {
      outside += 1;
      continue;
    }
    row.mutants += 1;
    if (INVALID.includes(mutant.status)) row.invalid += 1;
    else if (DETECTED.includes(mutant.status)) row.unit += 1;
    else {
      const second = rest.get(file)?.get(key);
      const verdict = !second || second.status === 'Ignored' || second.status === 'Pending' ? 'pending' : second.status;
      if (verdict === 'pending') row.pending += 1;
      else if (INVALID.includes(verdict)) row.invalid += 1;
      else if (DETECTED.includes(verdict)) row.rest += 1;
      else {
        row.survived += 1;
        survivors.push({ file, ...second, key: mutantKey(second) });
      }
    }
  }
  rows.push(row);
}

const pct = (detected, valid) => (valid ? ((100 * detected) / valid).toFixed(2) : '—');
const total = { file: 'all', mutants: 0, unit: 0, rest: 0, survived: 0, pending: 0, invalid: 0 };
for (const row of rows) for (const k of Object.keys(total)) if (k !== 'file') total[k] += row[k];
console.log('| file | mutants | killed by unit tests | killed by the others | survived | pending | invalid | score |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of [...rows, total]) {
  if (!row.mutants) continue;
  const score = pct(row.unit + row.rest, row.mutants - row.invalid);
  const name = row === total ? '**all**' : `\`${row.file.replace(/^src\//, '')}\``;
  console.log(
    `| ${name} | ${row.mutants} | ${row.unit} | ${row.rest} | ${row.survived} | ${row.pending} | ${row.invalid} | ${score} % |`,
  );
}
if (outside) {
  // A uniform draw (by a hash of each place) of the core's mutants: its score, with the Wilson score
  // interval, estimates the whole core's. A place's mutants are drawn together, which widens the
  // true interval a little beyond the binomial one.
  const n = total.mutants - total.invalid;
  const detected = total.unit + total.rest;
  const p = n ? detected / n : 0;
  const z = 1.96;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  console.log(
    `\nA sample of ${total.mutants} of ${total.mutants + outside} mutants (${outside} outside it): ${detected} of ${n} valid ones killed.` +
      ` Estimated score of the core: ${pct(detected, n)} % (95 % interval ${(100 * Math.max(0, centre - half)).toFixed(2)} – ${(100 * Math.min(1, centre + half)).toFixed(2)} %)` +
      (total.pending ? `, counting the ${total.pending} not yet run with every test as survivors.` : '.'),
  );
}
if (missing.length)
  console.log(
    `\nNo current stage-one result (a file of types only has no mutants; for the others, run \`npm run mutate:unit\`): ${missing.join(', ')}`,
  );
if (process.argv.includes('--survivors')) {
  console.log('\nSurvivors:');
  for (const s of survivors) {
    console.log(
      `${s.file}:${s.location.start.line}:${s.location.start.column} ${s.mutatorName} → ${JSON.stringify(s.replacement)}`,
    );
  }
}
