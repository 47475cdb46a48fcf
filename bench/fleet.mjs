// Fleet benchmark: token-endpoint calls per token lifetime for K processes, with the default
// per-process store and with a RedisTokenStore, side by side in one run.
import { startPaymentSandbox } from '../dist/testing/index.mjs';
import { startRedisServer, startWorker } from './processes.mjs';

const LIFETIME_S = 2;
const LIFETIMES = 3;
const fleets = () => (process.env.FLEETS ?? '1,4,16').split(',').map(Number);

/** Runs K processes for LIFETIMES token lifetimes; returns token-endpoint calls per lifetime. */
export async function measureFleet(k, store, context) {
  const { sandbox, redisUrl } = context;
  const env = {
    SANDBOX_URL: sandbox.url,
    PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
    PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
    STORE: store,
    REDIS_URL: redisUrl,
    RUN_ID: `${k}-${store}-${Date.now()}`,
  };
  const workers = Array.from({ length: k }, () => startWorker('fleet-worker.cjs', env));
  await Promise.all(workers.map((w) => w.ready));
  sandbox.reset();
  const results = await Promise.all(workers.map((w) => w.send(`run ${LIFETIME_S * LIFETIMES * 1000}`)));
  const { tokenCalls, refreshCalls } = sandbox.counters();
  await Promise.all(workers.map((w) => w.exit()));
  return {
    k,
    store,
    requests: results.reduce((n, r) => n + r.requests, 0),
    failures: results.reduce((n, r) => n + r.failures, 0),
    tokenCalls,
    refreshCalls,
    callsPerLifetime: (tokenCalls + refreshCalls) / LIFETIMES,
  };
}

/** Starts the sandbox and a redis-server, runs every fleet size with both stores. */
export async function runFleetBenchmark(log = console.log) {
  const sandbox = await startPaymentSandbox({ accessTokenTtlS: LIFETIME_S });
  const redis = await startRedisServer();
  const rows = [];
  try {
    for (const k of fleets()) {
      for (const store of ['memory', 'redis']) {
        const row = await measureFleet(k, store, { sandbox, redisUrl: redis.url });
        log(
          `fleet K=${k} ${store}: ${row.tokenCalls + row.refreshCalls} token-endpoint calls over ${LIFETIMES} lifetimes (${row.callsPerLifetime.toFixed(2)} per lifetime), ${row.requests} requests, ${row.failures} failed`,
        );
        rows.push(row);
      }
    }
  } finally {
    redis.stop();
    await sandbox.close();
  }
  return { lifetimeS: LIFETIME_S, lifetimes: LIFETIMES, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await runFleetBenchmark();
  console.log('\n K  | memory calls/lifetime | redis calls/lifetime | memory ÷ redis');
  for (const k of fleets()) {
    const m = rows.find((r) => r.k === k && r.store === 'memory');
    const r = rows.find((x) => x.k === k && x.store === 'redis');
    console.log(
      ` ${String(k).padStart(2)} | ${m.callsPerLifetime.toFixed(2).padStart(21)} | ${r.callsPerLifetime.toFixed(2).padStart(20)} | ${(m.callsPerLifetime / r.callsPerLifetime).toFixed(1).padStart(14)}`,
    );
  }
}
