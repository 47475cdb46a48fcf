// 2. Cold-start herd: N concurrent first requests → token-endpoint calls, 401s, failures.
// 3. 401 storm: M concurrent requests whose token was revoked → renewals and failures.
// Each implementation gets a fresh sandbox, so the counts are its own.
import { startPaymentSandbox } from '../../dist/testing/index.mjs';
import { IMPLEMENTATIONS } from '../implementations.mjs';

const NAMES = ['ours', 'gist', 'authRefresh', 'badgateway'];

async function withSandbox(name, run) {
  const sandbox = await startPaymentSandbox();
  const client = await IMPLEMENTATIONS[name].create({
    baseURL: `${sandbox.url}/api/v1`,
    tokenUrl: `${sandbox.url}/api/v1/oauth2/token`,
    credentials: sandbox.credentials,
  });
  try {
    return await run(sandbox, client);
  } finally {
    client.close();
    await sandbox.close();
  }
}

async function burst(client, n) {
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, () => client.get('/payments')));
  return { failures: results.filter((r) => r.status === 'rejected').length, ms: performance.now() - started };
}

export async function herd({ quick = false, log = () => undefined } = {}) {
  const n = quick ? 100 : 1000;
  const rows = [];
  for (const name of NAMES) {
    rows.push(
      await withSandbox(name, async (sandbox, client) => {
        const { failures, ms } = await burst(client, n);
        const c = sandbox.counters();
        const row = {
          name,
          requests: n,
          tokenCalls: c.tokenCalls + c.refreshCalls,
          unauthorized: c.unauthorized,
          failures,
          ms,
        };
        log(`herd ${name}: ${row.tokenCalls} token calls, ${row.unauthorized} 401s, ${failures} failed`);
        return row;
      }),
    );
  }
  return { requests: n, rows };
}

export async function storm({ quick = false, log = () => undefined } = {}) {
  const n = quick ? 50 : 200;
  const rows = [];
  for (const name of NAMES) {
    rows.push(
      await withSandbox(name, async (sandbox, client) => {
        await client.get('/payments'); // a token, first
        sandbox.revokeAccessTokens();
        sandbox.reset();
        const { failures, ms } = await burst(client, n);
        const c = sandbox.counters();
        const row = {
          name,
          requests: n,
          renewals: c.tokenCalls + c.refreshCalls,
          unauthorized: c.unauthorized,
          failures,
          ms,
        };
        log(`storm ${name}: ${row.renewals} renewals, ${failures} failed`);
        return row;
      }),
    );
  }
  return { requests: n, rows };
}
