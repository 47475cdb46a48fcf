import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import {
  attachMultiTenantPaymentAuth,
  attachPaymentAuth,
  isPaymentAuthError,
  type MultiTenantPaymentAuth,
  type MultiTenantPaymentAuthOptions,
  type PaymentAuthLogger,
  type PaymentAuthTelemetry,
  MemoryTokenStore,
} from '../../src';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { findLeaks, HOSTILE_SECRET } from '../_helpers/leaks';
import { rejection } from '../_helpers/rejection';
import { quietTelemetry } from '../_helpers/telemetry';

/** Tenant `merchant_<i>` is client `client-<i>`, each with a secret of its own (not URL-safe). */
const TENANTS = 12;
const tenant = (i: number): string => `merchant_${i}`;
const secretOf = (i: number): string => `${HOSTILE_SECRET}-${i}`;

interface Setup {
  sandbox: PaymentSandbox;
  api: AxiosInstance;
  auth: MultiTenantPaymentAuth;
  /** The tenant and the Authorization of every request as it left (after our interceptor). */
  sent: { tenant: string | undefined; authorization: string }[];
  lines: string[];
  /** Moves the shared clock of the sandbox and the attachment. */
  advance(ms: number): void;
  close(): Promise<void>;
}

async function setUp(
  options: Partial<MultiTenantPaymentAuthOptions> = {},
  sandboxOptions: Parameters<typeof startPaymentSandbox>[0] = {},
): Promise<Setup> {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const clock = (): number => now;
  const sandbox = await startPaymentSandbox({
    now: clock,
    clients: Array.from({ length: TENANTS }, (_, i) => ({ clientId: `client-${i}`, clientSecret: secretOf(i) })),
    ...sandboxOptions,
  });
  const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
  const sent: Setup['sent'] = [];
  // Registered before attaching, so it runs after our request interceptor: it sees what is sent.
  api.interceptors.request.use((config: InternalAxiosRequestConfig) => {
    const auth = config.headers.get('Authorization');
    if (typeof auth === 'string')
      sent.push({ tenant: config.paymentAuth ? config.paymentAuth.tenant : undefined, authorization: auth });
    return config;
  });
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  const logger: PaymentAuthLogger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const auth = attachMultiTenantPaymentAuth(api, {
    credentials: (id) => {
      const i = Number(/^merchant_(\d+)$/.exec(id)?.[1] ?? NaN);
      if (!(i >= 0 && i < TENANTS)) throw new Error(`no such merchant`);
      return { clientId: `client-${i}`, clientSecret: secretOf(i) };
    },
    clock,
    logger,
    tokenRetries: 0,
    retry: false,
    ...options,
  });
  return {
    sandbox,
    api,
    auth,
    sent,
    lines,
    advance: (ms) => void (now += ms),
    async close() {
      auth.detach();
      await sandbox.close();
    },
  };
}

/** Every secret of every tenant, and every token the sandbox issued: none may reach text. */
const canaries = (s: Setup): string[] => [
  ...Array.from({ length: TENANTS }, (_, i) => secretOf(i)),
  'wrong-secret-canary+/=',
  ...s.sandbox.issuedTokens(),
];

/** Token calls per client, from the sandbox's log. */
function tokenCallsByClient(sandbox: PaymentSandbox): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const r of sandbox.requests)
    if (r.route === 'token' || r.route === 'refresh') calls[r.clientId ?? '?'] = (calls[r.clientId ?? '?'] ?? 0) + 1;
  return calls;
}

/** Every request left with a token its tenant's client was issued. */
function expectOwnTokens(s: Setup): void {
  const foreign = s.sent.filter(
    (r) => s.sandbox.tokenClient(r.authorization.replace(/^Bearer /, '')) !== `client-${r.tenant!.split('_')[1]}`,
  );
  expect(foreign).toEqual([]);
}

describe('attachMultiTenantPaymentAuth', () => {
  it('gives each of many tenants, called at once and interleaved, one token call and only its own token', async () => {
    const s = await setUp();
    try {
      // 12 tenants × 20 concurrent requests, interleaved, plus getAccessToken() for each.
      const calls = Array.from({ length: TENANTS * 20 }, (_, n) =>
        s.api.get('/payments', { paymentAuth: { tenant: tenant(n % TENANTS) } }),
      );
      const tokens = await Promise.all(Array.from({ length: TENANTS }, (_, i) => s.auth.getAccessToken(tenant(i))));
      const results = await Promise.all(calls);
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(tokenCallsByClient(s.sandbox)).toEqual(
        Object.fromEntries(Array.from({ length: TENANTS }, (_, i) => [`client-${i}`, 1])),
      );
      expect(s.sent).toHaveLength(TENANTS * 20);
      expectOwnTokens(s);
      tokens.forEach((token, i) => expect(s.sandbox.tokenClient(token)).toBe(`client-${i}`));
      // The API saw each request as its tenant's client.
      const apiClients = s.sandbox.requests.filter((r) => r.route === 'api').map((r) => r.clientId);
      expect(new Set(apiClients).size).toBe(TENANTS);
      expect(s.auth.tenants()).toEqual({ cached: TENANTS, maxTenants: 1000, evicted: 0 });
      expect(s.auth.status(tenant(3))).toMatchObject({ hasToken: true, counts: { tokensAcquired: 1 } });
    } finally {
      await s.close();
    }
  });

  it('keeps one tenant’s rejected credentials, outage and broken provider from failing any other tenant', async () => {
    const s = await setUp({
      breaker: { failureThreshold: 1, coolDownMs: 60_000, maxCoolDownMs: 60_000 },
      credentials: (id) => {
        if (id === 'rejected') return { clientId: 'client-0', clientSecret: 'wrong-secret-canary+/=' };
        if (id === 'broken') throw new Error('vault down');
        const i = Number(id.split('_')[1]);
        return { clientId: `client-${i}`, clientSecret: secretOf(i) };
      },
    });
    try {
      // client-1's token calls fail (503) for as long as the test runs: its outage, nobody else's.
      s.sandbox.injectFault('token', { status: 503, clientId: 'client-1' }, Infinity);
      const bad = ['rejected', 'broken', tenant(1)];
      const good = [0, 2, 3, 4, 5].map(tenant);
      const round = (): Promise<PromiseSettledResult<unknown>[]> =>
        Promise.allSettled(
          Array.from({ length: 10 }, () => [...bad, ...good])
            .flat()
            .map((t) => s.api.post('/payments', { amount: 100 }, { paymentAuth: { tenant: t } })),
        );
      for (let attempt = 0; attempt < 2; attempt++) {
        const outcomes = await round();
        const byTenant = (t: string): PromiseSettledResult<unknown>[] =>
          outcomes.filter((_, n) => [...bad, ...good][n % (bad.length + good.length)] === t);
        for (const t of good) expect(byTenant(t).every((o) => o.status === 'fulfilled')).toBe(true);
        const codes = (t: string): unknown[] =>
          byTenant(t).map((o) => (o.status === 'rejected' && isPaymentAuthError(o.reason) ? o.reason.code : 'ok'));
        expect(new Set(codes('rejected'))).toEqual(new Set(['CREDENTIALS_REJECTED']));
        expect(new Set(codes('broken'))).toEqual(new Set(['CREDENTIALS_MISSING']));
        expect(new Set(codes(tenant(1)))).toEqual(new Set(['TOKEN_ENDPOINT_UNAVAILABLE']));
        for (const o of outcomes) {
          if (o.status !== 'rejected') continue;
          expect(bad).toContain((o.reason as { tenant?: string }).tenant);
          expect(findLeaks(o.reason, canaries(s))).toEqual([]);
        }
      }
      // The second round of the failing tenants was answered without a call: their breaker and
      // their pause after a rejection, not anyone else's.
      expect(s.auth.status(tenant(1)).breaker.state).toBe('open');
      expect(s.auth.status('rejected').lastError?.code).toBe('CREDENTIALS_REJECTED');
      for (const t of good) {
        const status = s.auth.status(t);
        expect(status).toMatchObject({ hasToken: true, lastError: undefined, counts: { failures: 0 } });
        expect(status.breaker.state).toBe('closed');
      }
      // Tenant 1's one call met its outage; the breaker answered every later one at once.
      expect(s.sandbox.requests.filter((r) => r.route === 'token' && r.fault === 'status 503')).toHaveLength(1);
      expectOwnTokens({ ...s, sent: s.sent.filter((r) => good.includes(r.tenant!)) });
      expect(s.sandbox.payments()).toHaveLength(good.length * 20);
      // Logs name the failing tenant, never a secret or a token of any tenant.
      expect(s.lines.some((l) => l.includes('"tenant":"rejected"') && l.includes('CREDENTIALS_REJECTED'))).toBe(true);
      expect(findLeaks(s.lines.join('\n'), canaries(s))).toEqual([]);
      for (const t of [...bad, ...good]) expect(findLeaks(s.auth.status(t), canaries(s))).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('renews only the tenant whose token was rejected, once, and replays its requests with its own new token', async () => {
    const s = await setUp();
    try {
      const tenants = [0, 1, 2, 3].map(tenant);
      await Promise.all(tenants.map((t) => s.api.get('/payments', { paymentAuth: { tenant: t } })));
      s.sandbox.revokeAccessTokens();
      s.sandbox.reset();
      s.sent.length = 0;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, n) => s.api.get('/payments', { paymentAuth: { tenant: tenants[n % 4] } })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      // One renewal per tenant (by its refresh token), however many of its requests got a 401.
      expect(tokenCallsByClient(s.sandbox)).toEqual({ 'client-0': 1, 'client-1': 1, 'client-2': 1, 'client-3': 1 });
      expect(s.sandbox.counters().unauthorized).toBe(40);
      expectOwnTokens(s);
      for (const t of tenants) expect(s.auth.status(t).counts).toMatchObject({ replays: 10, tokensRefreshed: 1 });
    } finally {
      await s.close();
    }
  });

  it('renews a tenant ahead of expiry in the background, without making its requests wait or touching others', async () => {
    const s = await setUp({ refreshWindowMs: 60_000 }, { accessTokenTtlS: 300 });
    try {
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(0) } });
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(1) } });
      s.advance(250_000); // inside tenant 0's refresh window (and tenant 1's)
      s.sandbox.reset();
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      s.sandbox.injectFault('refresh', { hold: held, clientId: 'client-0' });
      const served = await s.api.get('/payments', { paymentAuth: { tenant: tenant(0) } });
      expect(served.status).toBe(200); // served with the current token while the renewal is held
      release();
      for (let i = 0; i < 50 && s.auth.status(tenant(0)).counts.tokensRefreshed === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(s.auth.status(tenant(0)).counts.tokensRefreshed).toBe(1);
      expect(s.auth.status(tenant(1)).counts.tokensRefreshed).toBe(0);
      expect(tokenCallsByClient(s.sandbox)).toEqual({ 'client-0': 1 });
    } finally {
      await s.close();
    }
  });
});

describe('tenant mistakes fail before anything is sent', () => {
  const HUGE = `merchant_${'x'.repeat(300)}`;
  it.each([
    ['no paymentAuth', undefined, /names no tenant/],
    ['no tenant', {}, /names no tenant/],
    ['tenant undefined', { tenant: undefined }, /names no tenant/],
    ['null', { tenant: null }, /must be a string, got null/],
    ['false', { tenant: false }, /must be a string, got boolean/],
    ['0', { tenant: 0 }, /must be a string, got number/],
    ['an object', { tenant: {} }, /must be a string, got object/],
    ['an empty string', { tenant: '' }, /is an empty string/],
    ['blanks', { tenant: '  ' }, /is blank/],
    ['a line end', { tenant: 'merchant_1\n' }, /control character/],
    ['a NUL', { tenant: 'merchant\u00001' }, /control character/],
    ['a huge id', { tenant: HUGE }, /309 characters long, over the 256 allowed/],
  ])('on a multi-tenant attachment: %s', async (_name, paymentAuth, message) => {
    const s = await setUp();
    try {
      const error = await rejection(s.api.get('/payments', { paymentAuth: paymentAuth as never }));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('xxxxxxxxxx');
      expect(s.sandbox.requests).toEqual([]);
      // paymentAuth: false still sends a request without a token; another origin needs no tenant.
      expect((await s.api.get('/payments', { paymentAuth: false, validateStatus: () => true })).status).toBe(401);
    } finally {
      await s.close();
    }
  });

  it('checks the tenant of getAccessToken, invalidate, status and forget; status never creates state', async () => {
    const s = await setUp();
    try {
      for (const bad of [undefined, null, '', 0, 'a\r', HUGE]) {
        expect(await rejection(s.auth.getAccessToken(bad as never))).toBeInstanceOf(TypeError);
        expect(() => s.auth.invalidate(bad as never)).toThrow(TypeError);
        expect(() => s.auth.status(bad as never)).toThrow(TypeError);
        expect(() => s.auth.forget(bad as never)).toThrow(TypeError);
      }
      expect(s.auth.status('never-seen')).toMatchObject({ hasToken: false, lastError: undefined });
      expect(s.auth.tenants().cached).toBe(0);
      expect(s.sandbox.requests).toEqual([]);
      const error = await rejection(s.auth.getAccessToken('unknown'));
      expect(error).toMatchObject({ code: 'CREDENTIALS_MISSING', tenant: 'unknown' });
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ tenant: 'unknown' });
    } finally {
      await s.close();
    }
  });

  it('refuses a tenant id with a lone surrogate (an id cut inside an emoji), unsent, before the credentials are read', async () => {
    let reads = 0;
    const s = await setUp({
      credentials: (t) => {
        reads += 1;
        const i = Number(/_(\d+)/.exec(t)![1]);
        return { clientId: `client-${i}`, clientSecret: secretOf(i) };
      },
    });
    try {
      for (const bad of ['merchant_\uD83D', 'merchant_\uDE00', '\uDE00\uD83D']) {
        expect(await rejection(s.api.get('/payments', { paymentAuth: { tenant: bad } }))).toBeInstanceOf(TypeError);
        expect(await rejection(s.auth.getAccessToken(bad))).toBeInstanceOf(TypeError);
      }
      // A whole emoji is a tenant id like any other.
      expect((await s.api.get('/payments', { paymentAuth: { tenant: 'merchant_1\uD83D\uDE00' } })).status).toBe(200);
      expect(reads).toBe(1);
      expect(s.sandbox.requests.filter((r) => r.route === 'api')).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('detach() with requests out at the API: a 401 that comes back then is not sent again, and leaks no token', async () => {
    const s = await setUp({ retry: false });
    try {
      const cfg = { paymentAuth: { tenant: tenant(1) } };
      await s.api.get('/payments', cfg);
      let open!: () => void;
      s.sandbox.injectFault('api', { hold: new Promise<void>((r) => (open = r)) }, 2);
      const inFlight = [
        s.api.get('/payments', cfg),
        s.api.get('/payments', { paymentAuth: { tenant: tenant(2) } }),
      ].map((p) => p.catch((e: unknown) => e));
      await new Promise((r) => setTimeout(r, 50));
      s.sandbox.revokeAccessTokens();
      s.auth.detach();
      open();
      const errors = await Promise.all(inFlight);
      for (const error of errors) expect(isPaymentAuthError(error) && error.code).toBe('DETACHED');
      expect(findLeaks(errors, [...s.sandbox.issuedTokens()])).toEqual([]);
      expect(s.auth.tenants().cached).toBe(0);
      // Nothing went out again after the 401s.
      expect(s.sandbox.requests.filter((r) => r.route === 'api').map((r) => r.status)).toEqual([200, 401, 401]);
    } finally {
      await s.close();
    }
  });

  it('refuses a tenant on a single-tenant attachment, unsent', async () => {
    const sandbox = await startPaymentSandbox();
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials);
    try {
      const error = await rejection(api.get('/payments', { paymentAuth: { tenant: 'merchant_1' } }));
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/attachMultiTenantPaymentAuth/);
      expect(sandbox.requests).toEqual([]);
      expect((await api.get('/payments')).status).toBe(200);
    } finally {
      auth.detach();
      await sandbox.close();
    }
  });

  it('refuses options that are not multi-tenant ones', () => {
    const api = axios.create({ baseURL: 'http://127.0.0.1:1/api/v1' });
    expect(() => attachMultiTenantPaymentAuth(api, {} as never)).toThrow(/credentials is required/);
    expect(() => attachMultiTenantPaymentAuth(api, { credentials: { clientId: 'a' } } as never)).toThrow(
      /use attachPaymentAuth/,
    );
    for (const maxTenants of [0, -1, 1.5, NaN, '10', 2_000_000])
      expect(() =>
        attachMultiTenantPaymentAuth(api, { credentials: () => ({ clientId: 'a' }), maxTenants } as never),
      ).toThrow(/maxTenants must be an integer/);
  });

  it('names attachMultiTenantPaymentAuth, not attachPaymentAuth, in the mistakes of the options they share', () => {
    const credentials = () => ({ clientId: 'a', clientSecret: 'b' });
    const api = () => axios.create({ baseURL: 'http://127.0.0.1:1/api/v1' });
    const mistakes: [Parameters<typeof attachMultiTenantPaymentAuth>[0], Record<string, unknown>, RegExp][] = [
      [{} as never, {}, /the first argument must be an axios instance/],
      [api(), { retry: -1 }, /retry.retries must be/],
      [api(), { idempotency: { headerName: 'Authorization' } }, /idempotency.headerName must not be/],
      [api(), { breaker: { failureThreshold: 0 } }, /breaker/],
      [api(), { tokenTimeoutMs: 'soon' }, /tokenTimeoutMs/],
      [api(), { clientAuthMethod: 'client_secret_basic', clockSkewMs: 10 }, /clockSkewMs are for private_key_jwt/],
      [api(), { dpop: { privateKey: 42 } }, /dpop/],
      [api(), { clientAuthMethod: 'tls_client_auth' }, /mutual TLS needs an https: token URL/],
      [
        axios.create({ baseURL: 'https://127.0.0.1:1/api/v1', adapter: 'fetch' }),
        { clientAuthMethod: 'tls_client_auth' },
        /mutual TLS needs axios's http adapter/,
      ],
    ];
    for (const [instance, options, problem] of mistakes) {
      let thrown: unknown;
      try {
        attachMultiTenantPaymentAuth(instance, { credentials, ...options });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(problem);
      expect((thrown as Error).message).toMatch(/^attachMultiTenantPaymentAuth: /);
      expect((thrown as Error).message).not.toMatch(/attachPaymentAuth:/);
      expect(String((thrown as Error).stack)).toMatch(/^TypeError: attachMultiTenantPaymentAuth: /);
    }
    const attached = api();
    const auth = attachMultiTenantPaymentAuth(attached, { credentials });
    try {
      expect(() => attachMultiTenantPaymentAuth(attached, { credentials })).toThrow(
        /^attachMultiTenantPaymentAuth: this axios instance already has payment auth attached/,
      );
    } finally {
      auth.detach();
    }
  });
});

describe('a bounded number of tenants', () => {
  it('evicts the least recently used tenant past maxTenants, with its tokens; it starts afresh when it comes back', async () => {
    const s = await setUp({ maxTenants: 3 });
    try {
      for (const i of [0, 1, 2]) await s.api.get('/payments', { paymentAuth: { tenant: tenant(i) } });
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(0) } }); // 0 is now the most recent
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(3) } }); // evicts 1
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(4) } }); // evicts 2
      expect(s.auth.tenants()).toEqual({ cached: 3, maxTenants: 3, evicted: 2 });
      expect(s.auth.status(tenant(1)).hasToken).toBe(false);
      expect(s.auth.status(tenant(0)).hasToken).toBe(true);
      s.sandbox.reset();
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(1) } });
      expect(tokenCallsByClient(s.sandbox)).toEqual({ 'client-1': 1 });
      expect(s.lines.some((l) => l.startsWith('debug') && l.includes('tenant evicted'))).toBe(true);
      s.auth.forget(tenant(1));
      expect(s.auth.tenants().cached).toBe(2);
      expectOwnTokens(s);
    } finally {
      await s.close();
    }
  });

  it('never evicts a tenant whose token call is in flight: its waiting requests get their token', async () => {
    const s = await setUp({ maxTenants: 1 });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      s.sandbox.injectFault('token', { hold: held, clientId: 'client-0' });
      const waiting = Promise.all([0, 1, 2].map(() => s.api.get('/payments', { paymentAuth: { tenant: tenant(0) } })));
      await new Promise((r) => setTimeout(r, 30)); // tenant 0's token call is held
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(1) } }); // over the bound: 0 is busy
      expect(s.auth.tenants()).toMatchObject({ cached: 2, evicted: 0 });
      release();
      expect((await waiting).map((r) => r.status)).toEqual([200, 200, 200]);
      await s.api.get('/payments', { paymentAuth: { tenant: tenant(2) } }); // back under the bound
      expect(s.auth.tenants()).toMatchObject({ cached: 1, evicted: 2 });
      expect(tokenCallsByClient(s.sandbox)).toEqual({ 'client-0': 1, 'client-1': 1, 'client-2': 1 });
      expectOwnTokens(s);
    } finally {
      await s.close();
    }
  });

  it.each([
    ['its own memory store', false],
    ['a shared store that still holds the rejected token', true],
  ])(
    'replays a request whose tenant was evicted while it was out and got a 401, with the tenant’s new token (%s)',
    async (_name, shared) => {
      const store = shared ? new MemoryTokenStore(() => Date.parse('2026-11-28T12:00:00Z')) : undefined;
      const s = await setUp({ maxTenants: 1, ...(store ? { store } : {}) });
      try {
        await s.api.get('/payments', { paymentAuth: { tenant: tenant(0) } });
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        s.sandbox.injectFault('api', { hold: held, clientId: 'client-0' });
        const out = s.api.get('/payments', { paymentAuth: { tenant: tenant(0) } });
        await new Promise((r) => setTimeout(r, 30));
        await s.api.get('/payments', { paymentAuth: { tenant: tenant(1) } }); // evicts tenant 0
        expect(s.auth.tenants()).toMatchObject({ cached: 1, evicted: 1 });
        s.sandbox.revokeAccessTokens(); // the held request is checked after this: 401
        release();
        expect((await out).status).toBe(200);
        const zero = s.sent.filter((r) => r.tenant === tenant(0)).map((r) => r.authorization);
        expect(zero).toHaveLength(3);
        expect(zero[2]).not.toBe(zero[1]); // the replay carried the tenant's new token
        expect(s.sandbox.counters().unauthorized).toBe(1);
        expectOwnTokens(s);
      } finally {
        await s.close();
      }
    },
  );
});

describe('telemetry of many tenants', () => {
  /** A telemetry that records each outcome with the attributes it was made with. */
  function recordingTelemetry(): { telemetry: PaymentAuthTelemetry; outcomes: string[]; derived: number } {
    const outcomes: string[] = [];
    const state = { derived: 0 };
    const make = (attributes: Readonly<Record<string, string>>): PaymentAuthTelemetry => ({
      ...quietTelemetry(),
      recordTokenOutcome: (outcome) => void outcomes.push(`${outcome} ${attributes['payment_auth.tenant'] ?? '-'}`),
      withAttributes: (more) => {
        state.derived += 1;
        return make({ ...attributes, ...more });
      },
    });
    return {
      telemetry: make({}),
      outcomes,
      get derived() {
        return state.derived;
      },
    };
  }

  it('leaves tenants out of telemetry unless telemetryTenant says what to record, and bounds the values', async () => {
    const off = recordingTelemetry();
    const s = await setUp({ telemetry: off.telemetry });
    try {
      await s.auth.getAccessToken(tenant(0));
      expect(off.outcomes).toEqual(['acquired -']);
      expect(off.derived).toBe(0);
    } finally {
      await s.close();
    }
    const on = recordingTelemetry();
    const credentials = (): { clientId: string; clientSecret: string } => ({
      clientId: 'client-0',
      clientSecret: secretOf(0),
    });
    const t = await setUp({
      telemetry: on.telemetry,
      credentials,
      telemetryTenant: (id) => (id.startsWith('vip') ? id : undefined),
    });
    try {
      await t.auth.getAccessToken('plain');
      await Promise.all(Array.from({ length: 102 }, (_, i) => t.auth.getAccessToken(`vip${i}`)));
      expect(on.outcomes[0]).toBe('acquired -');
      const labels = new Set(on.outcomes.slice(1).map((o) => o.split(' ')[1]));
      expect(labels.size).toBe(101); // 100 tenants by name, the rest as `other`
      expect(labels.has('other')).toBe(true);
      expect(on.derived).toBe(101);
    } finally {
      await t.close();
    }
  });

  it('records a tenant without its attribute when withAttributes throws or returns nothing: its requests go on', async () => {
    for (const broken of [
      () => {
        throw new Error('labels down');
      },
      () => undefined as unknown as PaymentAuthTelemetry,
    ]) {
      const base = recordingTelemetry();
      const s = await setUp({
        telemetry: { ...base.telemetry, withAttributes: broken },
        telemetryTenant: (id) => `plan-${id}`,
      });
      try {
        const answers = await Promise.all(
          [0, 1, 0].map((i) => s.api.get('/payments', { paymentAuth: { tenant: tenant(i) } })),
        );
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
        expect(base.outcomes).toEqual(['acquired -', 'acquired -']);
        const warnings = s.lines.filter((l) => l.startsWith('warn') && l.includes('withAttributes failed'));
        expect(warnings).toHaveLength(2); // once per distinct value, then the unlabelled telemetry is kept
        expectOwnTokens(s);
      } finally {
        await s.close();
      }
    }
  });
});
