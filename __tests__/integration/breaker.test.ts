import axios from 'axios';
import Redis from 'ioredis';
import {
  attachPaymentAuth,
  MemoryTokenStore,
  type BreakerState,
  type PaymentAuthError,
  type PaymentAuthLogger,
  type PaymentAuthOptions,
  type PaymentAuthTelemetry,
} from '../../src';
import { RedisTokenStore } from '../../src/redis';
import { pendingTimers, startPaymentSandbox } from '../../src/testing';
import { expectNoLeaks, forms, HOSTILE_SECRET } from '../_helpers/leaks';
import { startRedis } from '../_helpers/redis';
import { startHarness, type Harness } from '../_helpers/sandbox';
import { waitFor } from '../_helpers/servers';
import { authFailure } from '../_helpers/rejection';
import { quietTelemetry } from '../_helpers/telemetry';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  expect(pendingTimers()).toBe(0);
});

const failure = authFailure;

/** Every log line, as `level message`. */
function recordingLogger(): PaymentAuthLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Telemetry that records the breaker's transitions and the short-circuits. */
function recordingTelemetry() {
  const transitions: [BreakerState, number | undefined][] = [];
  let shortCircuits = 0;
  const telemetry: PaymentAuthTelemetry = quietTelemetry({
    recordBreakerState: (state, openForMs) => void transitions.push([state, openForMs]),
    recordShortCircuit: () => void (shortCircuits += 1),
  });
  return { telemetry, transitions, shortCircuits: () => shortCircuits };
}

const calls = (harness: Harness) => {
  const { tokenCalls, refreshCalls } = harness.sandbox.counters();
  return tokenCalls + refreshCalls;
};

describe('when the token endpoint is down and there is no token', () => {
  const options: PaymentAuthOptions = {
    tokenRetries: 1,
    breaker: { failureThreshold: 2, coolDownMs: 1000, maxCoolDownMs: 4000 },
  };

  it('opens after the threshold: requests then fail at once, without a token call, and say when to try again', async () => {
    const logger = recordingLogger();
    const t = recordingTelemetry();
    const authErrors: PaymentAuthError[] = [];
    h = await startHarness({ ...options, logger, telemetry: t.telemetry, onAuthError: (e) => void authErrors.push(e) });
    h.sandbox.injectFault('token', { status: 503 }, Infinity);
    for (let i = 0; i < 2; i++)
      await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503 });
    expect(calls(h)).toBe(4); // two acquisitions, each with its retry
    expect(h.auth.status().breaker).toMatchObject({ state: 'open', consecutiveFailures: 2 });

    const fast: PaymentAuthError[] = [];
    for (let i = 0; i < 20; i++) fast.push(await failure(h.api.get('/payments')));
    // Concurrent requests share one acquisition, answered at once too.
    fast.push(...(await Promise.all(Array.from({ length: 30 }, () => failure(h!.api.get('/payments'))))));
    expect(calls(h)).toBe(4);
    for (const error of fast) {
      expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503 });
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(500);
      expect(error.retryAfterMs).toBeLessThanOrEqual(1000);
      expect(error.message).toContain('the circuit breaker is open');
      expect(error.cause).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503 });
      expectNoLeaks(error, forms(HOSTILE_SECRET));
    }
    await expect(h.auth.getAccessToken()).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    const status = h.auth.status();
    expect(status.counts).toMatchObject({ failures: 2, shortCircuited: 22 });
    expect(authErrors).toHaveLength(2); // a request answered at once is not a new failure of the endpoint
    expect(t.shortCircuits()).toBe(22);
    expect(t.transitions).toEqual([['open', undefined]]);
    expect(logger.lines.filter((l) => l.startsWith('warn axios-payment-auth: token endpoint breaker'))).toEqual([
      expect.stringMatching(
        /^warn axios-payment-auth: token endpoint breaker open: requests that need a token fail at once .*"consecutiveFailures":2/,
      ),
    ]);
    expect(logger.lines.filter((l) => l.startsWith('error'))).toHaveLength(2);
    expectNoLeaks([status, logger.lines], forms(HOSTILE_SECRET));
  });

  it('sends one probe per cool-down, doubling it while the probes fail, and closes on the first success', async () => {
    const logger = recordingLogger();
    const t = recordingTelemetry();
    h = await startHarness({ ...options, logger, telemetry: t.telemetry });
    h.sandbox.injectFault('token', { status: 503 }, Infinity);
    await failure(h.api.get('/payments'));
    await failure(h.api.get('/payments'));
    const retryIns: number[] = [];
    for (let probe = 0; probe < 4; probe++) {
      const wait = h.auth.status().breaker.retryInMs!;
      retryIns.push(wait);
      h.advance(wait - 1);
      await failure(h.api.get('/payments'));
      expect(calls(h)).toBe(4 + probe); // still cooling down: no call
      h.advance(1);
      await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503 });
      expect(calls(h)).toBe(5 + probe); // the probe: one call, no retry
    }
    // Cool-downs jittered into [½, 1] of 1, 2, 4, 4 s (the cap).
    expect(retryIns[0]).toBeGreaterThanOrEqual(500);
    expect(retryIns[0]).toBeLessThanOrEqual(1000);
    expect(retryIns[1]).toBeGreaterThanOrEqual(1000);
    expect(retryIns[1]).toBeLessThanOrEqual(2000);
    for (const later of retryIns.slice(2)) {
      expect(later).toBeGreaterThanOrEqual(2000);
      expect(later).toBeLessThanOrEqual(4000);
    }
    h.sandbox.clearFaults();
    const lastWait = h.auth.status().breaker.retryInMs!;
    h.advance(lastWait);
    const responses = await Promise.all(Array.from({ length: 20 }, () => h!.api.get('/payments')));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(calls(h)).toBe(9); // one probe, shared by the 20 requests
    expect(h.auth.status().breaker).toEqual({
      state: 'closed',
      consecutiveFailures: 0,
      retryInMs: undefined,
      openForMs: undefined,
    });
    expect(t.transitions.map(([state]) => state)).toEqual([
      'open',
      ...['half-open', 'open', 'half-open', 'open', 'half-open', 'open', 'half-open', 'open'],
      'half-open',
      'closed',
    ]);
    const openFor = retryIns.reduce((a, b) => a + b, 0) + lastWait;
    expect(t.transitions.at(-1)).toEqual(['closed', openFor]);
    expect(logger.lines.find((l) => l.startsWith('info axios-payment-auth: token endpoint breaker closed'))).toMatch(
      new RegExp(`"openForMs":${openFor}`),
    );
  });

  it('opens at once on a Retry-After, and sends nothing before it has passed', async () => {
    h = await startHarness({ ...options, breaker: { failureThreshold: 5, maxCoolDownMs: 60_000 } });
    h.sandbox.injectFault('token', { status: 503, retryAfterS: 20 }, Infinity);
    const first = await failure(h.api.get('/payments'));
    expect(first).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503, retryAfterMs: 20_000 });
    expect(calls(h)).toBe(1); // longer than maxRetryAfterMs: not retried
    h.advance(19_999);
    expect(await failure(h.api.get('/payments'))).toMatchObject({ retryAfterMs: 1 });
    expect(calls(h)).toBe(1);
    h.sandbox.clearFaults();
    h.advance(1);
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(calls(h)).toBe(2);
  });

  it('calls on every acquisition with breaker: false, as without a breaker', async () => {
    h = await startHarness({ ...options, breaker: false });
    h.sandbox.injectFault('token', { status: 503 }, Infinity);
    for (let i = 0; i < 5; i++) await failure(h.api.get('/payments'));
    expect(calls(h)).toBe(10);
    expect(h.auth.status().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 5 });
    expect(h.auth.status().counts.shortCircuited).toBe(0);
  });

  it.each([
    ['connection dropped', { drop: true }],
    ['timeout', { delayMs: 400 }],
  ])('counts a %s as a failure of the endpoint', async (_name, fault) => {
    h = await startHarness({ ...options, tokenTimeoutMs: 200 });
    h.sandbox.injectFault('token', fault, Infinity);
    await failure(h.api.get('/payments'));
    await failure(h.api.get('/payments'));
    expect(h.auth.status().breaker.state).toBe('open');
    const before = calls(h);
    await expect(h.api.get('/payments')).rejects.toMatchObject({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      message: expect.stringContaining('circuit breaker is open'),
    });
    expect(calls(h)).toBe(before);
  });
});

describe('when the token endpoint fails while the token is still valid', () => {
  it('serves the token until it expires, renews in the background with backoff (never per request), then fails fast', async () => {
    const logger = recordingLogger();
    const authErrors: PaymentAuthError[] = [];
    h = await startHarness(
      {
        tokenRetries: 0,
        breaker: { failureThreshold: 2, coolDownMs: 1000, maxCoolDownMs: 4000 },
        logger,
        onAuthError: (e) => void authErrors.push(e),
      },
      {},
      { countAcquisitions: true },
    );
    // Every background renewal ends as a failure of the endpoint or as one answered at once.
    const ended = () => authErrors.length + logger.lines.filter((l) => l.includes('answered at once')).length;
    await h.api.get('/payments');
    h.advance(841_000); // inside the refresh window: 59 s left
    h.sandbox.injectFault('token', { status: 503 }, Infinity);
    h.sandbox.injectFault('refresh', { status: 503 }, Infinity);
    const statuses: number[] = [];
    for (let second = 0; second < 59; second++) {
      for (let i = 0; i < 10; i++) statuses.push((await h.api.get('/payments')).status);
      await waitFor(() => ended() === h!.acquisitionsStarted() - 1);
      h.advance(1000);
    }
    expect(new Set(statuses)).toEqual(new Set([200]));
    // 590 requests, one renewal at a time, each after a growing cool-down: a handful, not hundreds.
    const renewals = h.acquisitionsStarted() - 1;
    expect(renewals).toBeGreaterThanOrEqual(12);
    expect(renewals).toBeLessThanOrEqual(35);
    // The two renewals before the breaker opened tried both endpoints; a probe makes one call.
    expect(calls(h)).toBeLessThanOrEqual(1 + renewals + 2);
    expect(h.auth.status().breaker.state).not.toBe('closed');
    h.advance(1000); // expired now
    h.advance(h.auth.status().breaker.retryInMs ?? 0); // and a probe is due
    const before = calls(h);
    const error = await failure(h.api.get('/payments'));
    expect(error.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    // The probe: one call, though a refresh token is valid and the token endpoint is another URL.
    expect(calls(h) - before).toBe(1);
  });
});

describe('when the token endpoint rejects the credentials', () => {
  it('does not open the breaker, and sends credentials rejected twice in a row again only after a growing pause', async () => {
    h = await startHarness({ tokenRetries: 2, breaker: { coolDownMs: 1000, maxCoolDownMs: 4000 } });
    h.sandbox.injectFault('token', { status: 401, body: { error: 'invalid_client' } }, Infinity);
    const first = await failure(h.api.get('/payments'));
    expect(first).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401, oauthError: 'invalid_client' });
    expect(calls(h)).toBe(1); // never retried
    await failure(h.api.get('/payments')); // once may be a passing fault: asked again at once
    expect(calls(h)).toBe(2);
    const held: PaymentAuthError[] = [];
    for (let i = 0; i < 30; i++) held.push(await failure(h.api.get('/payments')));
    expect(calls(h)).toBe(2);
    for (const error of held) {
      expect(error).toMatchObject({
        code: 'CREDENTIALS_REJECTED',
        status: 401,
        oauthError: 'invalid_client',
        retryAfterMs: 1000,
      });
      expect(error.message).toContain('the same request is not sent again for 1 s');
      expectNoLeaks(error, forms(HOSTILE_SECRET));
    }
    expect(h.auth.status().breaker.state).toBe('closed');
    expect(h.auth.status().counts).toMatchObject({ failures: 2, shortCircuited: 30 });
    h.advance(1000);
    await failure(h.api.get('/payments'));
    expect(calls(h)).toBe(3);
    h.advance(1999);
    expect(await failure(h.api.get('/payments'))).toMatchObject({ retryAfterMs: 1 });
    h.advance(1);
    h.sandbox.clearFaults();
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(calls(h)).toBe(4);
  });

  it('sends a rotated secret at once', async () => {
    const sandbox = await startPaymentSandbox();
    let secret = 'old-secret';
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, () => ({ clientId: sandbox.credentials.clientId, clientSecret: secret }));
    try {
      await expect(api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_REJECTED' });
      await expect(api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_REJECTED' });
      await expect(api.get('/payments')).rejects.toMatchObject({
        code: 'CREDENTIALS_REJECTED',
        retryAfterMs: expect.any(Number),
      });
      expect(sandbox.counters().tokenCalls).toBe(2); // the third was answered at once
      secret = sandbox.credentials.clientSecret;
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
      expect(sandbox.counters().tokenCalls).toBe(3);
    } finally {
      auth.detach();
      await sandbox.close();
    }
  });
});

describe('a fleet sharing a token store', () => {
  it('sends one probe per cool-down for the whole fleet, and every member takes the token the prober got', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const store = new MemoryTokenStore(clock);
    const members = Array.from({ length: 4 }, () => {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      const auth = attachPaymentAuth(api, sandbox.credentials, {
        clock,
        store,
        tokenRetries: 0,
        breaker: { failureThreshold: 1, coolDownMs: 1000, maxCoolDownMs: 2000 },
      });
      return { api, auth };
    });
    try {
      sandbox.injectFault('token', { status: 503 }, Infinity);
      for (const m of members) await failure(m.api.get('/payments')); // each opens on its own failure
      expect(sandbox.counters().tokenCalls).toBe(4);
      sandbox.reset();
      sandbox.injectFault('token', { status: 503 }, Infinity);
      // 30 s of outage in 100 ms steps, every member sending a request at each step.
      for (let step = 0; step < 300; step++) {
        now += 100;
        for (const m of members) await failure(m.api.get('/payments'));
      }
      const probes = sandbox.requests.filter((r) => r.route === 'token').map((r) => r.at);
      // Every cool-down is at least half of 1 s: at most one call per 500 ms for the whole fleet.
      expect(probes.length).toBeLessThanOrEqual(30_000 / 500 + 1);
      expect(probes.length).toBeGreaterThanOrEqual(30_000 / 2000 - 1);
      for (let i = 1; i < probes.length; i++) expect(probes[i]! - probes[i - 1]!).toBeGreaterThanOrEqual(500);
      sandbox.clearFaults();
      now += 2000;
      const results = [];
      for (const m of members) results.push(await m.api.get('/payments'));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      const after = sandbox.requests.filter((r) => r.route === 'token').length;
      expect(after - probes.length).toBe(1); // one probe; the others took its token from the store
      for (const m of members) expect(m.auth.status().breaker.state).toBe('closed');
    } finally {
      for (const m of members) m.auth.detach();
      await sandbox.close();
    }
  });

  it("serves a member that has no token yet the fleet's still-valid one while the endpoint is down", async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const store = new MemoryTokenStore(clock);
    const member = () => {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      return { api, auth: attachPaymentAuth(api, sandbox.credentials, { clock, store, tokenRetries: 0 }) };
    };
    const a = member();
    const b = member();
    try {
      await a.api.get('/payments');
      now += 870_000; // due for renewal, 30 s left
      sandbox.injectFault('token', { status: 503 }, Infinity);
      sandbox.injectFault('refresh', { status: 503 }, Infinity);
      const [fromA, fromB] = [await a.api.get('/payments'), await b.api.get('/payments')];
      expect([fromA.status, fromB.status]).toEqual([200, 200]);
      expect(fromB.config.headers.Authorization).toBe(fromA.config.headers.Authorization);
      // Once it expires, the fleet has no token left: both fail, and neither was served a dead one.
      now += 30_000;
      await expect(b.api.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
      expect(sandbox.counters().unauthorized).toBe(0);
    } finally {
      a.auth.detach();
      b.auth.detach();
      await sandbox.close();
    }
  });

  it('reads the store while open only in the background, at most every 100 ms, and takes no lock', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const store = new MemoryTokenStore(clock);
    const ops: string[] = [];
    for (const method of ['get', 'set', 'tryLock', 'unlock'] as const) {
      const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
      (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        ops.push(`${method} ${String(args[0]).split(':')[0]}`);
        return original(...args);
      };
    }
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials, {
      clock,
      store,
      tokenRetries: 0,
      breaker: { failureThreshold: 1 },
    });
    try {
      sandbox.injectFault('token', { status: 503 }, Infinity);
      await failure(api.get('/payments'));
      expect(ops).toEqual([
        'get token',
        'tryLock token',
        'get token',
        'unlock breaker',
        'tryLock breaker',
        'unlock token',
      ]);
      ops.length = 0;
      for (let i = 0; i < 5; i++) await failure(api.get('/payments'));
      expect(ops).toEqual(['get token']); // the first short-circuit starts one read; the others, none
      for (let i = 0; i < 10; i++) {
        now += 50;
        await failure(api.get('/payments'));
      }
      expect(ops).toEqual(Array(6).fill('get token')); // one per 100 ms of the clock
      expect(auth.status().counts.shortCircuited).toBe(15);
    } finally {
      auth.detach();
      await sandbox.close();
    }
  });

  it('shares the cool-down through Redis between processes', async () => {
    const redis = await startRedis();
    const sandbox = await startPaymentSandbox();
    const clients: Redis[] = [];
    const members = Array.from({ length: 3 }, () => {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      clients.push(client);
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      const auth = attachPaymentAuth(api, sandbox.credentials, {
        store: new RedisTokenStore({ client, keyPrefix: 'breaker-test:' }),
        tokenRetries: 0,
        breaker: { failureThreshold: 1, coolDownMs: 200, maxCoolDownMs: 400 },
      });
      return { api, auth };
    });
    try {
      sandbox.injectFault('token', { status: 503 }, Infinity);
      const started = Date.now();
      await Promise.all(
        members.map(async (m) => {
          while (Date.now() - started < 2000) {
            await failure(m.api.get('/payments'));
            await new Promise((r) => setTimeout(r, 10));
          }
        }),
      );
      const elapsed = Date.now() - started;
      const tokenCalls = sandbox.counters().tokenCalls;
      // Each member's own first failure, then at most one probe per 100 ms (half the first cool-down).
      expect(tokenCalls).toBeLessThanOrEqual(members.length + Math.ceil(elapsed / 100));
      const requests = members.reduce((n, m) => n + m.auth.status().counts.shortCircuited, 0);
      expect(requests).toBeGreaterThan(100);
      sandbox.clearFaults();
      await new Promise((r) => setTimeout(r, 450));
      for (const m of members) await expect(m.api.get('/payments')).resolves.toMatchObject({ status: 200 });
      expect(sandbox.counters().tokenCalls - tokenCalls).toBe(1);
    } finally {
      for (const m of members) m.auth.detach();
      for (const c of clients) c.disconnect();
      await sandbox.close();
      await redis.stop();
    }
  });
});

describe('what a review of the breaker found', () => {
  it('closes through client_credentials when only the refresh endpoint stays down', async () => {
    h = await startHarness({ tokenRetries: 0, breaker: { failureThreshold: 2, coolDownMs: 1000 } });
    await h.api.get('/payments'); // a token and a refresh token
    h.advance(901_000); // expired
    h.sandbox.injectFault('refresh', { status: 503 }, Infinity); // a gateway without the refresh route
    h.sandbox.injectFault('token', { status: 503 }, 2); // and a blip of the token route
    await failure(h.api.get('/payments'));
    await failure(h.api.get('/payments'));
    expect(h.auth.status().breaker.state).toBe('open');
    h.advance(h.auth.status().breaker.retryInMs!);
    // A probe makes one call: the refresh endpoint, still down.
    const before = h.sandbox.requests.length;
    expect((await failure(h.api.get('/payments'))).code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(h.sandbox.requests.slice(before).map((r) => [r.route, r.status])).toEqual([['refresh', 503]]);
    expect(h.auth.status().breaker.state).toBe('open');
    h.advance(h.auth.status().breaker.retryInMs!);
    // The next one asks the token endpoint, another one, which answers.
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.auth.status().breaker.state).toBe('closed');
    const last = h.sandbox.requests.filter((r) => r.route !== 'api').slice(-2);
    expect(last.map((r) => [r.route, r.status])).toEqual([
      ['refresh', 503],
      ['token', 200],
    ]);
  });

  it('starts counting failures afresh once a token from the store shows the endpoint worked', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const store = new MemoryTokenStore(clock);
    const member = () => {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      return {
        api,
        auth: attachPaymentAuth(api, sandbox.credentials, { clock, store, tokenRetries: 0, refreshUrl: false }),
      };
    };
    const a = member();
    const b = member();
    try {
      sandbox.injectFault('token', { status: 503 });
      await failure(b.api.get('/payments'));
      expect(b.auth.status().breaker.consecutiveFailures).toBe(1);
      now += 1000;
      await a.api.get('/payments'); // a's token goes to the store; b takes it
      await b.api.get('/payments');
      expect(b.auth.status().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
      now += 900_000;
      sandbox.injectFault('token', { status: 503 });
      await failure(b.api.get('/payments')); // one failure: the breaker (threshold 2) stays closed
      expect(b.auth.status().breaker).toMatchObject({ state: 'closed', consecutiveFailures: 1 });
      await expect(b.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    } finally {
      a.auth.detach();
      b.auth.detach();
      await sandbox.close();
    }
  });

  it("ends the pause after rejections when another attachment's token is in the store", async () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const store = new MemoryTokenStore(clock);
    const attach = (clientSecret: string) => {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      return { api, auth: attachPaymentAuth(api, { ...sandbox.credentials, clientSecret }, { clock, store }) };
    };
    const stale = attach('the-old-secret'); // not rotated yet
    const fresh = attach(sandbox.credentials.clientSecret);
    try {
      await failure(stale.api.get('/payments'));
      const second = await failure(stale.api.get('/payments'));
      expect(second).toMatchObject({ code: 'CREDENTIALS_REJECTED', retryAfterMs: 1000 }); // the pause starts
      await fresh.api.get('/payments');
      await expect(stale.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    } finally {
      stale.auth.detach();
      fresh.auth.detach();
      await sandbox.close();
    }
  });

  it('says when to try again on the failure that opens the breaker', async () => {
    h = await startHarness({ tokenRetries: 0, breaker: { failureThreshold: 2, coolDownMs: 1000 } });
    h.sandbox.injectFault('token', { status: 503 }, Infinity);
    const first = await failure(h.api.get('/payments'));
    expect(first.retryAfterMs).toBeUndefined(); // closed: the next request calls again
    const opening = await failure(h.api.get('/payments'));
    expect(opening).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503 });
    expect(opening.retryAfterMs).toBe(h.auth.status().breaker.retryInMs);
    expect(opening.message).toContain('answered 503');
  });

  it('gives the fleet gate back at detach()', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const store = new MemoryTokenStore(clock);
    const member = (coolDownMs: number) => {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      return {
        api,
        auth: attachPaymentAuth(api, sandbox.credentials, {
          clock,
          store,
          tokenRetries: 0,
          breaker: { failureThreshold: 1, coolDownMs, maxCoolDownMs: coolDownMs },
        }),
      };
    };
    const a = member(30_000);
    const b = member(1000);
    try {
      sandbox.injectFault('token', { status: 503 });
      await failure(a.api.get('/payments')); // a opens, holding the gate for 30 s
      sandbox.injectFault('token', { status: 503 });
      await failure(b.api.get('/payments')); // b's own first failure
      a.auth.detach();
      await new Promise((r) => setTimeout(r, 10)); // the unlock is sent, not awaited
      now += 1000; // b's cool-down is over; a's gate (15 to 30 s) would still be held
      await expect(b.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    } finally {
      a.auth.detach();
      b.auth.detach();
      await sandbox.close();
    }
  });
});

describe('what an attack on the breaker found', () => {
  /** Settles with `promise`'s failure, or with 'still waiting' if it has not settled by then. */
  const settledBefore = <T>(promise: Promise<T>, ms = 1000): Promise<T | 'still waiting'> =>
    Promise.race([promise, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);

  /** A store that counts its calls by method and key kind, whose reads can be held or failed. */
  function instrumentedStore(clock: () => number) {
    const inner = new MemoryTokenStore(clock);
    const ops: string[] = [];
    let mode: 'up' | 'hang' | 'down' = 'up';
    const held: (() => void)[] = [];
    const wrap =
      <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> => {
        ops.push(`${name} ${String(args[0]).split(':')[0]}`);
        if (mode === 'down') return Promise.reject(new Error('ECONNREFUSED'));
        if (mode === 'hang') return new Promise<R>((resolve) => held.push(() => void call(...args).then(resolve)));
        return call(...args);
      };
    const store = {
      get: wrap('get', (key: string) => inner.get(key)),
      set: wrap('set', (key: string, token: Parameters<MemoryTokenStore['set']>[1], ttl: number) =>
        inner.set(key, token, ttl),
      ),
      tryLock: wrap('tryLock', (key: string, owner: string, ttl: number) => inner.tryLock(key, owner, ttl)),
      unlock: wrap('unlock', (key: string, owner: string) => inner.unlock(key, owner)),
    };
    return {
      store,
      ops,
      set mode(m: 'up' | 'hang' | 'down') {
        mode = m;
      },
      releaseHeld: () => held.splice(0).forEach((f) => f()),
    };
  }

  it('a fleet member that finds the gate held fails at once while another probes, and the fleet makes one call per cool-down', async () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const store = new MemoryTokenStore(clock);
    const member = () => {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      return {
        api,
        auth: attachPaymentAuth(api, sandbox.credentials, {
          clock,
          store,
          tokenRetries: 0,
          tokenTimeoutMs: 60_000,
          breaker: { failureThreshold: 1, coolDownMs: 1000, maxCoolDownMs: 1000 },
        }),
      };
    };
    const a0 = member();
    const a1 = member();
    let release = () => undefined as void;
    try {
      sandbox.injectFault('token', { status: 503 }, 2);
      await failure(a0.api.get('/payments'));
      await failure(a1.api.get('/payments'));
      expect([a0.auth.status().breaker.state, a1.auth.status().breaker.state]).toEqual(['open', 'open']);
      now += 1000; // both cool-downs are over
      sandbox.injectFault('token', { status: 503, hold: new Promise<void>((r) => (release = r)) });
      const probe = failure(a0.api.get('/payments'));
      await waitFor(() => sandbox.counters().tokenCalls === 3); // a0's probe is at the endpoint, held
      // a1 finds the gate held: it fails at once, with when to try again, instead of waiting for a0's probe.
      const during = await settledBefore(failure(a1.api.get('/payments')));
      expect(during).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retryAfterMs: expect.any(Number) });
      // A probe that lasts longer than a cool-down keeps the gate: a1 does not start a second one.
      now += 5000;
      expect(await settledBefore(failure(a1.api.get('/payments')))).toMatchObject({
        code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      });
      expect(sandbox.counters().tokenCalls).toBe(3);
      release();
      await probe;
      // a0's failed probe keeps the gate for its cool-down, counted from its failure (at least 500 ms).
      for (let step = 0; step < 5; step++) {
        now += 90;
        expect(await settledBefore(failure(a1.api.get('/payments')))).toMatchObject({
          code: 'TOKEN_ENDPOINT_UNAVAILABLE',
        });
      }
      expect(sandbox.counters().tokenCalls).toBe(3);
      // And no longer than that: once the cool-downs are over, the fleet calls again (a1, here).
      now += 1000;
      sandbox.clearFaults();
      await expect(a1.api.get('/payments')).resolves.toMatchObject({ status: 200 });
      expect(sandbox.counters().tokenCalls).toBe(4);
      await expect(a0.api.get('/payments')).resolves.toMatchObject({ status: 200 }); // from the store
      expect(sandbox.counters().tokenCalls).toBe(4);
    } finally {
      release();
      a0.auth.detach();
      a1.auth.detach();
      await sandbox.close();
    }
  });

  it('answers a short-circuit without reading the credentials provider or waiting on the store', async () => {
    const logger = recordingLogger();
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const s = instrumentedStore(clock);
    let providerCalls = 0;
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(
      api,
      () => {
        providerCalls += 1;
        return sandbox.credentials;
      },
      {
        clock,
        store: s.store,
        logger,
        tokenRetries: 0,
        storeTimeoutMs: 60_000,
        breaker: { failureThreshold: 1, coolDownMs: 30_000, maxCoolDownMs: 30_000 },
      },
    );
    try {
      sandbox.injectFault('token', { status: 503 }, Infinity);
      const opening = await failure(api.get('/payments'));
      expect(opening.message).toContain('answered 503');
      expect(providerCalls).toBe(1);
      s.ops.length = 0;
      s.mode = 'hang'; // Redis paused: a read answers only when released
      for (let i = 0; i < 20; i++) {
        now += 50;
        const error = await settledBefore(failure(api.get('/payments')));
        expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retryAfterMs: expect.any(Number) });
        expect((error as PaymentAuthError).message).toContain('after 1 failure in a row');
      }
      expect(providerCalls).toBe(1); // none for a request answered at once
      // At most one read of the store in flight, in the background; no lock taken.
      expect(s.ops).toEqual(['get token']);
      expect(auth.status().counts.shortCircuited).toBe(20);
      s.releaseHeld();
      // A token another process stored meanwhile is still taken, from a background read: a request
      // answered at once starts one (when none is in flight), and a later request is served.
      s.mode = 'up';
      const other = axios.create({ baseURL: `${sandbox.url}/api/v1` });
      sandbox.clearFaults();
      const otherAuth = attachPaymentAuth(other, sandbox.credentials, { clock, store: s.store });
      await other.get('/payments');
      otherAuth.detach();
      let served = false;
      for (let i = 0; i < 500 && !served; i++) {
        now += 200;
        served = await api.get('/payments').then(
          () => true,
          () => false,
        );
        if (!served) await new Promise((r) => setTimeout(r, 2));
      }
      expect(served).toBe(true);
      expect(auth.status().breaker.state).toBe('closed');
      expect(providerCalls).toBe(1);
    } finally {
      s.releaseHeld();
      auth.detach();
      await sandbox.close();
    }
  });

  it('does not claim a fetch for every short-circuit while the store is down, and warns once', async () => {
    const logger = recordingLogger();
    let now = Date.parse('2026-12-01T00:00:00Z');
    const clock = () => now;
    const sandbox = await startPaymentSandbox({ now: clock });
    const s = instrumentedStore(clock);
    const storeErrors: Error[] = [];
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials, {
      clock,
      store: s.store,
      logger,
      onStoreError: (e) => void storeErrors.push(e),
      tokenRetries: 0,
      breaker: { failureThreshold: 1, coolDownMs: 30_000, maxCoolDownMs: 30_000 },
    });
    try {
      sandbox.injectFault('token', { status: 503 }, Infinity);
      s.mode = 'down';
      await failure(api.get('/payments')); // fetched in process: that one is true
      for (let i = 0; i < 40; i++) {
        now += 50;
        await failure(api.get('/payments'));
      }
      await new Promise((r) => setTimeout(r, 10));
      const warnings = logger.lines.filter((l) => l.startsWith('warn axios-payment-auth: token store unavailable'));
      // One line per consequence, each saying what is done instead; a fetch only where one was made.
      expect(warnings.map((l) => l.replace(/ \{.*/, ''))).toEqual([
        'warn axios-payment-auth: token store unavailable, fetching in process',
        'warn axios-payment-auth: token store unavailable, the breaker gate expires on its own',
        'warn axios-payment-auth: token store unavailable, this process decides alone whether to call the token endpoint',
        'warn axios-payment-auth: token store unavailable, no token taken from it',
      ]);
      expect(storeErrors.length).toBeGreaterThan(warnings.length); // the hook still hears each one
      expect(sandbox.counters().tokenCalls).toBe(1);
    } finally {
      auth.detach();
      await sandbox.close();
    }
  });

  it('probes with one call in an outage; a refresh the endpoint refuses goes on with client_credentials in the same probe', async () => {
    h = await startHarness({ tokenRetries: 0, breaker: { failureThreshold: 1, coolDownMs: 1000 } });
    await h.api.get('/payments'); // a token and a refresh token
    h.advance(901_000); // expired; the refresh token is still valid
    h.sandbox.injectFault('refresh', { status: 503 });
    h.sandbox.injectFault('token', { status: 503 });
    await failure(h.api.get('/payments')); // opens
    h.advance(h.auth.status().breaker.retryInMs!);
    h.sandbox.injectFault('refresh', { status: 400, body: { error: 'invalid_grant' } });
    const before = h.sandbox.requests.length;
    await expect(h.api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(h.sandbox.requests.slice(before).map((r) => [r.route, r.status])).toEqual([
      ['refresh', 400],
      ['token', 200],
      ['api', 200],
    ]);
    expect(h.auth.status().breaker.state).toBe('closed');
  });
});
