import axios from 'axios';
import { attachPaymentAuth, MemoryTokenStore, type TokenEvent } from '../../src';
import { pendingTimers } from '../../src/util/timers';
import { rejection } from '../_helpers/rejection';
import { deferred, waitFor } from '../_helpers/servers';
import { startHarness, type Harness } from '../_helpers/sandbox';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const tokensSent = (h: Harness) => h.sandbox.requests.filter((r) => r.route === 'api').map((r) => r.token);

describe('when 1,000 requests start cold', () => {
  it('makes exactly one token call, shared with getAccessToken()', async () => {
    h = await startHarness();
    const gate = deferred();
    h.sandbox.injectFault('token', { hold: gate.promise });
    const requests = Array.from({ length: 1000 }, () => h.api.get('/payments'));
    const direct = h.auth.getAccessToken();
    await waitFor(() => h.sandbox.counters().tokenCalls === 1);
    gate.resolve();
    const responses = await Promise.all(requests);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(new Set(tokensSent(h)).size).toBe(1);
    await expect(direct).resolves.toEqual(expect.any(String));
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 0, apiCalls: 1000, unauthorized: 0 });
  });
});

describe('when the token is cached', () => {
  it('reuses it until the refresh window', async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) {
      await h.api.get('/payments');
      h.advance(100_000);
    }
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 0 });
  });

  it('keeps one flight per attached instance, never shared across instances', async () => {
    h = await startHarness();
    const other = axios.create({ baseURL: `${h.sandbox.url}/api/v1` });
    const otherAuth = attachPaymentAuth(other, h.sandbox.credentials);
    await Promise.all([h.api.get('/payments'), other.get('/payments')]);
    expect(h.sandbox.counters().tokenCalls).toBe(2);
    expect(await otherAuth.getAccessToken()).not.toBe(await h.auth.getAccessToken());
    otherAuth.detach();
  });
});

describe('when the token is inside the refresh window', () => {
  // Whether a request started a renewal is read from acquisitionsStarted(), known as soon as the
  // request has settled; a renewal that did start is awaited through the onTokenRefreshed hook.
  it('serves the cached token and refreshes once in the background, without making requests wait', async () => {
    const refreshed: TokenEvent[] = [];
    h = await startHarness({ onTokenRefreshed: (e) => refreshed.push(e) }, {}, { countAcquisitions: true });
    await h.api.get('/payments');
    const first = tokensSent(h)[0];
    h.advance(839_000);
    await h.api.get('/payments');
    expect(h.acquisitionsStarted()).toBe(1); // 839 s of 900: not yet inside the 60 s window

    h.advance(2_000); // 841 s of 900: inside the 60 s window
    const gate = deferred();
    h.sandbox.injectFault('refresh', { hold: gate.promise });
    const during = await Promise.all([h.api.get('/payments'), h.api.get('/payments'), h.api.get('/payments')]);
    expect(during.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(tokensSent(h).slice(-3)).toEqual([first, first, first]);
    expect(h.acquisitionsStarted()).toBe(2); // one background renewal for the three requests
    await waitFor(() => h.sandbox.counters().refreshCalls === 1); // it reaches the endpoint and is held there
    gate.resolve();
    await waitFor(() => refreshed.length === 1);
    await h.api.get('/payments');
    expect(tokensSent(h).at(-1)).not.toBe(first);
    expect(h.acquisitionsStarted()).toBe(2);
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 0 });
  });

  it('caps the window at half the lifetime, so short-lived tokens are still reused', async () => {
    const refreshed: TokenEvent[] = [];
    h = await startHarness(
      { onTokenRefreshed: (e) => refreshed.push(e) },
      { accessTokenTtlS: 10 },
      { countAcquisitions: true },
    );
    await h.api.get('/payments');
    h.advance(4_900);
    await h.api.get('/payments');
    expect(h.acquisitionsStarted()).toBe(1); // 4.9 s of 10: the 60 s window would have started a renewal
    h.advance(200);
    await h.api.get('/payments');
    expect(h.acquisitionsStarted()).toBe(2); // 5.1 s of 10: past half the lifetime
    await waitFor(() => refreshed.length === 1);
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1 });
  });

  it('counts the lifetime from when the token request was sent', async () => {
    const refreshed: TokenEvent[] = [];
    h = await startHarness({ onTokenRefreshed: (e) => refreshed.push(e) }, {}, { countAcquisitions: true });
    const gate = deferred();
    h.sandbox.injectFault('token', { hold: gate.promise });
    const first = h.api.get('/payments');
    await waitFor(() => h.sandbox.counters().tokenCalls === 1);
    h.advance(100_000); // the token endpoint took 100 s to answer
    gate.resolve();
    await first;
    h.advance(735_000); // 835 s after sending: outside the window either way
    await h.api.get('/payments');
    expect(h.acquisitionsStarted()).toBe(1);
    h.advance(10_000); // 845 s after sending: inside the window only if counted from the send
    await h.api.get('/payments');
    expect(h.acquisitionsStarted()).toBe(2);
    await waitFor(() => refreshed.length === 1);
  });

  it('after a failed background renewal, tries again only after a back-off, serving the valid token meanwhile', async () => {
    const errors: unknown[] = [];
    const refreshed: TokenEvent[] = [];
    h = await startHarness(
      {
        tokenRetries: 0,
        breaker: { coolDownMs: 5000 },
        onAuthError: (e) => errors.push(e),
        onTokenRefreshed: (e) => refreshed.push(e),
      },
      {},
      { countAcquisitions: true },
    );
    await h.api.get('/payments');
    const first = tokensSent(h)[0];
    h.advance(841_000); // inside the window
    h.sandbox.injectFault('refresh', { status: 503 });
    h.sandbox.injectFault('token', { status: 503 });
    await h.api.get('/payments'); // starts the background renewal, which fails (refresh, then the fallback)
    expect(h.acquisitionsStarted()).toBe(2);
    await waitFor(() => errors.length === 1);
    await h.api.get('/payments'); // right after the failure
    h.advance(4_999); // the back-off is at least one cool-down (breaker.coolDownMs) from the failed attempt
    await h.api.get('/payments');
    expect(h.acquisitionsStarted()).toBe(2);
    expect(tokensSent(h)).toEqual([first, first, first, first]);
    h.advance(1);
    await h.api.get('/payments');
    expect(h.acquisitionsStarted()).toBe(3);
    await waitFor(() => refreshed.length === 1);
    expect(errors).toHaveLength(1);
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 2, refreshCalls: 2, unauthorized: 0 });
  });
});

describe('when the token has expired', () => {
  it('makes requests wait for the renewal, using the refresh token', async () => {
    const events: TokenEvent[] = [];
    h = await startHarness({ onTokenAcquired: (e) => events.push(e), onTokenRefreshed: (e) => events.push(e) });
    await h.api.get('/payments');
    h.advance(901_000);
    const [a, b] = await Promise.all([h.api.get('/payments'), h.api.get('/payments')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 0 });
    expect(events.map((e) => [e.grant, e.generation, e.expiresInMs])).toEqual([
      ['client_credentials', 1, 900_000],
      ['refresh_token', 2, 900_000],
    ]);
    expect(events[0]!.fingerprint).toMatch(/^[0-9a-f]{8}$/);
  });

  it('authenticates from scratch once the refresh token expired (24 h)', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.advance(86_400_000);
    await h.api.get('/payments');
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 2, refreshCalls: 0 });
  });

  it('falls back to client_credentials when the refresh token was revoked', async () => {
    const errors: unknown[] = [];
    h = await startHarness({ onAuthError: (e) => errors.push(e) });
    await h.api.get('/payments');
    h.sandbox.revokeRefreshTokens();
    h.advance(901_000);
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 2, refreshCalls: 1 });
    expect(errors).toEqual([]);
  });
});

describe('the timers of an acquisition', () => {
  // pendingTimers() counts the package's own timers, unref'd ones included (Node's resource list
  // leaves those out): timers started and neither fired nor stopped.
  it('are all stopped once it settles — after a success, a failure, and detach()', async () => {
    h = await startHarness({ tokenRetries: 1, retry: false });
    expect(pendingTimers()).toBe(0);
    await h.api.get('/payments');
    expect(pendingTimers()).toBe(0); // the deadline (10 s) is stopped, not left to fire

    h.advance(901_000);
    h.sandbox.injectFault('refresh', { status: 500 });
    h.sandbox.injectFault('token', { status: 503 }, 2);
    await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    expect(pendingTimers()).toBe(0); // deadline, refresh budget and retry wait

    const gate = deferred();
    h.sandbox.injectFault('refresh', { hold: gate.promise });
    const waiting = rejection(h.api.get('/payments'));
    await waitFor(() => h.sandbox.counters().refreshCalls === 2);
    expect(pendingTimers()).toBeGreaterThan(0); // the deadline runs while the call is held
    h.auth.detach();
    expect(await waiting).toMatchObject({ code: 'DETACHED' });
    await waitFor(() => pendingTimers() === 0, 1000); // the aborted refresh call unwinds
    gate.resolve();
  });
});

describe('invalidate()', () => {
  it('forgets the access token; the next request renews it with the refresh token', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.auth.invalidate();
    await h.api.get('/payments');
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1 });
    expect(new Set(tokensSent(h)).size).toBe(2);
  });
});

describe('when both the refresh and the fallback fail', () => {
  it('rejects every waiting request with one PaymentAuthError, after bounded calls', async () => {
    h = await startHarness();
    await h.api.get('/payments');
    h.advance(901_000);
    h.sandbox.injectFault('refresh', { status: 500 });
    h.sandbox.injectFault('token', { status: 401, body: { error: 'invalid_client' } });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => h.api.get('/payments')));
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'fulfilled'));
    expect(new Set(reasons)).toEqual(new Set(['CREDENTIALS_REJECTED']));
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 2, refreshCalls: 1, apiCalls: 1 });
  });
});

describe('a MemoryTokenStore shared by two attachments', () => {
  it('shares one token and one renewal between them', async () => {
    h = await startHarness();
    const store = new MemoryTokenStore();
    const a = axios.create({ baseURL: `${h.sandbox.url}/api/v1` });
    const b = axios.create({ baseURL: `${h.sandbox.url}/api/v1` });
    const authA = attachPaymentAuth(a, h.sandbox.credentials, { store });
    const authB = attachPaymentAuth(b, h.sandbox.credentials, { store });
    await Promise.all([a.get('/payments'), b.get('/payments'), a.get('/payments')]);
    expect(h.sandbox.counters().tokenCalls).toBe(1);
    h.sandbox.revokeAccessTokens();
    await a.get('/payments'); // 401 → one refresh, written to the store
    await b.get('/payments'); // 401 with the same token → adopts the stored one
    expect(h.sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 2 });
    expect(await authA.getAccessToken()).toBe(await authB.getAccessToken());
    authA.detach();
    authB.detach();
  });
});

describe('after a 401, a token left in the store by another attachment', () => {
  it('is not adopted when it was issued before the rejected token', async () => {
    h = await startHarness();
    const store = new MemoryTokenStore();
    let failNextGet = true;
    const flaky = {
      get: (key: string) => (failNextGet ? ((failNextGet = false), Promise.reject(new Error('blip'))) : store.get(key)),
      set: store.set.bind(store),
      tryLock: store.tryLock.bind(store),
      unlock: store.unlock.bind(store),
    };
    const a = axios.create({ baseURL: `${h.sandbox.url}/api/v1` });
    const b = axios.create({ baseURL: `${h.sandbox.url}/api/v1` });
    const authA = attachPaymentAuth(a, h.sandbox.credentials, { store, retry: false });
    await a.get('/payments'); // token A is in the store
    h.advance(10);
    const authB = attachPaymentAuth(b, h.sandbox.credentials, {
      store: flaky,
      retry: false,
      onStoreError: () => undefined,
    });
    await b.get('/payments'); // the store blipped: B fetched its own token, the store still has A's
    expect(h.sandbox.counters().tokenCalls).toBe(2);
    h.advance(10);
    h.sandbox.revokeAccessTokens(); // both tokens die
    await expect(b.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.counters()).toMatchObject({ refreshCalls: 1, unauthorized: 1 });
    authA.detach();
    authB.detach();
  });
});
