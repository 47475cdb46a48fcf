// One tenants run: `node --expose-gc tenants-worker.mjs <maxTenants> <touched> <herd tenants> <server json>`.
// Heap per cached tenant, heap past the bound, and a herd of many tenants at once.
import { createServer } from 'node:http';
import axios from 'axios';
import { attachMultiTenantPaymentAuth } from '../dist/index.mjs';
import { pendingTimers } from '../dist/testing/index.mjs';
import { drive } from './stats.mjs';

const [maxArg, touchedArg, herdArg, serverJson] = process.argv.slice(2);
const maxTenants = Number(maxArg);
const touched = Number(touchedArg);
const herdTenants = Number(herdArg);
const server = JSON.parse(serverJson);

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};

// 1. Heap per cached tenant, then past the bound: every tenant once, in order, 64 at a time.
const api = axios.create({ baseURL: `${server.url}/api/v1` });
const auth = attachMultiTenantPaymentAuth(api, {
  credentials: (tenant) => ({ clientId: `client-${tenant}`, clientSecret: 'bench-secret' }),
  tokenUrl: server.tokenUrl,
  maxTenants,
});
let next = 0;
const touch = () => auth.getAccessToken(`merchant_${next++}`);
await drive(touch, 200, 64); // warm-up: code paths, the sockets
const base = heap();
await drive(touch, maxTenants - 200, 64);
const atBound = heap();
const samples = [];
const step = Math.max(maxTenants, Math.floor((touched - maxTenants) / 10));
while (next < touched) {
  await drive(touch, Math.min(step, touched - next), 64);
  samples.push({ tenants: next, heapBytes: heap() });
}
const afterAll = heap();
const cached = auth.tenants();
auth.detach();

// 2. A herd: `herdTenants` tenants × 5 requests, all at once, against a server that counts token
// calls per client.
const calls = new Map();
const herdServer = createServer((req, res) => {
  if (req.method === 'POST') {
    const basic = Buffer.from(String(req.headers.authorization ?? '').slice(6), 'base64').toString();
    const clientId = decodeURIComponent(basic.split(':')[0] ?? '');
    calls.set(clientId, (calls.get(clientId) ?? 0) + 1);
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ access_token: `token-of-${clientId}`, token_type: 'Bearer', expires_in: 900 });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    });
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
});
herdServer.keepAliveTimeout = 60_000;
await new Promise((resolve) => herdServer.listen(0, '127.0.0.1', resolve));
const herdUrl = `http://127.0.0.1:${herdServer.address().port}`;
const herdApi = axios.create({ baseURL: `${herdUrl}/api/v1` });
let foreign = 0;
herdApi.interceptors.response.use((response) => {
  const tenant = response.config.paymentAuth?.tenant;
  if (response.config.headers.get('Authorization') !== `Bearer token-of-client-${tenant}`) foreign += 1;
  return response;
});
const herdAuth = attachMultiTenantPaymentAuth(herdApi, {
  credentials: (tenant) => ({ clientId: `client-${tenant}`, clientSecret: 'bench-secret' }),
  maxTenants: herdTenants,
});
const started = performance.now();
const results = await Promise.allSettled(
  Array.from({ length: herdTenants * 5 }, (_, n) =>
    herdApi.get('/things', { paymentAuth: { tenant: `merchant_${n % herdTenants}` } }),
  ),
);
const herdMs = performance.now() - started;
herdAuth.detach();
await new Promise((resolve) => (herdServer.closeAllConnections(), herdServer.close(resolve)));
const perTenant = [...calls.values()];

process.stdout.write(
  `${JSON.stringify({
    maxTenants,
    touched,
    bytesPerTenant: (atBound - base) / (maxTenants - 200),
    heapAtBound: atBound,
    heapAfterAll: afterAll,
    growthPastBoundBytes: afterAll - atBound,
    samples,
    cached,
    leftoverTimers: process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length + pendingTimers(),
    herd: {
      tenants: herdTenants,
      requests: herdTenants * 5,
      tokenCalls: perTenant.reduce((a, b) => a + b, 0),
      clients: perTenant.length,
      maxCallsPerTenant: Math.max(...perTenant),
      failed: results.filter((r) => r.status === 'rejected').length,
      foreign,
      ms: Math.round(herdMs),
    },
  })}\n`,
);
