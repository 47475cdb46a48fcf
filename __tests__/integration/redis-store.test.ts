import axios from 'axios';
import Redis from 'ioredis';
import { attachPaymentAuth } from '../../src';
import { RedisTokenStore } from '../../src/redis';
import type { StoredToken } from '../../src/store/token-store';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { startRedis, type RedisServer } from '../_helpers/redis';
import { waitFor } from '../_helpers/servers';

let redis: RedisServer;
let client: Redis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());
beforeEach(async () => {
  client = new Redis(redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  await client.flushall();
});
afterEach(() => client.disconnect());

const token: StoredToken = {
  accessToken: 'at-abc',
  issuedAt: 1,
  expiresAt: 900_001,
  refreshToken: 'rt-xyz',
  refreshExpiresAt: 86_400_001,
};
const KEY = Buffer.alloc(32, 7);

describe('RedisTokenStore', () => {
  it('round-trips a token with a TTL, under the key prefix', async () => {
    const store = new RedisTokenStore({ client, keyPrefix: 'test:' });
    await store.set('k', token, 60_000);
    expect(await store.get('k')).toEqual(token);
    expect(await client.pttl('test:k')).toBeGreaterThan(59_000);
    expect(await store.get('other')).toBeUndefined();
  });

  it('locks with SET NX PX and releases only for the owner', async () => {
    const store = new RedisTokenStore({ client });
    expect(await store.tryLock('k', 'a', 300)).toBe(true);
    expect(await store.tryLock('k', 'b', 300)).toBe(false);
    await store.unlock('k', 'b');
    expect(await store.tryLock('k', 'b', 300)).toBe(false);
    await new Promise((r) => setTimeout(r, 350)); // the holder "died": its lock expires
    expect(await store.tryLock('k', 'b', 300)).toBe(true);
    await store.unlock('k', 'b');
    expect(await client.exists('axios-payment-auth:k:lock')).toBe(0);
  });

  it('encrypts tokens at rest with AES-256-GCM', async () => {
    const store = new RedisTokenStore({ client, encryptionKey: KEY });
    await store.set('k', token, 60_000);
    const raw = (await client.get('axios-payment-auth:k'))!;
    expect(raw).toMatch(/^v1\./);
    expect(raw).not.toContain('at-abc');
    expect(raw).not.toContain('rt-xyz');
    expect(await store.get('k')).toEqual(token);
    await expect(new RedisTokenStore({ client, encryptionKey: Buffer.alloc(32, 8) }).get('k')).rejects.toThrow();
    await client.copy('axios-payment-auth:k', 'axios-payment-auth:moved');
    await expect(store.get('moved')).rejects.toThrow(); // bound to its key
  });

  it.each([
    ['short', 'abc'],
    ['31 bytes', Buffer.alloc(31)],
  ])('rejects a %s encryption key', (_name, key) => {
    expect(() => new RedisTokenStore({ client, encryptionKey: key })).toThrow(TypeError);
  });

  it('answers a client that is still making its first connection, within the command deadline', async () => {
    const lazy = new Redis(redis.url, { lazyConnect: true });
    expect(lazy.status).toBe('wait');
    await expect(new RedisTokenStore({ client: lazy }).get('k')).resolves.toBeUndefined();
    const connecting = new Redis(redis.url);
    expect(connecting.status).toBe('connecting');
    await expect(new RedisTokenStore({ client: connecting }).tryLock('k', 'a', 300)).resolves.toBe(true);
    lazy.disconnect();
    connecting.disconnect();
  });

  it('refuses commands at once once the client has lost its connection', async () => {
    const closed = new Redis(redis.url);
    await waitFor(() => closed.status === 'ready');
    closed.disconnect();
    await waitFor(() => closed.status === 'end');
    const store = new RedisTokenStore({ client: closed });
    const started = Date.now();
    await expect(store.get('k')).rejects.toThrow(/redis client is end/);
    expect(Date.now() - started).toBeLessThan(100);
  });
});

describe('attachPaymentAuth with a RedisTokenStore', () => {
  let sandbox: PaymentSandbox;
  beforeEach(async () => {
    sandbox = await startPaymentSandbox();
  });
  afterEach(() => sandbox.close());

  it('shares one token between instances and never writes the client secret', async () => {
    const store = new RedisTokenStore({ client });
    const instances = [1, 2, 3].map(() => axios.create({ baseURL: `${sandbox.url}/api/v1` }));
    const handles = instances.map((api) => attachPaymentAuth(api, sandbox.credentials, { store }));
    await Promise.all(instances.map((api) => api.get('/payments')));
    expect(sandbox.counters().tokenCalls).toBe(1);
    const keys = await client.keys('*');
    expect(keys).toHaveLength(1);
    const everything = keys.join() + (await Promise.all(keys.map((k) => client.get(k)))).join();
    expect(everything).not.toContain(sandbox.credentials.clientSecret);
    expect(keys[0]).toContain(encodeURIComponent(sandbox.credentials.clientId));
    handles.forEach((h) => h.detach());
  });

  it('gives one token call to processes that start together with clients still connecting', async () => {
    // As the README shows it: `new Redis(url)` passed straight in, before it is ready.
    const clients = [1, 2, 3, 4].map(() => new Redis(redis.url));
    expect(clients.every((c) => c.status === 'connecting')).toBe(true);
    const apis = clients.map(() => axios.create({ baseURL: `${sandbox.url}/api/v1` }));
    const handles = apis.map((api, i) =>
      attachPaymentAuth(api, sandbox.credentials, { store: new RedisTokenStore({ client: clients[i]! }) }),
    );
    await Promise.all(apis.flatMap((api) => [api.get('/payments'), api.get('/payments')]));
    expect(sandbox.counters().tokenCalls).toBe(1);
    handles.forEach((h) => h.detach());
    clients.forEach((c) => c.disconnect());
  });

  it('keeps serving when Redis goes down, reports it, and shares again when it is back', async () => {
    const errors: Error[] = [];
    const store = new RedisTokenStore({ client });
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials, { store, onStoreError: (e) => errors.push(e) });
    await api.get('/payments');
    await redis.stop();
    sandbox.revokeAccessTokens();
    const started = Date.now();
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(errors.length).toBeGreaterThan(0);
    await redis.start();
    await waitFor(() => client.status === 'ready', 8000);
    sandbox.revokeAccessTokens();
    await api.get('/payments');
    const other = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const otherAuth = attachPaymentAuth(other, sandbox.credentials, { store });
    const calls = sandbox.counters().tokenCalls + sandbox.counters().refreshCalls;
    await other.get('/payments'); // adopts the token written after Redis came back
    expect(sandbox.counters().tokenCalls + sandbox.counters().refreshCalls).toBe(calls);
    auth.detach();
    otherAuth.detach();
  });
});
