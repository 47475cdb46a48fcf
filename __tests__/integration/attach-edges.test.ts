import { Readable } from 'node:stream';
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios';
import {
  attachMultiTenantPaymentAuth,
  attachPaymentAuth,
  isPaymentAuthError,
  MemoryTokenStore,
  type MultiTenantPaymentAuth,
  type MultiTenantPaymentAuthOptions,
  type PaymentAuthLogger,
  type PaymentAuthTelemetry,
} from '../../src';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { startHarness, type Harness } from '../_helpers/sandbox';
import { rejection } from '../_helpers/rejection';
import { deferred, startRecordingServer, startTokenAndApiServer, waitFor } from '../_helpers/servers';
import { quietTelemetry } from '../_helpers/telemetry';

type Line = [level: keyof PaymentAuthLogger, message: string, fields: Record<string, unknown> | undefined];

/** A logger that keeps every line with its fields. */
function recordingLogger(): PaymentAuthLogger & { lines: Line[]; at(level: Line[0]): Line[] } {
  const lines: Line[] = [];
  const line =
    (level: Line[0]) =>
    (message: string, fields?: Record<string, unknown>): void =>
      void lines.push([level, message, fields]);
  return {
    lines,
    at: (level) => lines.filter((l) => l[0] === level),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  };
}

describe('attachPaymentAuth: a telemetry that cannot register its expiry reader', () => {
  it('attaches all the same, warns once with its error, and the requests and detach() go on', async () => {
    const sandbox = await startPaymentSandbox();
    const logger = recordingLogger();
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    try {
      const auth = attachPaymentAuth(api, sandbox.credentials, {
        logger,
        telemetry: {
          ...quietTelemetry(),
          observeExpiry: () => {
            throw new Error('meter provider not started');
          },
        },
      });
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
      expect(() => auth.detach()).not.toThrow();
      expect(logger.at('warn')).toEqual([
        ['warn', 'axios-payment-auth: telemetry observeExpiry threw', { error: 'meter provider not started' }],
      ]);
    } finally {
      await sandbox.close();
    }
  });
});

describe("attachPaymentAuth: the caller's own Authorization", () => {
  it('is sent as the caller set it, and Authorization: false sends none; neither fetches a token', async () => {
    const server = await startTokenAndApiServer((_req, res) => res.end('{}'));
    const api = axios.create({ baseURL: `${server.url}/api/v1` });
    const auth = attachPaymentAuth(api, { clientId: 'id', clientSecret: 'secret-value-123' });
    try {
      await api.get('/reports', { headers: { Authorization: 'Basic cmVwb3J0czpyZWFk' } });
      await api.get('/health', { headers: { Authorization: false } });
      expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
        ['/api/v1/reports', 'Basic cmVwb3J0czpyZWFk'],
        ['/api/v1/health', undefined],
      ]);
    } finally {
      auth.detach();
      await server.close();
    }
  });
});

describe('attachPaymentAuth: a telemetry without the optional recordBreakerState', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is not asked for it when the breaker opens: the only warning is the breaker’s own', async () => {
    const logger = recordingLogger();
    const outcomes: string[] = [];
    h = await startHarness({
      logger,
      telemetry: { ...quietTelemetry(), recordTokenOutcome: (outcome) => void outcomes.push(outcome) },
      tokenRetries: 0,
      breaker: { failureThreshold: 1, coolDownMs: 1000 },
    });
    h.sandbox.injectFault('token', { status: 503 }, Infinity);
    await expect(h.api.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    expect(h.auth.status().breaker.state).toBe('open');
    expect(outcomes).toEqual(['failed']);
    expect(logger.at('warn').map(([, message]) => message)).toEqual([
      expect.stringMatching(/^axios-payment-auth: token endpoint breaker open: /),
    ]);
  });
});

describe('attachPaymentAuth with DPoP: the API asks for its nonce', () => {
  it('sends the request again with the nonce, and says so in a debug line', async () => {
    const sandbox = await startPaymentSandbox({ dpop: 'require-nonce' });
    const logger = recordingLogger();
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const auth = attachPaymentAuth(api, sandbox.credentials, { dpop: true, logger });
    try {
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
      const apiCalls = sandbox.requests.filter((r) => r.route === 'api');
      expect(apiCalls.map((c) => [c.status, c.dpopError])).toEqual([
        [401, 'use_dpop_nonce'],
        [200, undefined],
      ]);
      expect(logger.at('debug').filter(([, message]) => message.includes('DPoP nonce'))).toEqual([
        ['debug', 'axios-payment-auth: the API asked for a DPoP nonce; sending the request again with it', undefined],
      ]);
    } finally {
      auth.detach();
      await sandbox.close();
    }
  });
});

describe('attachMultiTenantPaymentAuth', () => {
  interface Tenants {
    sandbox: PaymentSandbox;
    api: AxiosInstance;
    auth: MultiTenantPaymentAuth;
    logger: ReturnType<typeof recordingLogger>;
    /** The tenant and the Authorization of every request as it left. */
    sent: { tenant: string | undefined; authorization: unknown }[];
    close(): Promise<void>;
  }

  /** Tenant `merchant_<i>` is the sandbox's client `i`. */
  async function attachTenants(options: Partial<MultiTenantPaymentAuthOptions> = {}): Promise<Tenants> {
    const sandbox = await startPaymentSandbox({ clients: [{}, {}] });
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
    const sent: Tenants['sent'] = [];
    // Registered before attaching, so it runs after the package's request interceptor.
    api.interceptors.request.use((config: InternalAxiosRequestConfig) => {
      sent.push({
        tenant: config.paymentAuth ? config.paymentAuth.tenant : undefined,
        authorization: config.headers.get('Authorization'),
      });
      return config;
    });
    const logger = recordingLogger();
    const auth = attachMultiTenantPaymentAuth(api, {
      credentials: (tenant) => sandbox.clients[Number(tenant.split('_')[1])]!,
      logger,
      tokenRetries: 0,
      retry: false,
      ...options,
    });
    return {
      sandbox,
      api,
      auth,
      logger,
      sent,
      async close() {
        auth.detach();
        await sandbox.close();
      },
    };
  }

  it("names the tenant in a warning of that tenant's requests (a throwing hook)", async () => {
    const t = await attachTenants({
      onTokenAcquired: () => {
        throw new Error('hook broke');
      },
    });
    try {
      await expect(t.api.get('/payments', { paymentAuth: { tenant: 'merchant_1' } })).resolves.toMatchObject({
        status: 200,
      });
      expect(t.logger.at('warn')).toEqual([
        ['warn', 'axios-payment-auth: onTokenAcquired hook threw', { tenant: 'merchant_1', error: 'hook broke' }],
      ]);
    } finally {
      await t.close();
    }
  });

  it('warns, naming the tenant, when telemetryTenant throws, and records the tenant unlabelled', async () => {
    const outcomes: string[] = [];
    const make = (attributes: Readonly<Record<string, string>>): PaymentAuthTelemetry => ({
      ...quietTelemetry(),
      recordTokenOutcome: (outcome) => void outcomes.push(`${outcome} ${attributes['payment_auth.tenant'] ?? '-'}`),
      withAttributes: (more) => make({ ...attributes, ...more }),
    });
    const t = await attachTenants({
      telemetry: make({}),
      telemetryTenant: () => {
        throw new Error('plan lookup down');
      },
    });
    try {
      await expect(t.api.get('/payments', { paymentAuth: { tenant: 'merchant_0' } })).resolves.toMatchObject({
        status: 200,
      });
      expect(outcomes).toEqual(['acquired -']);
      expect(t.logger.at('warn')).toEqual([
        ['warn', 'axios-payment-auth: telemetryTenant threw', { tenant: 'merchant_0', error: 'plan lookup down' }],
      ]);
    } finally {
      await t.close();
    }
  });

  it("counts a retry of a tenant's request in that tenant's status, and logs it with the tenant", async () => {
    const t = await attachTenants({ retry: { retries: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    try {
      t.sandbox.injectFault('api', { status: 503 });
      await expect(t.api.get('/payments', { paymentAuth: { tenant: 'merchant_1' } })).resolves.toMatchObject({
        status: 200,
      });
      expect(t.auth.status('merchant_1').counts.retries).toBe(1);
      expect(t.logger.at('info').filter(([, message]) => message.includes('retrying'))).toEqual([
        [
          'info',
          'axios-payment-auth: retrying API call',
          { tenant: 'merchant_1', attempt: 1, reason: 'status 503', method: 'GET', path: '/payments', delayMs: 0 },
        ],
      ]);
    } finally {
      await t.close();
    }
  });

  it('answers a request to another origin that carries the state of an earlier API request', async () => {
    const elsewhere = await startRecordingServer('127.0.0.1');
    const t = await attachTenants();
    try {
      const first = await t.api.get('/payments', { paymentAuth: { tenant: 'merchant_0' } });
      // Passed on to a call outside the API, e.g. to follow a link of the answer.
      const receipt = await t.api.get(`${elsewhere.url}/receipts/1`, { paymentAuth: first.config.paymentAuth });
      expect(receipt.status).toBe(200);
      expect(receipt.data).toEqual({});
      expect(elsewhere.requests.map((r) => r.headers.authorization)).toEqual([undefined]);
    } finally {
      await t.close();
      await elsewhere.close();
    }
  });

  it('a stream body rejected with 401 after its tenant was evicted: the next request never sends the rejected token from a shared store', async () => {
    const store = new MemoryTokenStore();
    const t = await attachTenants({ maxTenants: 1, store });
    try {
      await t.api.get('/payments', { paymentAuth: { tenant: 'merchant_0' } });
      const rejected = t.sent[0]!.authorization;
      const release = deferred();
      t.sandbox.injectFault('api', { hold: release.promise, clientId: t.sandbox.clients[0]!.clientId });
      const arrived = t.sandbox.requests.length + 1;
      const out = rejection(
        t.api.post('/payments', Readable.from([Buffer.from('{"amount":100,"currency":"EUR"}')]), {
          headers: { 'Content-Type': 'application/json' },
          paymentAuth: { tenant: 'merchant_0' },
        }),
      );
      await waitFor(() => t.sandbox.requests.length === arrived); // the POST is held at the API
      await t.api.get('/payments', { paymentAuth: { tenant: 'merchant_1' } }); // evicts merchant_0
      expect(t.auth.tenants()).toMatchObject({ cached: 1, evicted: 1 });
      t.sandbox.revokeAccessTokens();
      release.resolve();
      const error = await out;
      expect(isPaymentAuthError(error) && error.code).toBe('BODY_NOT_REPLAYABLE');

      await expect(t.api.get('/payments', { paymentAuth: { tenant: 'merchant_0' } })).resolves.toMatchObject({
        status: 200,
      });
      const zero = t.sent.filter((r) => r.tenant === 'merchant_0').map((r) => r.authorization);
      expect(zero[1]).toBe(rejected);
      expect(zero[2]).not.toBe(rejected);
      expect(zero).toHaveLength(3); // the first GET, the POST, the last GET: no 401 to replay
      expect(t.sandbox.counters().unauthorized).toBe(1);
    } finally {
      await t.close();
    }
  });
});
