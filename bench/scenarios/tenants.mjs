// 13. Many tenants: heap per cached tenant, heap as 100,000 tenants are touched once past a bound
// of 5,000 (least recently used evicted), and a herd of 1,000 tenants × 5 requests at once (one
// token call per tenant, every request with its own tenant's token). In a fresh process, with GC.
import { startChild } from '../child.mjs';

export async function tenants({ quick = false, log = () => undefined } = {}) {
  const maxTenants = quick ? 1000 : 5000;
  const touched = quick ? 10_000 : 100_000;
  const herd = 1000;
  const { value: server, stop } = await startChild('minimal-server-process.mjs');
  try {
    const { value, stop: end } = await startChild(
      'tenants-worker.mjs',
      [String(maxTenants), String(touched), String(herd), JSON.stringify(server)],
      ['--expose-gc'],
    );
    await end();
    log(
      `tenants: ${(value.bytesPerTenant / 1024).toFixed(1)} KB heap per cached tenant; ${touched} tenants past a bound of ${maxTenants}: heap ${(value.growthPastBoundBytes / 1e6).toFixed(2)} MB beyond the heap at the bound, ${value.cached.cached} cached, ${value.cached.evicted} evicted, ${value.leftoverTimers} timers left`,
    );
    log(
      `tenants herd: ${value.herd.requests} requests for ${value.herd.tenants} tenants: ${value.herd.tokenCalls} token calls (at most ${value.herd.maxCallsPerTenant} per tenant), ${value.herd.failed} failed, ${value.herd.foreign} with another tenant's token, ${value.herd.ms} ms`,
    );
    return value;
  } finally {
    await stop();
  }
}
