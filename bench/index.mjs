// `npm run bench`: every scenario on loopback, side by side in one run; prints a table, writes
// docs/benchmarks.md and docs/benchmarks.svg. `--check` exits 1 when a target is missed;
// `--quick` runs small counts (for a smoke run, not for figures).
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { barChart } from './chart.mjs';
import { boundary } from './scenarios/boundary.mjs';
import { fleet } from './scenarios/fleet.mjs';
import { herd, storm } from './scenarios/herd-storm.mjs';
import { memory } from './scenarios/memory.mjs';
import { size } from './scenarios/size.mjs';
import { steady } from './scenarios/steady.mjs';
import { fmt } from './stats.mjs';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const check = args.has('--check');
const write = !quick;
if (quick) process.env.FLEETS ??= '1,4';
const log = (line) => console.log(line);

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
console.log(
  `machine: ${machine}; node ${process.version}; axios ${axios.VERSION}${quick ? ' (quick run: figures are not meaningful)' : ''}`,
);

const r = {};
r.steady = await steady({ quick, log });
r.herd = await herd({ quick, log });
r.storm = await storm({ quick, log });
r.boundary = await boundary({ quick, log });
r.memory = await memory({ quick, log });
r.size = await size({ log });
r.fleet = await fleet({ log });

const ours = (rows) => rows.find((row) => row.name === 'ours');
const oursSize = r.size.rows[0];
const redisRows = r.fleet.rows.filter((row) => row.store === 'redis');
const targets = [
  [
    'steady c=1: ours ÷ plain axios (median)',
    r.steady.results[1].ratios.ours.median,
    (v) => v >= 0.97,
    '≥ 0.97',
    (v) => fmt(v),
  ],
  [
    'steady c=64: ours ÷ plain axios (median)',
    r.steady.results[64].ratios.ours.median,
    (v) => v >= 0.97,
    '≥ 0.97',
    (v) => fmt(v),
  ],
  [`herd: token calls for ${r.herd.requests} cold requests`, ours(r.herd.rows).tokenCalls, (v) => v === 1, '1', String],
  [`storm: renewals for ${r.storm.requests} concurrent 401s`, ours(r.storm.rows).renewals, (v) => v === 1, '1', String],
  ['storm: failed requests', ours(r.storm.rows).failures, (v) => v === 0, '0', String],
  [
    `boundary: requests that waited (${r.boundary.expiries} expiries)`,
    ours(r.boundary.rows).waited,
    (v) => v === 0,
    '0',
    String,
  ],
  ['boundary: p99 near expiry ÷ steady p99', ours(r.boundary.rows).ratio, (v) => v <= 1.1, '≤ 1.1', (v) => fmt(v, 2)],
  [
    `memory: heap growth ${r.memory.rows[1].early} → ${r.memory.total} requests`,
    ours(r.memory.rows).growthBytes / 1e6,
    (v) => v < 2,
    '< 2 MB',
    (v) => `${fmt(v, 2)} MB`,
  ],
  [
    'memory: timers and abort listeners left',
    ours(r.memory.rows).leftoverTimers + ours(r.memory.rows).listeners,
    (v) => v === 0,
    '0',
    String,
  ],
  ['size: attachPaymentAuth, min+gzip', oursSize.gzipBytes / 1024, (v) => v <= 5, '≤ 5 kB', (v) => `${fmt(v, 1)} kB`],
  [
    'fleet: Redis calls per lifetime, largest K ÷ K=1',
    redisRows.at(-1).callsPerLifetime / redisRows[0].callsPerLifetime,
    (v) => v <= 1.01,
    '1',
    (v) => fmt(v, 2),
  ],
].map(([name, value, ok, target, show]) => ({ name, value: show(value), target, met: ok(value) }));

console.log('\ntarget                                                     value       target   met');
for (const t of targets)
  console.log(`${t.name.padEnd(58)} ${t.value.padStart(10)}  ${t.target.padStart(8)}   ${t.met ? 'yes' : 'NO'}`);

if (write) {
  const docs = join(import.meta.dirname, '..', 'docs');
  writeFileSync(
    join(docs, 'benchmarks.md'),
    (await import('./report.mjs')).report(r, targets, { machine, node: process.version, axios: axios.VERSION }),
  );
  const ratioBars = (c) =>
    ['ours', 'gist', 'authRefresh'].map((n) => ({
      label: `${n === 'ours' ? 'axios-payment-auth' : n === 'gist' ? 'gist interceptor' : 'axios-auth-refresh'} c=${c}`,
      value: r.steady.results[c].ratios[n].median,
      note: fmt(r.steady.results[c].ratios[n].median),
      highlight: n === 'ours',
    }));
  const label = {
    ours: 'axios-payment-auth',
    gist: 'gist interceptor',
    authRefresh: 'axios-auth-refresh',
    badgateway: '@badgateway/oauth2-client',
  };
  writeFileSync(
    join(docs, 'benchmarks.svg'),
    barChart([
      {
        title: 'Steady throughput ÷ plain axios with a static header (median)',
        max: 1.2,
        target: 0.97,
        bars: [...ratioBars(1), ...ratioBars(64)],
      },
      {
        title: `Cold-start herd: token-endpoint calls + 401s for ${r.herd.requests} requests`,
        max: Math.max(...r.herd.rows.map((x) => x.tokenCalls + x.unauthorized), 1),
        bars: r.herd.rows.map((x) => ({
          label: label[x.name],
          value: x.tokenCalls + x.unauthorized,
          note: `${x.tokenCalls} token calls, ${x.unauthorized} 401s, ${x.failures} failed`,
          highlight: x.name === 'ours',
        })),
      },
      {
        title: `401 storm: failed requests of ${r.storm.requests}`,
        max: r.storm.requests,
        bars: r.storm.rows.map((x) => ({
          label: label[x.name],
          value: x.failures,
          note: `${x.failures} failed, ${x.renewals} renewals`,
          highlight: x.name === 'ours',
        })),
      },
      {
        title: 'Fleet: token-endpoint calls per token lifetime',
        max: Math.max(...r.fleet.rows.map((x) => x.callsPerLifetime)),
        bars: r.fleet.rows.map((x) => ({
          label: `K=${x.k} ${x.store === 'redis' ? 'RedisTokenStore' : 'memory store'}`,
          value: x.callsPerLifetime,
          note: fmt(x.callsPerLifetime, 2),
          highlight: x.store === 'redis',
        })),
      },
    ]),
  );
  console.log('\nwrote docs/benchmarks.md and docs/benchmarks.svg');
}
if (check && targets.some((t) => !t.met)) {
  console.error(
    `missed: ${targets
      .filter((t) => !t.met)
      .map((t) => t.name)
      .join('; ')}`,
  );
  process.exit(1);
}
