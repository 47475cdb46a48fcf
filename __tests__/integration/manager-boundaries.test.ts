import axios, { type AxiosError } from 'axios';
import nock from 'nock';
import { attachPaymentAuth, MemoryTokenStore, type PaymentAuthOptions, type StoredToken } from '../../src';
import { startRecordingServer, waitFor, type RecordingServer } from '../_helpers/servers';

// The token manager's boundaries, on a shared clock the tests move: the refresh instant, the wait
// for a lock another process holds, detach() while a token is being stored, which refresh token a
// renewal uses when the store holds another, and how many dropped tokens are still cleaned.

const TOKEN_PATH = '/api/v1/oauth2/token';
const REFRESH_PATH = '/api/v1/oauth2/refresh';
const LIFETIME_MS = 900_000;
const REFRESH_WINDOW_MS = 60_000;

let server: RecordingServer;
let issued = 0;
let issueRefreshTokens = true;

// A token endpoint (and refresh endpoint) issuing `access-NNN` tokens of 900 s, with a
// `refresh-NNN` refresh token unless turned off; the API answers `/echo?text=…` with 400 and the
// text in its body, anything else with 200 `{}`.
beforeAll(async () => {
  nock.restore();
  server = await startRecordingServer('127.0.0.1', (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let status = 200;
    let body: unknown = {};
    if (url.pathname === TOKEN_PATH || url.pathname === REFRESH_PATH) {
      issued += 1;
      const n = String(issued).padStart(3, '0');
      body = {
        access_token: `access-${n}`,
        token_type: 'Bearer',
        expires_in: LIFETIME_MS / 1000,
        ...(issueRefreshTokens ? { refresh_token: `refresh-${n}` } : {}),
      };
    } else if (url.pathname === '/api/v1/echo') {
      status = 400;
      body = { message: url.searchParams.get('text') };
    }
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
});
afterAll(() => server.close());
beforeEach(() => {
  issueRefreshTokens = true;
  server.requests.length = 0;
});

/** The token endpoint calls so far, with their grant type and refresh token. */
function tokenCalls(): { grant: string | null; refreshToken: string | null }[] {
  return server.requests
    .filter((r) => r.url === TOKEN_PATH || r.url === REFRESH_PATH)
    .map((r) => {
      const form = new URLSearchParams(r.body);
      return { grant: form.get('grant_type'), refreshToken: form.get('refresh_token') };
    });
}

const T0 = Date.parse('2026-11-28T12:00:00Z');

/** A clock the test moves, starting at {@link T0}. */
function testClock(): { clock: () => number; advance(ms: number): void } {
  let now = T0;
  return { clock: () => now, advance: (ms) => void (now += ms) };
}

/**
 * An attachment on `clock` with a credentials provider that counts its reads: the provider is
 * read at the start of each acquisition, before any network call.
 */
function attach(clock: () => number, options: PaymentAuthOptions = {}) {
  let reads = 0;
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const auth = attachPaymentAuth(
    api,
    () => {
      reads += 1;
      return { clientId: 'client', clientSecret: 'secret-of-the-client' };
    },
    { clock, refreshWindowMs: REFRESH_WINDOW_MS, ...options },
  );
  return { api, auth, acquisitions: () => reads };
}

/** A memory store on `clock` that remembers the key of the token it was given. */
function recordingStore(clock: () => number): MemoryTokenStore & { tokenKey(): string } {
  const store = new MemoryTokenStore(clock);
  let key: string | undefined;
  const set = store.set.bind(store);
  store.set = (k, token, ttlMs) => {
    if (k.startsWith('token:')) key = k;
    return set(k, token, ttlMs);
  };
  return Object.assign(store, {
    tokenKey: () => {
      if (key === undefined) throw new Error('no token stored yet');
      return key;
    },
  });
}

describe('the refresh instant (expiry less refreshWindowMs)', () => {
  it('serves the token without renewing one millisecond before it, and starts one background renewal at that very millisecond', async () => {
    const { clock, advance } = testClock();
    const { api, auth, acquisitions } = attach(clock);
    const first = await auth.getAccessToken();
    expect(acquisitions()).toBe(1);

    advance(LIFETIME_MS - REFRESH_WINDOW_MS - 1);
    await api.get('/payments');
    expect(acquisitions()).toBe(1);

    advance(1);
    const response = await api.get('/payments');
    expect(response.config.headers.Authorization).toBe(`Bearer ${first}`);
    expect(acquisitions()).toBe(2);
    await waitFor(() => auth.status().expiresInMs === LIFETIME_MS);
    expect(tokenCalls()).toHaveLength(2);
    expect(await auth.getAccessToken()).not.toBe(first);
    auth.detach();
  });
});

describe('a lock held by another process', () => {
  it('with the shortest lock TTL (100 ms), waits for the holder to store its token and uses it, without a token call', async () => {
    const { clock } = testClock();
    const store = new MemoryTokenStore(clock);
    // Another process holds the token's lock, and stores its token just after this one tried it.
    const tryLock = store.tryLock.bind(store);
    store.tryLock = async (key, owner, ttlMs) => {
      if (!key.startsWith('token:')) return tryLock(key, owner, ttlMs);
      const holders: StoredToken = {
        accessToken: 'of-the-holder',
        issuedAt: clock(),
        expiresAt: clock() + LIFETIME_MS,
      };
      await store.set(key, holders, LIFETIME_MS);
      return false;
    };
    const storeErrors: string[] = [];
    const { auth } = attach(clock, {
      store,
      storeLockTtlMs: 100,
      onStoreError: (error) => void storeErrors.push(error.message),
    });

    await expect(auth.getAccessToken()).resolves.toBe('of-the-holder');
    expect(tokenCalls()).toEqual([]);
    expect(storeErrors).toEqual([]);
    auth.detach();
  });
});

describe('detach() while a new token is being written to the store', () => {
  it('rejects the waiting getAccessToken() with DETACHED and keeps no token', async () => {
    const { clock } = testClock();
    const store = new MemoryTokenStore(clock);
    const { auth } = attach(clock, { store });
    const set = store.set.bind(store);
    store.set = async (key, token, ttlMs) => {
      auth.detach();
      return set(key, token, ttlMs);
    };

    await expect(auth.getAccessToken()).rejects.toMatchObject({ code: 'DETACHED' });
    expect(tokenCalls()).toHaveLength(1);
    expect(auth.status().hasToken).toBe(false);
  });
});

describe('a renewal when the store holds another refresh token than this process', () => {
  it.each([
    ['expires after its own', 'the store’s', 1],
    ['expires at the same instant as its own', 'the store’s', 0],
    ['expires before its own', 'its own', -1],
  ])('when the store’s refresh token %s, uses %s', async (_when, expected, deltaMs) => {
    const { clock, advance } = testClock();
    const store = recordingStore(clock);
    const { auth } = attach(clock, { store });
    await auth.getAccessToken();
    const own = (await store.get(store.tokenKey()))!;
    expect(own.refreshToken).toMatch(/^refresh-\d{3}$/);
    // Another process of the fleet stored its token, issued at the same instant, with another refresh token.
    const elsewhere: StoredToken = {
      ...own,
      accessToken: 'access-elsewhere',
      refreshToken: 'refresh-elsewhere',
      refreshExpiresAt: own.refreshExpiresAt! + deltaMs,
    };
    await store.set(store.tokenKey(), elsewhere, 2 * 86_400_000);

    advance(LIFETIME_MS); // both access tokens expired, both refresh tokens valid for a day
    await auth.getAccessToken();
    expect(tokenCalls()[1]).toEqual({
      grant: 'refresh_token',
      refreshToken: expected === 'its own' ? own.refreshToken : 'refresh-elsewhere',
    });
    auth.detach();
  });
});

describe('cleaning of API errors', () => {
  it('cleans an API error of each of the last eight access tokens dropped with invalidate()', async () => {
    issueRefreshTokens = false;
    const { clock } = testClock();
    const { api, auth } = attach(clock);
    const dropped: string[] = [];
    let current = await auth.getAccessToken();
    for (let i = 0; i < 8; i++) {
      auth.invalidate();
      dropped.push(current);
      current = await auth.getAccessToken();
    }
    expect(new Set([...dropped, current]).size).toBe(9);

    const error = (await api
      .get('/echo', { params: { text: dropped.join(' ') } })
      .catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(400);
    expect(error.response?.data).toEqual({ message: Array(8).fill('[REDACTED]').join(' ') });
    auth.detach();
  });

  it('keeps an API error that quotes none of its secrets or tokens as it is, from the first request on', async () => {
    const { clock } = testClock();
    const { api, auth } = attach(clock);
    const error = (await api
      .get('/echo', { params: { text: 'card declined by the issuer' } })
      .catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(400);
    expect(error.response?.data).toEqual({ message: 'card declined by the issuer' });
    auth.detach();
  });
});
