import axios from 'axios';
import { attachPaymentAuth, type PaymentAuth } from 'axios-payment-auth';
import { startPaymentSandbox, type PaymentSandbox } from 'axios-payment-auth/testing';
import { startKvServer, type KvServer } from './kv-server';
import { RestKvTokenStore } from './rest-kv-token-store';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('RestKvTokenStore', () => {
  let sandbox: PaymentSandbox;
  let kv: KvServer;
  const attached: PaymentAuth[] = [];

  beforeEach(async () => {
    sandbox = await startPaymentSandbox();
    kv = await startKvServer('kv-token');
  });

  afterEach(async () => {
    for (const auth of attached.splice(0)) auth.detach();
    await Promise.all([sandbox.close(), kv.close()]);
  });

  /** One isolate: its own instance and its own store object, as module scope gives each isolate. */
  function isolate(encryptionKey: string | undefined = KEY) {
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const store = new RestKvTokenStore({ url: kv.url, token: 'kv-token', encryptionKey });
    attached.push(attachPaymentAuth(api, sandbox.credentials, { store }));
    return api;
  }

  it('gives isolates that start together one token call', async () => {
    sandbox.injectFault('token', { delayMs: 150 });
    const isolates = [isolate(), isolate(), isolate()];
    await Promise.all(isolates.map((api) => api.get('/payments')));
    expect(sandbox.counters().tokenCalls).toBe(1);
    await isolate().get('/payments');
    expect(sandbox.counters().tokenCalls).toBe(1);
    expect(kv.commands).toMatchObject({ SET: expect.any(Number), EVAL: expect.any(Number) });
  });

  it('keeps the tokens encrypted at rest', async () => {
    const api = isolate();
    await api.get('/payments');
    const values = [...kv.values().values()];
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).toMatch(/^v1\.[\w+/=]+\.[\w+/=]+$/);
  });

  it('treats a value it cannot decrypt as no token: the isolate fetches its own', async () => {
    await isolate().get('/payments');
    await isolate(Buffer.alloc(32, 9).toString('base64')).get('/payments');
    expect(sandbox.counters().tokenCalls).toBe(2);
  });

  it('takes a lock once, and releases only its own', async () => {
    const store = new RestKvTokenStore({ url: kv.url, token: 'kv-token' });
    await expect(store.tryLock('k', 'a', 5000)).resolves.toBe(true);
    await expect(store.tryLock('k', 'b', 5000)).resolves.toBe(false);
    await store.unlock('k', 'b');
    await expect(store.tryLock('k', 'b', 5000)).resolves.toBe(false);
    await store.unlock('k', 'a');
    await expect(store.tryLock('k', 'b', 5000)).resolves.toBe(true);
  });

  it('names the failed command, never its arguments', async () => {
    const store = new RestKvTokenStore({ url: kv.url, token: 'not-the-token' });
    await expect(store.tryLock('secret-key', 'owner', 5000)).rejects.toThrow(/^key-value store: SET failed \(401\)$/);
  });

  it('refuses an encryption key that is not 32 bytes', () => {
    expect(() => new RestKvTokenStore({ url: kv.url, token: 't', encryptionKey: 'c2hvcnQ=' })).toThrow(TypeError);
  });
});
