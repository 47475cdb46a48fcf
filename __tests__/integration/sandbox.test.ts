import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { forms, HOSTILE_SECRET } from '../_helpers/leaks';

let sandbox: PaymentSandbox;
let now = Date.parse('2026-11-28T12:00:00Z');
beforeEach(async () => {
  // A secret that is not URL-safe: Basic and form encodings must round-trip it.
  sandbox = await startPaymentSandbox({
    accessTokenTtlS: 900,
    refreshTokenTtlS: 3600,
    now: () => now,
    credentials: { clientSecret: HOSTILE_SECRET },
  });
});
afterEach(() => sandbox.close());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const basic = (id: string, secret: string) =>
  `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function token(): Promise<{ access_token: string; refresh_token: string }> {
  const { clientId, clientSecret } = sandbox.credentials;
  return (
    await post('/api/v1/oauth2/token', form({ grant_type: 'client_credentials' }), {
      Authorization: basic(clientId, clientSecret),
    })
  ).body as never;
}

async function api(
  method: string,
  path: string,
  bearer?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${sandbox.url}/api/v1${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown> & { error?: Record<string, unknown> },
  };
}

describe('the token endpoint', () => {
  it('issues Payment API tokens to Basic, form-body and JSON-body clients', async () => {
    const { clientId, clientSecret } = sandbox.credentials;
    const viaBasic = await post('/api/v1/oauth2/token', form({ grant_type: 'client_credentials' }), {
      Authorization: basic(clientId, clientSecret),
    });
    const viaForm = await post(
      '/api/v1/oauth2/token',
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    );
    const viaJson = await post(
      '/api/v1/oauth2/token',
      JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
      { 'Content-Type': 'application/json' },
    );
    for (const r of [viaBasic, viaForm, viaJson]) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        access_token: expect.stringMatching(/^at_/),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: expect.stringMatching(/^rt_/),
      });
    }
    expect(sandbox.requests.map((r) => r.clientAuth)).toEqual(['basic', 'post', 'post']);
  });

  it.each([
    [
      'a wrong secret',
      form({ grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' }),
      {},
      401,
      'invalid_client',
    ],
    ['no client authentication', form({ grant_type: 'client_credentials' }), {}, 401, 'invalid_client'],
    [
      'two authentication methods',
      form({ grant_type: 'client_credentials', client_id: 'x', client_secret: 'y' }),
      { Authorization: basic('x', 'y') },
      400,
      'invalid_request',
    ],
    ['another grant type', form({ grant_type: 'password' }), 'basic', 400, 'unsupported_grant_type'],
    ['a text body', 'hello', { 'Content-Type': 'text/plain' }, 400, 'invalid_request'],
  ])('answers %s with an RFC 6749 error', async (_name, body, headers, status, error) => {
    const h =
      headers === 'basic'
        ? { Authorization: basic(sandbox.credentials.clientId, sandbox.credentials.clientSecret) }
        : headers;
    const r = await post('/api/v1/oauth2/token', body, h as Record<string, string>);
    expect(r.status).toBe(status);
    expect(r.body.error).toBe(error);
  });

  it('sends WWW-Authenticate with a 401 to a Basic client (RFC 6749 §5.2)', async () => {
    const r = await post('/api/v1/oauth2/token', form({ grant_type: 'client_credentials' }), {
      Authorization: basic('nobody', 'nothing'),
    });
    expect(r.headers.get('www-authenticate')).toMatch(/^Basic/);
  });
});

describe('the refresh endpoint', () => {
  it('returns a new access token and no refresh token', async () => {
    const { refresh_token } = await token();
    const r = await post('/api/v1/oauth2/refresh', form({ grant_type: 'refresh_token', refresh_token }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ access_token: expect.stringMatching(/^at_/), token_type: 'Bearer', expires_in: 900 });
  });

  it('answers 401 invalid_grant once the refresh token expired or was revoked', async () => {
    const first = await token();
    now += 3600_000;
    expect((await post('/api/v1/oauth2/refresh', form({ refresh_token: first.refresh_token }))).body.error).toBe(
      'invalid_grant',
    );
    const second = await token();
    sandbox.revokeRefreshTokens();
    expect(await post('/api/v1/oauth2/refresh', form({ refresh_token: second.refresh_token }))).toMatchObject({
      status: 401,
      body: { error: 'invalid_grant' },
    });
  });

  it("refuses another client's refresh token", async () => {
    const { refresh_token } = await token();
    const other = sandbox.addClient({ clientId: 'other', clientSecret: 'other-secret' });
    const r = await post('/api/v1/oauth2/refresh', form({ refresh_token }), {
      Authorization: basic(other.clientId, other.clientSecret),
    });
    expect(r).toMatchObject({ status: 401, body: { error: 'invalid_grant' } });
  });
});

describe('the payments API', () => {
  it('answers 401 NO_TOKEN and INVALID_TOKEN in the error envelope', async () => {
    const none = await api('GET', '/payments');
    expect(none).toMatchObject({
      status: 401,
      body: { error: { code: 'NO_TOKEN', request_id: expect.stringMatching(/^req_/) } },
    });
    const bad = await api('GET', '/payments', 'at_forged');
    expect(bad).toMatchObject({ status: 401, body: { error: { code: 'INVALID_TOKEN' } } });
    const { access_token } = await token();
    now += 900_000;
    expect((await api('GET', '/payments', access_token)).body.error?.code).toBe('INVALID_TOKEN');
  });

  it('logs what it knew of each bearer, and the request id it answered with', async () => {
    const { access_token: revokedToken } = await token();
    const ok = await api('GET', '/payments', revokedToken);
    sandbox.revokeAccessTokens();
    const revoked = await api('GET', '/payments', revokedToken);
    const { access_token: expiringToken } = await token();
    now += 900_000;
    const expired = await api('GET', '/payments', expiringToken);
    const unknown = await api('GET', '/payments', 'at_never_issued_by_this_sandbox');
    expect(sandbox.requests.filter((r) => r.route === 'api').map((r) => [r.status, r.tokenState, r.requestId])).toEqual(
      [
        [200, 'valid', ok.headers.get('x-request-id')],
        [401, 'revoked', revoked.body.error!.request_id],
        [401, 'expired', expired.body.error!.request_id],
        [401, 'unknown', unknown.headers.get('x-request-id')],
      ],
    );
  });

  it('creates, reads and lists payments per client', async () => {
    const { access_token } = await token();
    const created = await api('POST', '/payments', access_token, { amount: 1000, currency: 'EUR', description: 'x' });
    expect(created).toMatchObject({
      status: 201,
      body: { id: expect.stringMatching(/^pay_/), amount: 1000, currency: 'EUR', status: 'succeeded' },
    });
    expect((await api('GET', `/payments/${created.body.id as string}`, access_token)).body).toEqual(created.body);
    expect((await api('GET', '/payments', access_token)).body).toEqual({ data: [created.body] });
    const other = sandbox.addClient();
    const otherToken = (
      await post(
        '/api/v1/oauth2/token',
        form({ grant_type: 'client_credentials', client_id: other.clientId, client_secret: other.clientSecret }),
      )
    ).body.access_token as string;
    expect((await api('GET', `/payments/${created.body.id as string}`, otherToken)).status).toBe(404);
  });

  it('is idempotent by Idempotency-Key: same body → same payment, other body → 422', async () => {
    const { access_token } = await token();
    const a = await api('POST', '/payments', access_token, { amount: 5 }, { 'Idempotency-Key': 'k1' });
    const b = await api('POST', '/payments', access_token, { amount: 5 }, { 'Idempotency-Key': 'k1' });
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body.id).toBe(a.body.id);
    const c = await api('POST', '/payments', access_token, { amount: 6 }, { 'Idempotency-Key': 'k1' });
    expect(c).toMatchObject({ status: 422, body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } } });
    expect(sandbox.payments()).toHaveLength(1);
  });

  it.each([[{ amount: -1 }], [{ amount: 1.5 }], [{ amount: 1, currency: 'euro' }], [[1]]])(
    'validates %p',
    async (body) => {
      const { access_token } = await token();
      expect((await api('POST', '/payments', access_token, body)).body.error?.code).toBe('VALIDATION_ERROR');
    },
  );
});

describe('faults and the request log', () => {
  it('serves armed faults in order, the given number of times', async () => {
    const { access_token } = await token();
    sandbox.injectFault('api', { status: 503, retryAfterS: 7 }, 2);
    sandbox.injectFault('api', { malformed: true });
    const first = await fetch(`${sandbox.url}/api/v1/payments`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    expect([first.status, first.headers.get('retry-after')]).toEqual([503, '7']);
    expect((await api('GET', '/payments', access_token)).status).toBe(503);
    const third = await fetch(`${sandbox.url}/api/v1/payments`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    await expect(third.json()).rejects.toThrow();
    expect((await api('GET', '/payments', access_token)).status).toBe(200);
    expect(sandbox.requests.filter((r) => r.route === 'api').map((r) => r.fault ?? 'none')).toEqual([
      'status 503',
      'status 503',
      'malformed',
      'none',
    ]);
  });

  it('drops connections and delays answers', async () => {
    sandbox.injectFault('token', { drop: true });
    await expect(fetch(`${sandbox.url}/api/v1/oauth2/token`, { method: 'POST', body: '' })).rejects.toThrow();
    sandbox.injectFault('token', { delayMs: 80 });
    const started = Date.now();
    await token();
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('never records a secret or a whole token', async () => {
    const { access_token, refresh_token } = await token();
    await post('/api/v1/oauth2/refresh', form({ refresh_token }));
    await api('GET', '/payments', access_token);
    const log = JSON.stringify(sandbox.requests);
    for (const secret of [...forms(sandbox.credentials.clientSecret), access_token, refresh_token])
      expect(log).not.toContain(secret);
    expect(sandbox.counters()).toEqual({
      tokenCalls: 1,
      refreshCalls: 1,
      apiCalls: 1,
      unauthorized: 0,
      paymentsCreated: 0,
      dpopNonceChallenges: 0,
    });
    sandbox.reset();
    expect(sandbox.requests).toEqual([]);
  });

  it('listens on loopback only', async () => {
    await expect(startPaymentSandbox({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});
