import axios from 'axios';
import { attachPaymentAuth, isPaymentAuthError } from '../../src';
import type { TokenStore } from '../../src/stores/token-store';
import { pendingTimers } from '../../src/timers';
import { rejection } from '../_helpers/rejection';
import { startRecordingServer, waitFor, type RecordingServer } from '../_helpers/servers';

// Every wait inside a token acquisition — the credentials provider, the token store, the token
// endpoint, the back-off between attempts — is inside the acquisition deadline, and detach()
// ends all of them at once. Nothing is left pending afterwards.

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer('127.0.0.1', (req, res) => {
    if (req.url === '/api/v1/oauth2/token') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'at-1', token_type: 'Bearer', expires_in: 900 }));
      return;
    }
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
    const auth = attachPaymentAuth(api, { clientId: 'c', clientSecret: 'secret-1' }, { store: hangingStore, storeTimeoutMs: 600_000, tokenTimeoutMs: 200 });
    expect(code(await rejection(api.get('/payments')))).toBe('TOKEN_ENDPOINT_TIMEOUT');
    auth.detach();
    await waitFor(() => pendingTimers() === 0);
  });

  it('is released by detach()', async () => {
    const api = axios.create({ baseURL: `${server.url}/api/v1` });
    const auth = attachPaymentAuth(api, { clientId: 'c', clientSecret: 'secret-1' }, { store: hangingStore, storeTimeoutMs: 600_000, tokenTimeoutMs: 600_000 });
    const waiting = rejection(api.get('/payments'));
    await new Promise((r) => setTimeout(r, 20));
    auth.detach();
    expect(code(await waiting)).toBe('DETACHED');
    // The unlock of a lock never taken is not attempted; the store's own call stays with the store.
    await waitFor(() => pendingTimers() === 0);
  });
});
