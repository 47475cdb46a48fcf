import axios, { type InternalAxiosRequestConfig } from 'axios';
import Redis from 'ioredis';
import { attachMultiTenantPaymentAuth, type MultiTenantPaymentAuth } from '../../src';
import { RedisTokenStore } from '../../src/redis';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { startRedis, type RedisServer } from '../_helpers/redis';

let redis: RedisServer;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());
beforeEach(async () => {
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  await client.flushall();
});
afterEach(() => client.disconnect());

const TENANTS = 8;
const connections: Redis[] = [];
const connection = (): Redis => {
  const made = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  connections.push(made);
  return made;
};
afterEach(() => {
  for (const made of connections.splice(0)) made.disconnect();
});

/** `replicas` attachments (one per simulated process) sharing one Redis store. */
async function fleet(
  sandbox: PaymentSandbox,
  replicas: number,
  clientOf: (tenant: string) => string,
): Promise<{
  auths: MultiTenantPaymentAuth[];
  calls: (tenant: string, n: number) => Promise<unknown>[];
  sent: { tenant: string; token: string }[];
}> {
  const sent: { tenant: string; token: string }[] = [];
  const instances = Array.from({ length: replicas }, () => {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    api.interceptors.request.use((config: InternalAxiosRequestConfig) => {
      const auth = config.headers.get('Authorization');
      if (typeof auth === 'string' && config.paymentAuth)
        sent.push({ tenant: config.paymentAuth.tenant!, token: auth.replace(/^Bearer /, '') });
      return config;
    });
    return api;
  });
  const auths = instances.map((api) =>
    attachMultiTenantPaymentAuth(api, {
      credentials: (tenant) => {
        const clientId = clientOf(tenant);
        return { clientId, clientSecret: `secret-of-${clientId}` };
      },
      // Each process its own connection, as in a fleet.
      store: new RedisTokenStore({ client: connection() }),
      retry: false,
    }),
  );
  return {
    auths,
    sent,
    calls: (tenant, n) =>
      Array.from({ length: n }, (_, k) => instances[k % replicas]!.get('/payments', { paymentAuth: { tenant } })),
  };
}

describe('many tenants on a Redis store', () => {
  it('fetches each tenant’s token once for a whole fleet, keeps it under the tenant’s key, never serves it to another', async () => {
    const sandbox = await startPaymentSandbox({
      clients: Array.from({ length: TENANTS }, (_, i) => ({
        clientId: `client-${i}`,
        clientSecret: `secret-of-client-${i}`,
      })),
    });
    const f = await fleet(sandbox, 4, (tenant) => `client-${tenant.split('_')[1]}`);
    try {
      const all = Array.from({ length: TENANTS }, (_, i) => f.calls(`merchant_${i}`, 12)).flat();
      await Promise.all(all);
      const calls: Record<string, number> = {};
      for (const r of sandbox.requests) if (r.route === 'token') calls[r.clientId!] = (calls[r.clientId!] ?? 0) + 1;
      expect(calls).toEqual(Object.fromEntries(Array.from({ length: TENANTS }, (_, i) => [`client-${i}`, 1])));
      expect(f.sent.filter((r) => sandbox.tokenClient(r.token) !== `client-${r.tenant.split('_')[1]}`)).toEqual([]);
      const keys = (await client.keys('axios-payment-auth:token:v1:*')).sort();
      expect(keys).toHaveLength(TENANTS);
      for (let i = 0; i < TENANTS; i++) expect(keys.filter((k) => k.includes(`tenant=merchant_${i}:`))).toHaveLength(1);
    } finally {
      for (const auth of f.auths) auth.detach();
      await sandbox.close();
    }
  });

  it('keeps two tenants apart even when they share one client, and encodes a hostile tenant id in the key', async () => {
    const sandbox = await startPaymentSandbox({ clients: [{ clientId: 'shared', clientSecret: 'secret-of-shared' }] });
    const hostile = 'a:b=c&d/é*';
    const f = await fleet(sandbox, 2, () => 'shared');
    try {
      await Promise.all([...f.calls('alpha', 6), ...f.calls(hostile, 6)]);
      // One token per tenant: the tenant is part of the key, not only the client.
      expect(sandbox.requests.filter((r) => r.route === 'token')).toHaveLength(2);
      const byTenant = new Map<string, Set<string>>();
      for (const r of f.sent) byTenant.set(r.tenant, (byTenant.get(r.tenant) ?? new Set()).add(r.token));
      expect(byTenant.get('alpha')!.size).toBe(1);
      expect(byTenant.get(hostile)!.size).toBe(1);
      expect([...byTenant.get('alpha')!][0]).not.toBe([...byTenant.get(hostile)!][0]);
      const keys = await client.keys('axios-payment-auth:token:v1:*');
      expect(keys.some((k) => k.includes(`tenant=${encodeURIComponent(hostile)}:`))).toBe(true);
      expect(keys.some((k) => k.includes(hostile))).toBe(false);
    } finally {
      for (const auth of f.auths) auth.detach();
      await sandbox.close();
    }
  });
});
