// `npm run bench`: every scenario on loopback, side by side in one run; prints a table, writes
// docs/benchmarks.md and docs/benchmarks.svg. `--check` exits 1 when a target the measurement can
// resolve is missed (an end-to-end ratio only when it falls below its A/A noise band);
// `--quick` runs small counts (for a smoke run, not for figures) and writes nothing.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import axios from 'axios';
import { barChart } from './chart.mjs';
import { boundary } from './scenarios/boundary.mjs';
import { fleet } from './scenarios/fleet.mjs';
import { herd, storm } from './scenarios/herd-storm.mjs';
import { hotPath } from './scenarios/hot-path.mjs';
import { importTime } from './scenarios/import-time.mjs';
import { memory } from './scenarios/memory.mjs';
import { clientAuth } from './scenarios/client-auth.mjs';
import { dpop } from './scenarios/dpop.mjs';
import { COOL_DOWN_MS, outage } from './scenarios/outage.mjs';
import { size } from './scenarios/size.mjs';
import { steady } from './scenarios/steady.mjs';
import { tenants } from './scenarios/tenants.mjs';
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
r.hotPath = await hotPath({ quick, log });
r.steady = await steady({ quick, log });
r.herd = await herd({ quick, log });
r.storm = await storm({ quick, log });
r.boundary = await boundary({ quick, log });
r.memory = await memory({ quick, log });
r.size = await size({ log });
r.importTime = await importTime({ quick, log });
r.fleet = await fleet({ log });
r.outage = await outage({ quick, log });
r.clientAuth = await clientAuth({ quick, log });
r.tenants = await tenants({ quick, log });
r.dpop = await dpop({ quick, log });

const ours = (rows) => rows.find((row) => row.name === 'ours');
const redisRows = r.fleet.rows.filter((row) => row.store === 'redis');
const hot = r.hotPath.results;
/**
 * An end-to-end ratio is resolved only beyond the noise that the A/A control measured: the largest
 * deviation from 1 of plain axios against an identical plain axios over the same rounds, and never
 * less than the ±10 % that A/A runs vary by on these shared machines (a quick run's five rounds can
 * show less by chance). The ratio's median is a regression only when it is lower than 1 minus that.
 */
const MIN_NOISE = 0.1;
const beyondNoise = (c) => {
  const aa = r.steady.results[c].ratios.plain2;
  const noise = Math.max(aa.max - 1, 1 - aa.min, MIN_NOISE);
  return { ratio: r.steady.results[c].ratios.ours, noise, floor: 1 - noise };
};
const band = ({ noise, floor }) => `≥ ${fmt(floor)} (A/A ±${fmt(noise * 100, 1)} %)`;
// `checked: false` rows are reported for information: the measurement cannot resolve them on a
// shared machine, so `--check` does not fail on them.
const targets = [
  {
    name: 'hot path GET: ours ÷ one trivial interceptor (median)',
    value: hot.GET.ratios.oursOverTrivial.median,
    ok: (v) => v <= 1.15,
    target: '≤ 1.15',
    show: (v) => fmt(v),
  },
  {
    name: 'hot path POST with a new Idempotency-Key: ours ÷ trivial',
    value: hot.POST.ratios.oursOverTrivial.median,
    ok: () => true,
    target: 'reported',
    show: (v) => fmt(v),
    checked: false,
  },
  ...[1, 64].map((c) => ({
    name: `steady c=${c}: ours ÷ plain axios (median)`,
    value: beyondNoise(c),
    ok: (v) => v.ratio.median >= v.floor,
    target: band(beyondNoise(c)),
    show: (v) => fmt(v.ratio.median),
  })),
  {
    name: `herd: token calls for ${r.herd.requests} cold requests`,
    value: ours(r.herd.rows).tokenCalls,
    ok: (v) => v === 1,
    target: '1',
    show: String,
  },
  {
    name: `storm: renewals for ${r.storm.requests} concurrent 401s`,
    value: ours(r.storm.rows).renewals,
    ok: (v) => v === 1,
    target: '1',
    show: String,
  },
  { name: 'storm: failed requests', value: ours(r.storm.rows).failures, ok: (v) => v === 0, target: '0', show: String },
  {
    name: `boundary: requests that waited (${r.boundary.expiries} expiries)`,
    value: ours(r.boundary.rows).waited,
    ok: (v) => v === 0,
    target: '0',
    show: String,
  },
  {
    name: 'boundary: p99 near expiry ÷ steady p99',
    value: ours(r.boundary.rows).ratio,
    ok: (v) => v <= 1.1,
    target: '≤ 1.1',
    show: (v) => fmt(v, 2),
    checked: false,
  },
  {
    name: `memory: heap growth ${r.memory.rows[1].early} → ${r.memory.total} requests`,
    value: ours(r.memory.rows).growthBytes / 1e6,
    ok: (v) => v < 2,
    target: '< 2 MB',
    show: (v) => `${fmt(v, 2)} MB`,
  },
  {
    name: 'memory: timers and abort listeners left',
    value: ours(r.memory.rows).leftoverTimers + ours(r.memory.rows).listeners,
    ok: (v) => v === 0,
    target: '0',
    show: String,
  },
  {
    name: 'fleet: Redis calls per lifetime, largest K ÷ K=1',
    value: redisRows.at(-1).callsPerLifetime / redisRows[0].callsPerLifetime,
    ok: (v) => v <= 1.01,
    target: '1',
    show: (v) => fmt(v, 2),
  },
  ...[
    ['1 process', ours(r.outage.rows)],
    [`${r.outage.fleets[0].k} processes, Redis`, ours(r.outage.fleets)],
  ].map(([who, row]) => ({
    name: `outage, ${who}: token calls once the breaker opened`,
    value: row,
    // At most one per cool-down: a cool-down is never shorter than half of coolDownMs (jitter).
    ok: (v) => v.probes !== undefined && v.probes <= 1 + Math.floor(v.openForMs / (COOL_DOWN_MS / 2)),
    target: '≤ 1 per cool-down',
    show: (v) => (v.probes === undefined ? 'never opened' : `${v.probes} in ${fmt(v.openForMs / 1000, 1)} s`),
  })),
  {
    name: `client auth: assertions signed for ${r.clientAuth.requests} requests`,
    value: r.clientAuth.assertionsForRequests,
    ok: (v) => v === 0,
    target: '0 (per token call only)',
    show: String,
  },
  {
    name: 'client auth: ES256 token call ÷ client_secret_basic (median)',
    value: r.clientAuth.rows.find((x) => x.name === 'ES256').ratio,
    ok: () => true,
    target: 'reported',
    show: (v) => fmt(v),
    checked: false,
  },
  {
    name: 'tenants: heap per cached tenant',
    value: r.tenants.bytesPerTenant / 1024,
    ok: (v) => v <= 32,
    target: '≤ 32 kB',
    show: (v) => `${fmt(v, 1)} kB`,
  },
  {
    name: `tenants: heap growth from ${r.tenants.maxTenants} (the bound) to ${r.tenants.touched} tenants`,
    value: r.tenants.growthPastBoundBytes / 1e6,
    ok: (v) => v < 5,
    target: '< 5 MB',
    show: (v) => `${fmt(v, 2)} MB`,
  },
  {
    name: `tenants: token calls for a herd of ${r.tenants.herd.tenants} tenants × 5 requests`,
    value: r.tenants.herd,
    ok: (v) =>
      v.tokenCalls === v.tenants &&
      v.clients === v.tenants &&
      v.maxCallsPerTenant === 1 &&
      v.failed === 0 &&
      v.foreign === 0,
    target: '1 per tenant, 0 failed, 0 foreign',
    show: (v) => `${v.tokenCalls} (max ${v.maxCallsPerTenant} per tenant), ${v.failed} failed, ${v.foreign} foreign`,
  },
  {
    name: 'dpop: ES256 request ÷ Bearer request (median, no sockets)',
    value: r.dpop.rows.find((x) => x.name === 'ES256').ratio.median,
    ok: () => true,
    target: 'reported',
    show: (v) => fmt(v, 2),
    checked: false,
  },
  {
    name: 'outage: median time to fail while the breaker is open',
    value: ours(r.outage.rows).failMedianMs,
    ok: (v) => v < 5,
    target: '< 5 ms',
    show: (v) => `${fmt(v, 1)} ms`,
  },
  {
    name: 'outage: first success after recovery',
    value: ours(r.outage.rows),
    ok: (v) => v.recoveryMs <= (v.retryInAtRecovery ?? 0) + 100,
    target: 'within the cool-down left',
    show: (v) => `${Math.round(v.recoveryMs)} ms`,
  },
].map((t) => ({
  name: t.name,
  value: t.show(t.value),
  target: t.target,
  met: t.ok(t.value),
  checked: t.checked !== false,
}));

console.log(`\n${'target'.padEnd(58)} ${'value'.padStart(10)}  target`);
for (const t of targets)
  console.log(
    `${t.name.padEnd(58)} ${t.value.padStart(10)}  ${t.target}  ${t.checked ? (t.met ? 'met' : 'MISSED') : 'reported'}`,
  );

if (write) {
  const docs = join(import.meta.dirname, '..', 'docs');
  writeFileSync(
    join(docs, 'benchmarks.md'),
    (await import('./report.mjs')).report(r, targets, { machine, node: process.version, axios: axios.VERSION }),
  );
  const names = {
    plain2: 'plain axios again (A/A)',
    ours: 'axios-payment-auth',
    gist: 'gist interceptor',
    authRefresh: 'axios-auth-refresh',
  };
  const ratioBars = (c) =>
    ['plain2', 'ours', 'gist', 'authRefresh'].map((n) => ({
      label: `${names[n]} c=${c}`,
      value: r.steady.results[c].ratios[n].median,
      note: fmt(r.steady.results[c].ratios[n].median),
      highlight: n === 'ours',
    }));
  const label = {
    ours: 'axios-payment-auth',
    gist: 'gist interceptor',
    authRefresh: 'axios-auth-refresh',
    badgateway: '@badgateway/oauth2-client',
    oursNoBreaker: 'axios-payment-auth, breaker: false',
  };
  writeFileSync(
    join(docs, 'benchmarks.svg'),
    barChart([
      {
        title: 'Hot path, no sockets: µs per GET through the whole axios pipeline (median)',
        max: Math.max(...['static', 'trivial', 'ours'].map((n) => hot.GET.us[n].median)) * 1.1,
        bars: [
          ['static', 'static header, no interceptor'],
          ['trivial', 'one trivial interceptor'],
          ['ours', 'axios-payment-auth'],
        ].map(([n, label]) => ({
          label,
          value: hot.GET.us[n].median,
          note: `${fmt(hot.GET.us[n].median, 1)} µs`,
          highlight: n === 'ours',
        })),
      },
      {
        title: 'Steady loopback throughput ÷ plain axios (median; the A/A row is the noise)',
        max: 1.2,
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
        title: `Token endpoint down for ${r.outage.outageMs / 1000} s: token-endpoint calls per second (100 requests/s)`,
        max: Math.max(...r.outage.rows.map((x) => x.callsPerSecond)),
        bars: [...r.outage.rows, ...r.outage.fleets.map((x) => ({ ...x, fleet: true }))].map((x) => ({
          label: `${label[x.name]}${x.fleet ? `, ${x.k} processes + Redis` : ''}`,
          value: x.callsPerSecond,
          note: `${fmt(x.callsPerSecond, 1)}/s, ${x.failed} of ${x.requests} failed`,
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
const missed = targets.filter((t) => t.checked && !t.met);
if (check && missed.length) {
  console.error(`missed: ${missed.map((t) => t.name).join('; ')}`);
  process.exit(1);
}
