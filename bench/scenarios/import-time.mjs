// Import time of each entry, next to axios alone: a fresh Node process per sample imports the
// module and reports how long the import took (median of the samples, in rotated order). The
// package is server-side and loads once per process; the figure is reported, not a target.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { median } from '../stats.mjs';

const root = join(import.meta.dirname, '..', '..');
const ENTRIES = [
  ['axios alone', 'axios'],
  ['axios-payment-auth (with axios)', join(root, 'dist', 'index.mjs')],
  ['axios-payment-auth/testing', join(root, 'dist', 'testing', 'index.mjs')],
  ['axios-payment-auth/redis', join(root, 'dist', 'redis', 'index.mjs')],
  ['axios-payment-auth/opentelemetry', join(root, 'dist', 'opentelemetry', 'index.mjs')],
  ['axios-payment-auth/nestjs (with Nest)', join(root, 'dist', 'nestjs', 'index.mjs')],
];

function sample(specifier) {
  const script = `const t = process.hrtime.bigint(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`;
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
}

export async function importTime({ quick = false, log = () => undefined } = {}) {
  const samples = quick ? 3 : 9;
  const ms = Object.fromEntries(ENTRIES.map(([name]) => [name, []]));
  for (let i = 0; i < samples; i++) {
    const order = ENTRIES.map((_, k) => ENTRIES[(k + i) % ENTRIES.length]);
    for (const [name, specifier] of order) ms[name].push(sample(specifier));
  }
  const rows = ENTRIES.map(([name]) => ({ name, ms: median(ms[name]) }));
  for (const row of rows) log(`import ${row.name}: ${row.ms.toFixed(1)} ms`);
  return { samples, rows };
}
