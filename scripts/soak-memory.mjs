// The memory half of `npm run soak`, in plain Node (a test runner keeps state of its own per
// request): the plugin under faults — 503/500, dropped connections before and after a payment,
// revocations — against the sandbox, then the same number of plain requests without the plugin as
// a control. Heap is read after GC once sockets and timers have settled. Exits 1 when the plugin's
// run grows the heap more than 2 MB over the control's.
import axios from 'axios';
import { attachPaymentAuth } from '../dist/index.mjs';
import { pendingTimers, startPaymentSandbox } from '../dist/testing/index.mjs';

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 20000);
const faults = [{ status: 503 }, { status: 500 }, { drop: true }, { dropAfterHandling: true }];

async function run(n, plugin) {
  const sandbox = await startPaymentSandbox({ accessTokenTtlS: 3 });
  const api = axios.create({ baseURL: `${sandbox.url}/api/v1`, timeout: 5000 });
  const auth = plugin
    ? attachPaymentAuth(api, sandbox.credentials, { retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 50 } })
    : undefined;
  if (!plugin) {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: sandbox.credentials.clientId,
      client_secret: sandbox.credentials.clientSecret,
    });
    api.defaults.headers.common.Authorization = `Bearer ${(await axios.post(`${sandbox.url}/api/v1/oauth2/token`, body)).data.access_token}`;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < n) {
        const i = next++;
        if (plugin && i % 20 === 0) sandbox.injectFault('api', faults[i % faults.length]);
        if (plugin && i % 250 === 0) sandbox.revokeAccessTokens();
        await (i % 3 === 0 ? api.post('/payments', { amount: i + 1 }) : api.get('/payments')).catch(() => undefined);
      }
    }),
  );
  auth?.detach();
  await sandbox.close();
}

async function settledHeap() {
  for (let i = 0; i < 5; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed;
}

async function growth(plugin) {
  await run(300, plugin); // warm-up: code compiled on first use is not growth
  const before = await settledHeap();
  await run(REQUESTS, plugin);
  return (await settledHeap()) - before;
}

const control = await growth(false);
const soaked = await growth(true);
// The package's own timers, unref'd ones included (Node's resource list leaves those out).
const timers = pendingTimers();
console.log(
  `heap growth over ${REQUESTS} requests: plugin under faults ${(soaked / 1e6).toFixed(2)} MB, plain axios ${(control / 1e6).toFixed(2)} MB; timers left: ${timers}`,
);
if (soaked - Math.max(0, control) > 2e6 || timers > 0) {
  console.error('memory did not return to baseline');
  process.exit(1);
}
