// Fleet benchmark: token-endpoint calls per token lifetime for K processes, with the default
// per-process store and with a RedisTokenStore, side by side in one run.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startPaymentSandbox } from '../dist/testing/index.mjs';

const LIFETIME_S = 2;
const LIFETIMES = 3;
const fleets = () => (process.env.FLEETS ?? '1,4,16').split(',').map(Number);

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function worker(env) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fleet-worker.cjs')], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffer = '';
  const waiters = [];
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      waiters.shift()?.(JSON.parse(line));
    }
  });
  const next = () => new Promise((r) => waiters.push(r));
  return {
    ready: next(),
    send: (line) => (child.stdin.write(`${line}\n`), next()),
    exit: () => new Promise((r) => (child.once('exit', r), child.stdin.write('exit\n'))),
  };
}

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
  const workers = Array.from({ length: k }, () => worker(env));
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
  const port = await freePort();
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 300));
  const rows = [];
  try {
    for (const k of fleets()) {
      for (const store of ['memory', 'redis']) {
        const row = await measureFleet(k, store, { sandbox, redisUrl: `redis://127.0.0.1:${port}` });
        log(
          `fleet K=${k} ${store}: ${row.tokenCalls + row.refreshCalls} token-endpoint calls over ${LIFETIMES} lifetimes (${row.callsPerLifetime.toFixed(2)} per lifetime), ${row.requests} requests, ${row.failures} failed`,
        );
        rows.push(row);
      }
    }
  } finally {
    redis.kill();
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
