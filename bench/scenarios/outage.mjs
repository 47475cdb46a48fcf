// 8. The token endpoint down under steady load. Open-loop traffic (one request every 10 ms) against
// the sandbox, whose tokens live 1 s so that the outage soon leaves every client without a valid
// one; then the token and refresh endpoints answer 503 for a while; then they work again. For each
// client: token-endpoint calls per second during the outage, how many requests failed and how
// fast, and how long after recovery the first request succeeded. Then the same for K processes
// sharing one RedisTokenStore: the breaker's cool-down is the fleet's.
import { startPaymentSandbox } from '../../dist/testing/index.mjs';
import { IMPLEMENTATIONS } from '../implementations.mjs';
import { openLoop } from '../open-loop.mjs';
import { startRedisServer, startWorker } from '../processes.mjs';
import { quantile } from '../stats.mjs';

const INTERVAL_MS = 10;
const WARM_MS = 1000;
/** The breaker's first cool-down (the default): the fleet target is one call per cool-down. */
export const COOL_DOWN_MS = 1000;

const ROWS = [
  { name: 'ours', impl: 'ours' },
  { name: 'oursNoBreaker', impl: 'ours', options: { breaker: false } },
  { name: 'gist', impl: 'gist' },
  { name: 'authRefresh', impl: 'authRefresh' },
  { name: 'badgateway', impl: 'badgateway' },
];

function down(sandbox) {
  for (const route of ['token', 'refresh']) sandbox.injectFault(route, { status: 503 }, Infinity);
}

/** The figures of one run from its outcomes and the sandbox's log. */
function summarise({ outcomes, sandbox, outageStart, outageEnd, openedAt }) {
  const calls = sandbox.requests.filter((r) => r.route === 'token' || r.route === 'refresh');
  const during = calls.filter((r) => r.at >= outageStart && r.at < outageEnd);
  const inOutage = outcomes.filter((o) => o.start >= outageStart && o.start < outageEnd);
  const failed = inOutage.filter((o) => !o.ok);
  // How fast requests failed once the outage was established (its second half).
  const late = failed.filter((o) => o.start >= (outageStart + outageEnd) / 2).map((o) => o.end - o.start);
  const firstSuccess = outcomes.find((o) => o.ok && o.start >= outageEnd);
  const outageS = (outageEnd - outageStart) / 1000;
  return {
    callsPerSecond: during.length / outageS,
    calls: during.length,
    // Calls after the breaker opened (ours only): the probes.
    probes: openedAt === undefined ? undefined : during.filter((r) => r.at > openedAt).length,
    openForMs: openedAt === undefined ? undefined : outageEnd - openedAt,
    requests: inOutage.length,
    failed: failed.length,
    failMedianMs: quantile(late, 0.5),
    failP99Ms: quantile(late, 0.99),
    recoveryMs: firstSuccess ? firstSuccess.end - outageEnd : Number.POSITIVE_INFINITY,
  };
}

/**
 * Runs `work` with console.warn lines of @badgateway/oauth2-client (`[oauth2] …`, one per failed
 * refresh: hundreds in an outage) left out of the benchmark's output.
 */
async function withoutOauth2Warnings(work) {
  const warn = console.warn;
  console.warn = (...args) => (String(args[0]).startsWith('[oauth2]') ? undefined : warn(...args));
  try {
    return await work();
  } finally {
    console.warn = warn;
  }
}

async function singleProcess(row, outageMs, log) {
  const sandbox = await startPaymentSandbox({ accessTokenTtlS: 1 });
  const client = await IMPLEMENTATIONS[row.impl].create({
    baseURL: `${sandbox.url}/api/v1`,
    tokenUrl: `${sandbox.url}/api/v1/oauth2/token`,
    credentials: sandbox.credentials,
    options: { retry: false, ...row.options },
  });
  const started = Date.now();
  const outageStart = started + WARM_MS;
  const outageEnd = outageStart + outageMs;
  let openedAt;
  let retryInAtRecovery;
  let phase = 'warm';
  try {
    const outcomes = await openLoop({
      request: () => client.get('/payments'),
      intervalMs: INTERVAL_MS,
      durationMs: WARM_MS + outageMs,
      // After the outage: until a request succeeded (20 s at most).
      until: (sofar) => sofar.some((o) => o.ok && o.start >= outageEnd),
      maxMs: WARM_MS + outageMs + 20_000,
      onTick(now) {
        if (phase === 'warm' && now >= outageStart) {
          phase = 'down';
          down(sandbox);
        } else if (phase === 'down' && now >= outageEnd) {
          phase = 'up';
          retryInAtRecovery = client.auth?.status().breaker.retryInMs;
          sandbox.clearFaults();
        }
        if (openedAt === undefined && client.auth?.status().breaker.state === 'open') openedAt = now;
      },
    });
    const result = {
      name: row.name,
      retryInAtRecovery,
      ...summarise({ outcomes, sandbox, outageStart, outageEnd, openedAt }),
    };
    log(
      `outage ${row.name}: ${result.callsPerSecond.toFixed(1)} token calls/s, ${result.failed}/${result.requests} failed (median ${result.failMedianMs.toFixed(1)} ms), first success ${Math.round(result.recoveryMs)} ms after recovery`,
    );
    return result;
  } finally {
    client.close();
    await sandbox.close();
  }
}

async function fleet(k, name, options, outageMs, afterMs, context, log) {
  const sandbox = await startPaymentSandbox({ accessTokenTtlS: 1 });
  const runId = `${name}-${k}-${Date.now()}`; // one key prefix: the fleet shares its store
  const workers = Array.from({ length: k }, () =>
    startWorker('outage-worker.mjs', {
      SANDBOX_URL: sandbox.url,
      PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
      PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
      REDIS_URL: context.redisUrl,
      RUN_ID: runId,
      OPTIONS: JSON.stringify(options),
    }),
  );
  try {
    await Promise.all(workers.map((w) => w.ready));
    const started = Date.now();
    const outageStart = started + WARM_MS;
    const outageEnd = outageStart + outageMs;
    const timers = [
      setTimeout(() => down(sandbox), WARM_MS),
      setTimeout(() => sandbox.clearFaults(), WARM_MS + outageMs),
    ];
    // Each process sends one request every k × 10 ms: the fleet as a whole, 100 per second.
    const runs = await Promise.all(
      workers.map((w) => w.send(`run ${WARM_MS + outageMs + afterMs} ${INTERVAL_MS * k}`)),
    );
    timers.forEach(clearTimeout);
    const perProcess = runs.map(({ outcomes }) => summarise({ outcomes, sandbox, outageStart, outageEnd }));
    const outcomes = runs.flatMap((r) => r.outcomes).sort((a, b) => a.start - b.start);
    // Once every process has opened its breaker, the fleet's calls are the probes.
    const opened = runs.map((r) => r.openedAt).filter((t) => t !== undefined);
    const allOpenedAt = opened.length === k ? Math.max(...opened) : undefined;
    const all = summarise({ outcomes, sandbox, outageStart, outageEnd, openedAt: allOpenedAt });
    const result = {
      name,
      k,
      ...all,
      // The slowest process to recover.
      recoveryMs: Math.max(...perProcess.map((p) => p.recoveryMs)),
      callsPerCoolDown: all.calls / (outageMs / COOL_DOWN_MS),
    };
    log(
      `outage fleet K=${k} ${name}: ${result.callsPerSecond.toFixed(1)} token calls/s for the fleet, ${result.failed}/${result.requests} failed (median ${result.failMedianMs.toFixed(1)} ms), every process served ${Math.round(result.recoveryMs)} ms after recovery`,
    );
    return result;
  } finally {
    await Promise.all(workers.map((w) => w.exit()));
    await sandbox.close();
  }
}

export async function outage({ quick = false, log = () => undefined } = {}) {
  const outageMs = quick ? 3000 : 8000;
  const rows = [];
  // A quick run checks the package's own targets: the other clients (each a 9 s run) are for the
  // figures of a full run.
  for (const row of quick ? ROWS.filter((r) => r.name === 'ours') : ROWS)
    rows.push(await withoutOauth2Warnings(() => singleProcess(row, outageMs, log)));
  const redis = await startRedisServer();
  const fleets = [];
  try {
    const k = 4;
    const context = { redisUrl: redis.url };
    const afterMs = quick ? 6000 : 15_000;
    fleets.push(await fleet(k, 'ours', {}, outageMs, afterMs, context, log));
    if (!quick) fleets.push(await fleet(k, 'oursNoBreaker', { breaker: false }, outageMs, afterMs, context, log));
  } finally {
    redis.stop();
  }
  return { outageMs, intervalMs: INTERVAL_MS, rows, fleets };
}
