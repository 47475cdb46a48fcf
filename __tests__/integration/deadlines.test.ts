import axios from 'axios';
import { attachPaymentAuth, isPaymentAuthError } from '../../src';
import type { TokenStore } from '../../src/store/token-store';
import { pendingTimers } from '../../src/util/timers';
import { rejection } from '../_helpers/rejection';
import { startTokenAndApiServer, waitFor, type RecordingServer } from '../_helpers/servers';

// Every wait inside a token acquisition — the credentials provider, the token store, the token
// endpoint, the back-off between attempts — is inside the acquisition deadline, and detach()
// ends all of them at once. Nothing is left pending afterwards.

let server: RecordingServer;
beforeAll(async () => {
  server = await startTokenAndApiServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  });
});
afterAll(() => server.close());

const never = <T>() => new Promise<T>(() => undefined);
const hangingStore: TokenStore = { get: never, set: never, tryLock: never, unlock: never };
const code = (error: unknown) => (isPaymentAuthError(error) ? error.code : String(error));

describe('a credentials provider that never answers', () => {
  it('fails the request with TOKEN_ENDPOINT_TIMEOUT at the deadline', async () => {
    const api = axios.create({ baseURL: `${server.url}/api/v1` });
    const auth = attachPaymentAuth(api, () => never(), { tokenTimeoutMs: 200 });
    const started = performance.now();
    expect(code(await rejection(api.get('/payments')))).toBe('TOKEN_ENDPOINT_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(5000); // the bug: still pending after 5 s
    expect(code(auth.status().lastError)).not.toBe('');
    expect(auth.status().lastError?.code).toBe('TOKEN_ENDPOINT_TIMEOUT');
    auth.detach();
    expect(pendingTimers()).toBe(0);
  });

  it('is released by detach(): every waiting request rejects with DETACHED', async () => {
    const api = axios.create({ baseURL: `${server.url}/api/v1` });
    const auth = attachPaymentAuth(api, () => never(), { tokenTimeoutMs: 600_000 });
    const waiting = [api.get('/payments'), api.get('/payments'), auth.getAccessToken()].map((p) => rejection(p));
    await new Promise((r) => setTimeout(r, 20));
    auth.detach();
    expect((await Promise.all(waiting)).map(code)).toEqual(['DETACHED', 'DETACHED', 'DETACHED']);
    expect(pendingTimers()).toBe(0);
  });
});

describe('a token store that never answers', () => {
  it('is bounded by the acquisition deadline, not only by its own timeout', async () => {
    const api = axios.create({ baseURL: `${server.url}/api/v1` });
    const auth = attachPaymentAuth(
      api,
      { clientId: 'c', clientSecret: 'secret-1' },
      { store: hangingStore, storeTimeoutMs: 600_000, tokenTimeoutMs: 200 },
    );
    expect(code(await rejection(api.get('/payments')))).toBe('TOKEN_ENDPOINT_TIMEOUT');
    auth.detach();
    await waitFor(() => pendingTimers() === 0);
  });

  it('is released by detach()', async () => {
    const api = axios.create({ baseURL: `${server.url}/api/v1` });
    const auth = attachPaymentAuth(
      api,
      { clientId: 'c', clientSecret: 'secret-1' },
      { store: hangingStore, storeTimeoutMs: 600_000, tokenTimeoutMs: 600_000 },
    );
    const waiting = rejection(api.get('/payments'));
    await new Promise((r) => setTimeout(r, 20));
    auth.detach();
    expect(code(await waiting)).toBe('DETACHED');
    // The unlock of a lock never taken is not attempted; the store's own call stays with the store.
    await waitFor(() => pendingTimers() === 0);
  });
});

describe('the back-off before a retry of an API call', () => {
  let api: RecordingServer;
  let retryAfterS = 1;
  beforeAll(async () => {
    api = await startTokenAndApiServer((_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': String(retryAfterS) });
      res.end('{}');
    });
  });
  afterAll(() => api.close());
  beforeEach(() => {
    api.requests.length = 0;
    retryAfterS = 1;
  });
  const calls = () => api.requests.filter((r) => r.url === '/api/v1/payments').length;

  it('ends at detach() with DETACHED, and no retry goes out afterwards with the forgotten token', async () => {
    const instance = axios.create({ baseURL: `${api.url}/api/v1` });
    const auth = attachPaymentAuth(
      instance,
      { clientId: 'c', clientSecret: 'secret-1' },
      { retry: { retries: 2, maxRetryAfterMs: 5000 } },
    );
    const pending = rejection(instance.post('/payments', { amount: 1 }));
    await waitFor(() => calls() === 1);
    auth.detach();
    expect(code(await pending)).toBe('DETACHED');
    expect(pendingTimers()).toBe(0);
    await new Promise((r) => setTimeout(r, 1300)); // past the Retry-After
    expect(calls()).toBe(1);
  });

  // A Retry-After of 50 s: a back-off that ignored the cancellation would outlast the test.
  it('ends at once when the request is cancelled through a CancelToken (as NestJS does)', async () => {
    retryAfterS = 50;
    const instance = axios.create({ baseURL: `${api.url}/api/v1` });
    const auth = attachPaymentAuth(
      instance,
      { clientId: 'c', clientSecret: 'secret-1' },
      { retry: { retries: 2, maxRetryAfterMs: 60_000 } },
    );
    const source = axios.CancelToken.source();
    const pending = rejection(instance.get('/payments', { cancelToken: source.token }));
    await waitFor(() => calls() === 1);
    source.cancel('user went away');
    const error = await pending;
    expect(axios.isCancel(error)).toBe(true);
    expect(pendingTimers()).toBe(0); // the back-off timer went with it
    expect(calls()).toBe(1);
    auth.detach();
  });

  it('ends at once when the request is aborted through its signal', async () => {
    retryAfterS = 50;
    const instance = axios.create({ baseURL: `${api.url}/api/v1` });
    const auth = attachPaymentAuth(
      instance,
      { clientId: 'c', clientSecret: 'secret-1' },
      { retry: { retries: 2, maxRetryAfterMs: 60_000 } },
    );
    const controller = new AbortController();
    const pending = rejection(instance.get('/payments', { signal: controller.signal }));
    await waitFor(() => calls() === 1);
    controller.abort();
    const error = (await pending) as { code?: string; config?: { headers: { Authorization?: unknown } } };
    expect(error.code).toBe('ERR_CANCELED');
    expect(error.config?.headers.Authorization).toBe('Bearer [REDACTED]');
    expect(pendingTimers()).toBe(0);
    auth.detach();
  });
});

describe('a token store whose methods throw at once or return plain values', () => {
  it('is a failing store like any other: the request succeeds and onStoreError hears of it', async () => {
    const errors: Error[] = [];
    const throwing: TokenStore = {
      get: () => {
        throw new Error('sync get');
      },
      set: () => undefined as unknown as Promise<void>,
      tryLock: () => true as unknown as Promise<boolean>,
      unlock: () => undefined as unknown as Promise<void>,
    };
    const instance = axios.create({ baseURL: `${server.url}/api/v1` });
    const auth = attachPaymentAuth(
      instance,
      { clientId: 'c', clientSecret: 'secret-1' },
      { store: throwing, onStoreError: (e) => errors.push(e) },
    );
    await expect(instance.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(errors.map((e) => e.message)).toEqual(['token store get failed: sync get']);
    auth.detach();
  });
});
