// 4. Expiry boundary: constant load across 10 token expiries (1 s tokens). Counts the requests
// that had to wait for a token, and compares p99 latency of requests starting near an expiry with
// the p99 of the others.
import { startPaymentSandbox } from '../../dist/testing/index.mjs';
import { IMPLEMENTATIONS } from '../implementations.mjs';
import { quantile } from '../stats.mjs';

const NAMES = ['ours', 'gist', 'authRefresh'];
const TTL_S = 1;
const WINDOW_MS = 100;

export async function boundary({ quick = false, log = () => undefined } = {}) {
  const expiries = quick ? 3 : 10;
  const rows = [];
  for (const name of NAMES) {
    const sandbox = await startPaymentSandbox({ accessTokenTtlS: TTL_S });
    const client = await IMPLEMENTATIONS[name].create({
      baseURL: `${sandbox.url}/api/v1`,
      tokenUrl: `${sandbox.url}/api/v1/oauth2/token`,
      credentials: sandbox.credentials,
    });
    await client.get('/payments');
    sandbox.reset();
    const samples = [];
    let waited = 0;
    const until = Date.now() + expiries * TTL_S * 1000 + 200;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < until) {
          const startedAt = Date.now();
          if (client.auth && !client.auth.status().hasToken) waited += 1;
          const t = performance.now();
          await client.get('/payments').catch(() => undefined);
          samples.push({ startedAt, ms: performance.now() - t });
          await new Promise((r) => setTimeout(r, 5));
        }
      }),
    );
    const issued = sandbox.requests
      .filter((r) => (r.route === 'token' || r.route === 'refresh') && r.status === 200)
      .map((r) => r.at + TTL_S * 1000);
    const near = (s) => issued.some((exp) => s.startedAt >= exp - WINDOW_MS && s.startedAt <= exp + WINDOW_MS);
    const boundarySamples = samples.filter(near).map((s) => s.ms);
    const steadySamples = samples.filter((s) => !near(s)).map((s) => s.ms);
    const c = sandbox.counters();
    // Without a token manager, every 401 is a request that waited for a token.
    const waits = client.auth ? waited : c.unauthorized;
    const row = {
      name,
      requests: samples.length,
      expiries: issued.length,
      waited: waits,
      unauthorized: c.unauthorized,
      boundaryP99: quantile(boundarySamples, 0.99),
      steadyP99: quantile(steadySamples, 0.99),
    };
    row.ratio = row.boundaryP99 / row.steadyP99;
    log(
      `boundary ${name}: ${row.waited} waited, ${row.unauthorized} 401s, p99 ${row.boundaryP99.toFixed(1)} ms near expiry vs ${row.steadyP99.toFixed(1)} ms (×${row.ratio.toFixed(2)})`,
    );
    rows.push(row);
    client.close();
    await sandbox.close();
  }
  return { ttlS: TTL_S, expiries, windowMs: WINDOW_MS, rows };
}
