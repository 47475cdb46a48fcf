import { inspect } from 'node:util';
import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, parsePaymentError, type PaymentAuthOptions } from '../../src';
import type { CredentialsInput } from '../../src/token/credentials';
import { authFailure } from '../_helpers/rejection';

const BASE = 'https://pay.test';
const TOKEN = '/api/v1/oauth2/token';
const REFRESH = '/api/v1/oauth2/refresh';
const creds = { clientId: 'client-1', clientSecret: 'canary-secret-8f3a' };
const basic = `Basic ${btoa('client-1:canary-secret-8f3a')}`;
const ok = { access_token: 'at-1', token_type: 'Bearer', expires_in: 900, refresh_token: 'rt-1' };

function attach(options: PaymentAuthOptions = {}, credentials: CredentialsInput = creds) {
  return attachPaymentAuth(axios.create({ baseURL: `${BASE}/api/v1` }), credentials, options);
}

const failure = authFailure;

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('the token request', () => {
  it('is a form POST with client_secret_basic by default (RFC 6749 §4.4.2)', async () => {
    nock(BASE, {
      reqheaders: {
        authorization: basic,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
    })
      .post(TOKEN, 'grant_type=client_credentials')
      .reply(200, ok);
    await expect(attach().getAccessToken()).resolves.toBe('at-1');
  });

  it('sends the credentials only in the body with client_secret_post', async () => {
    nock(BASE, { badheaders: ['authorization'] })
      .post(TOKEN, 'grant_type=client_credentials&client_id=client-1&client_secret=canary-secret-8f3a')
      .reply(200, ok);
    await expect(attach({ clientAuthMethod: 'client_secret_post' }).getAccessToken()).resolves.toBe('at-1');
  });

  it('sends JSON when tokenRequestFormat is json', async () => {
    nock(BASE, { reqheaders: { 'content-type': 'application/json' } })
      .post(TOKEN, { grant_type: 'client_credentials', scope: 'payments:write payments:read', audience: 'pay' })
      .reply(200, ok);
    await expect(
      attach({
        tokenRequestFormat: 'json',
        scope: ['payments:write', 'payments:read'],
        tokenParams: { audience: 'pay' },
      }).getAccessToken(),
    ).resolves.toBe('at-1');
  });

  it('goes to an absolute tokenUrl on another host when configured', async () => {
    nock('https://auth.test').post('/oauth/token', 'grant_type=client_credentials').reply(200, ok);
    await expect(attach({ tokenUrl: 'https://auth.test/oauth/token' }).getAccessToken()).resolves.toBe('at-1');
  });

  it("never goes through the instance's own interceptors", async () => {
    const api = axios.create({ baseURL: BASE });
    const seen: string[] = [];
    api.interceptors.request.use((config) => {
      seen.push(String(config.url));
      return config;
    });
    nock(BASE).post(TOKEN).reply(200, ok);
    await attachPaymentAuth(api, creds).getAccessToken();
    expect(seen).toEqual([]);
  });
});

describe('the refresh request', () => {
  it('sends grant_type=refresh_token with the stored refresh token and client authentication (RFC 6749 §6)', async () => {
    let now = 0;
    nock(BASE).post(TOKEN).reply(200, ok);
    nock(BASE, { reqheaders: { authorization: basic } })
      .post(REFRESH, 'grant_type=refresh_token&refresh_token=rt-1')
      .reply(200, { access_token: 'at-2', expires_in: 900 });
    const auth = attach({ clock: () => now });
    await auth.getAccessToken();
    now = 901_000;
    await expect(auth.getAccessToken()).resolves.toBe('at-2');
  });

  it('keeps the old refresh token when the response has none, and replaces it when a new one comes (RFC 6749 §6)', async () => {
    let now = 0;
    nock(BASE).post(TOKEN).reply(200, ok);
    nock(BASE)
      .post(REFRESH, 'grant_type=refresh_token&refresh_token=rt-1')
      .reply(200, { access_token: 'at-2', expires_in: 900 });
    nock(BASE)
      .post(REFRESH, 'grant_type=refresh_token&refresh_token=rt-1')
      .reply(200, { access_token: 'at-3', expires_in: 900, refresh_token: 'rt-2' });
    nock(BASE)
      .post(REFRESH, 'grant_type=refresh_token&refresh_token=rt-2')
      .reply(200, { access_token: 'at-4', expires_in: 900 });
    const auth = attach({ clock: () => now });
    for (const [t, token] of [
      [0, 'at-1'],
      [1_000_000, 'at-2'],
      [2_000_000, 'at-3'],
      [3_000_000, 'at-4'],
    ] as const) {
      now = t;
      await expect(auth.getAccessToken()).resolves.toBe(token);
    }
  });

  it('authenticates from scratch once the refresh token is past its lifetime', async () => {
    let now = 0;
    nock(BASE).post(TOKEN).reply(200, ok);
    nock(BASE)
      .post(TOKEN)
      .reply(200, { ...ok, access_token: 'at-2' });
    const auth = attach({ clock: () => now });
    await auth.getAccessToken();
    now = 86_400_000;
    await expect(auth.getAccessToken()).resolves.toBe('at-2');
  });

  it('honours refresh_expires_in when the server sends it', async () => {
    let now = 0;
    nock(BASE)
      .post(TOKEN)
      .reply(200, { ...ok, refresh_expires_in: 1200 });
    nock(BASE)
      .post(TOKEN)
      .reply(200, { ...ok, access_token: 'at-2' });
    const auth = attach({ clock: () => now });
    await auth.getAccessToken();
    now = 1_200_000;
    await expect(auth.getAccessToken()).resolves.toBe('at-2');
  });

  it('re-authenticates on every renewal when refreshUrl is false', async () => {
    let now = 0;
    nock(BASE).post(TOKEN).reply(200, ok);
    nock(BASE)
      .post(TOKEN)
      .reply(200, { ...ok, access_token: 'at-2' });
    const auth = attach({ clock: () => now, refreshUrl: false });
    await auth.getAccessToken();
    now = 901_000;
    await expect(auth.getAccessToken()).resolves.toBe('at-2');
  });

  it.each([
    ['a 401 invalid_grant', (s: nock.Interceptor) => s.reply(401, { error: 'invalid_grant' })],
    ['a 400', (s: nock.Interceptor) => s.reply(400, { error: 'invalid_request' })],
    ['a 500', (s: nock.Interceptor) => s.reply(500, 'oops')],
    [
      'a network error',
      (s: nock.Interceptor) => s.replyWithError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })),
    ],
    ['a malformed body', (s: nock.Interceptor) => s.reply(200, '{"access_tok')],
  ])('falls back to one client_credentials exchange after %s', async (_name, reply) => {
    let now = 0;
    nock(BASE).post(TOKEN).reply(200, ok);
    reply(nock(BASE).post(REFRESH));
    nock(BASE)
      .post(TOKEN)
      .reply(200, { ...ok, access_token: 'at-fallback' });
    const auth = attach({ clock: () => now });
    await auth.getAccessToken();
    now = 901_000;
    await expect(auth.getAccessToken()).resolves.toBe('at-fallback');
  });

  it('falls back when the refresh hangs, within the total deadline', async () => {
    let now = 0;
    nock(BASE).post(TOKEN).reply(200, ok);
    nock(BASE).post(REFRESH).delay(5000).reply(200, { access_token: 'late' });
    nock(BASE)
      .post(TOKEN)
      .reply(200, { ...ok, access_token: 'at-fallback' });
    const auth = attach({ clock: () => now, tokenTimeoutMs: 600 });
    await auth.getAccessToken();
    now = 901_000;
    await expect(auth.getAccessToken()).resolves.toBe('at-fallback');
  });
});

describe('token endpoint failures', () => {
  it('retries 503s with backoff, then succeeds (bounded retries)', async () => {
    nock(BASE).post(TOKEN).twice().reply(503, 'busy');
    nock(BASE).post(TOKEN).reply(200, ok);
    await expect(attach().getAccessToken()).resolves.toBe('at-1');
  });

  it('gives up after tokenRetries with TOKEN_ENDPOINT_UNAVAILABLE', async () => {
    nock(BASE).post(TOKEN).times(2).reply(502);
    const error = await failure(attach({ tokenRetries: 1 }).getAccessToken());
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 502 });
  });

  it.each([501, 505])('does not retry a %i (not transient, like the API retries)', async (status) => {
    nock(BASE).post(TOKEN).once().reply(status);
    expect(await failure(attach().getAccessToken())).toMatchObject({ code: 'TOKEN_REQUEST_REJECTED', status });
  });

  it('retries network errors', async () => {
    nock(BASE)
      .post(TOKEN)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    nock(BASE).post(TOKEN).reply(200, ok);
    await expect(attach().getAccessToken()).resolves.toBe('at-1');
  });

  it.each(['ENOTFOUND', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'HPE_INVALID_CONSTANT'])(
    'does not retry a transport error that is not transient (%s), and says so',
    async (code) => {
      nock(BASE)
        .post(TOKEN)
        .once()
        .replyWithError(Object.assign(new Error('failed'), { code }));
      const error = await failure(attach().getAccessToken());
      expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', message: expect.stringContaining(code) });
      expect(parsePaymentError(error).retryable).toBe(false);
    },
  );

  it('retries a network error without a code, and calls the outage retryable', async () => {
    nock(BASE).post(TOKEN).times(3).replyWithError(new Error('socket closed'));
    const error = await failure(attach().getAccessToken());
    expect(error.message).toContain('network error');
    expect(parsePaymentError(error).retryable).toBe(true);
  });

  it('waits for Retry-After on a 429', async () => {
    nock(BASE).post(TOKEN).reply(429, '', { 'Retry-After': '1' });
    nock(BASE).post(TOKEN).reply(200, ok);
    const started = Date.now();
    await expect(attach().getAccessToken()).resolves.toBe('at-1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('fails at once when Retry-After is longer than maxRetryAfterMs', async () => {
    nock(BASE).post(TOKEN).reply(503, '', { 'Retry-After': '120' });
    expect(await failure(attach({ maxRetryAfterMs: 5000 }).getAccessToken())).toMatchObject({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      status: 503,
    });
  });

  it('does not retry invalid_client', async () => {
    nock(BASE)
      .post(TOKEN)
      .once()
      .reply(401, { error: 'invalid_client', error_description: 'bad secret' }, { 'WWW-Authenticate': 'Basic' });
    const error = await failure(attach().getAccessToken());
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401, oauthError: 'invalid_client' });
    expect(error.message).toMatch(/check clientId and clientSecret/);
  });

  it.each([
    ['invalid_scope', 400, 'TOKEN_REQUEST_REJECTED'],
    ['unauthorized_client', 400, 'TOKEN_REQUEST_REJECTED'],
    ['unsupported_grant_type', 400, 'TOKEN_REQUEST_REJECTED'],
    ['invalid_request', 400, 'TOKEN_REQUEST_REJECTED'],
    ['invalid_client', 400, 'CREDENTIALS_REJECTED'],
  ])('maps %s (%i) to %s without retrying', async (oauthError, status, code) => {
    nock(BASE).post(TOKEN).once().reply(status, { error: oauthError });
    expect(await failure(attach().getAccessToken())).toMatchObject({ code, status, oauthError });
  });

  it('treats a 200 that carries an OAuth error as a failure', async () => {
    nock(BASE).post(TOKEN).reply(200, { error: 'invalid_client', access_token: 'ignored' });
    expect(await failure(attach().getAccessToken())).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 200 });
  });

  it('does not follow a redirect of the token endpoint', async () => {
    nock(BASE).post(TOKEN).reply(307, '', { Location: 'https://elsewhere.test/steal' });
    const elsewhere = nock('https://elsewhere.test').post('/steal').reply(200, ok);
    expect(await failure(attach().getAccessToken())).toMatchObject({ code: 'TOKEN_ENDPOINT_REDIRECT', status: 307 });
    expect(elsewhere.isDone()).toBe(false);
    nock.cleanAll();
  });

  it.each([
    ['HTML', '<html>Bad gateway</html>', 'text/html'],
    ['truncated JSON', '{"access_token":"at', 'application/json'],
    ['an array', '[]', 'application/json'],
  ])('rejects a 200 with %s as TOKEN_RESPONSE_INVALID, after the bounded retries', async (_name, body, type) => {
    nock(BASE).post(TOKEN).times(3).reply(200, body, { 'Content-Type': type });
    const error = await failure(attach().getAccessToken());
    expect(error.code).toBe('TOKEN_RESPONSE_INVALID');
    expect(error.message).not.toContain(body);
  });

  it('retries an unreadable 200 body (a passing gateway fault) and succeeds', async () => {
    nock(BASE).post(TOKEN).reply(200, '{"access_tok', { 'Content-Type': 'application/json' });
    nock(BASE).post(TOKEN).reply(200, ok);
    await expect(attach().getAccessToken()).resolves.toBe('at-1');
  });

  it('does not retry a well-formed 200 without a usable token', async () => {
    nock(BASE).post(TOKEN).once().reply(200, { token_type: 'Bearer' });
    expect((await failure(attach().getAccessToken())).code).toBe('TOKEN_RESPONSE_INVALID');
  });

  it('rejects a body over 1 MiB', async () => {
    nock(BASE)
      .post(TOKEN)
      .reply(200, JSON.stringify({ access_token: 'a', pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect((await failure(attach().getAccessToken())).code).toBe('TOKEN_RESPONSE_INVALID');
  });

  it('rejects every waiter with TOKEN_ENDPOINT_TIMEOUT at the total deadline', async () => {
    nock(BASE).post(TOKEN).delay(3000).reply(200, ok);
    const auth = attach({ tokenTimeoutMs: 200 });
    const errors = await Promise.all([failure(auth.getAccessToken()), failure(auth.getAccessToken())]);
    expect(errors.map((e) => e.code)).toEqual(['TOKEN_ENDPOINT_TIMEOUT', 'TOKEN_ENDPOINT_TIMEOUT']);
    expect(errors[0]).toBe(errors[1]);
  });

  it('redacts the secret when the server echoes it in error_description', async () => {
    nock(BASE).post(TOKEN).reply(400, { error: 'invalid_request', error_description: `bad secret canary-secret-8f3a` });
    const error = await failure(attach().getAccessToken());
    expect(error.message).toContain('[REDACTED]');
    expect(error.message).not.toContain('canary-secret-8f3a');
  });

  it('tries again on the next call: a failure is never cached', async () => {
    nock(BASE).post(TOKEN).reply(400, { error: 'invalid_request' });
    nock(BASE).post(TOKEN).reply(200, ok);
    const auth = attach();
    await failure(auth.getAccessToken());
    await expect(auth.getAccessToken()).resolves.toBe('at-1');
  });

  it('sends a request rejected twice in a row again only after a pause', async () => {
    nock(BASE).post(TOKEN).twice().reply(400, { error: 'invalid_request' });
    nock(BASE).post(TOKEN).reply(200, ok);
    let now = 1_000_000;
    const auth = attach({ clock: () => now });
    await failure(auth.getAccessToken());
    await failure(auth.getAccessToken());
    const held = await failure(auth.getAccessToken()); // within the pause: answered at once, no call
    expect(held).toMatchObject({ code: 'TOKEN_REQUEST_REJECTED', status: 400, retryAfterMs: 1000 });
    now += 1000;
    await expect(auth.getAccessToken()).resolves.toBe('at-1');
  });
});

describe('credential providers', () => {
  it('re-reads rotated credentials once after invalid_client', async () => {
    const secrets = ['old-secret-1', 'new-secret-2'];
    let reads = 0;
    const provider = async () => ({ clientId: 'client-1', clientSecret: secrets[Math.min(reads++, 1)]! });
    nock(BASE, { reqheaders: { authorization: `Basic ${btoa('client-1:old-secret-1')}` } })
      .post(TOKEN)
      .reply(401, { error: 'invalid_client' });
    nock(BASE, { reqheaders: { authorization: `Basic ${btoa('client-1:new-secret-2')}` } })
      .post(TOKEN)
      .reply(200, ok);
    await expect(attach({}, provider).getAccessToken()).resolves.toBe('at-1');
  });

  it('rejects with CREDENTIALS_MISSING when the provider throws or returns nothing usable', async () => {
    expect(
      (
        await failure(
          attach({}, async () => {
            throw new Error('vault down');
          }).getAccessToken(),
        )
      ).code,
    ).toBe('CREDENTIALS_MISSING');
    expect((await failure(attach({}, async () => ({ clientId: 'x' }) as never).getAccessToken())).code).toBe(
      'CREDENTIALS_MISSING',
    );
  });
});

describe('a credentials provider that throws', () => {
  it.each([
    ['quoting a secret it knows', () => new Error('cached value canary-secret-8f3a is past its rotation date')],
    ['parsing a bare secret as JSON', () => (JSON.parse('canary-secret-8f3a'), new Error('unreachable'))],
  ])('keeps only the kind of its error, never its message: %s', async (_name, makeError) => {
    let calls = 0;
    nock(BASE).post(TOKEN).reply(200, ok);
    const auth = attach({}, async () => {
      calls += 1;
      if (calls === 1) return creds;
      throw makeError();
    });
    await auth.getAccessToken();
    auth.invalidate();
    const error = await failure(auth.getAccessToken());
    expect(error.code).toBe('CREDENTIALS_MISSING');
    expect(error.message).toMatch(/^Credentials provider failed \((Error|SyntaxError)\)/);
    const shown = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error), String(error.stack)].join(
      '\n',
    );
    expect(shown).not.toContain('canary');
    expect(error.cause).toBeUndefined();
  });
});

describe('errors that name the URL they called', () => {
  const AUTH = 'https://auth.pay.test';
  // A query in the configured URL never reaches a message (user info is refused at attach).
  const configured = { tokenUrl: `${AUTH}/oauth2/token?tenant=t1`, tokenRetries: 0 };
  const named = `${AUTH}/oauth2/token`;

  it.each([
    ['a 503', () => nock(AUTH).post('/oauth2/token').query(true).reply(503), `Token endpoint ${named} answered 503`],
    [
      'a connection error',
      () =>
        nock(AUTH)
          .post('/oauth2/token')
          .query(true)
          .replyWithError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })),
      `Token endpoint ${named} could not be reached: ECONNREFUSED`,
    ],
    [
      'a redirect',
      () => nock(AUTH).post('/oauth2/token').query(true).reply(302, '', { location: 'https://elsewhere.test/' }),
      `Token endpoint ${named} answered 302 with a redirect`,
    ],
    [
      'a 200 without a token',
      () => nock(AUTH).post('/oauth2/token').query(true).reply(200, { token_type: 'Bearer' }),
      `Token endpoint ${named} returned an invalid token response: access_token is missing`,
    ],
    [
      'an unreadable 200',
      () => nock(AUTH).post('/oauth2/token').query(true).reply(200, '<html>'),
      `Token endpoint ${named} returned an invalid token response: the body is not JSON`,
    ],
    [
      'invalid_client',
      () => nock(AUTH).post('/oauth2/token').query(true).reply(401, { error: 'invalid_client' }),
      `Token request to ${named} rejected with 401 invalid_client. check clientId and clientSecret`,
    ],
  ])('%s: origin and path only', async (_name, arm, message) => {
    arm();
    const error = await failure(attach(configured).getAccessToken());
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).not.toMatch(/tenant|\?/);
  });

  it('a deadline reached while the endpoint had not answered', async () => {
    nock(AUTH).post('/oauth2/token').query(true).delay(2_000).reply(200, ok);
    const error = await failure(attach({ ...configured, tokenTimeoutMs: 200 }).getAccessToken());
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_TIMEOUT' });
    expect(
      error.message.startsWith(
        `Token acquisition did not finish before its deadline (tokenTimeoutMs), waiting for ${named}.`,
      ),
    ).toBe(true);
    expect(error.message).not.toMatch(/tenant|\?/);
  });

  it('blames the URL, not the secret, for a 404 and a 405', async () => {
    for (const status of [404, 405]) {
      nock(BASE).post(TOKEN).reply(status, '<html>not here</html>', { 'content-type': 'text/html' });
      const error = await failure(attach().getAccessToken());
      expect(error).toMatchObject({ code: 'TOKEN_REQUEST_REJECTED', status });
      expect(error.message).toMatch(
        new RegExp(
          `^Token request to ${BASE}${TOKEN} rejected with ${status}\\. the URL, not the secret, is the likely problem: .*set tokenUrl`,
        ),
      );
    }
  });

  it("blames the URL for a 401 without an OAuth error from a path that is not a token endpoint's (the API's own 401)", async () => {
    nock(BASE)
      .post('/api/v1/payments')
      .reply(401, { error: { code: 'NO_TOKEN', message: 'missing bearer' } });
    const error = await failure(attach({ tokenUrl: `${BASE}/api/v1/payments` }).getAccessToken());
    expect(error).toMatchObject({ code: 'TOKEN_REQUEST_REJECTED', status: 401 });
    expect(error.message).toContain('the URL, not the secret, is the likely problem');
    // A framework's 401 body has an `error`, but not an OAuth error code.
    nock(BASE).post('/login').reply(401, { status: 401, error: 'Unauthorized', path: '/login' });
    const spring = await failure(attach({ tokenUrl: `${BASE}/login` }).getAccessToken());
    expect(spring).toMatchObject({ code: 'TOKEN_REQUEST_REJECTED', status: 401 });
    expect(spring.message).toContain('the URL, not the secret, is the likely problem');
  });

  it('keeps blaming the credentials for a 401 from a token endpoint, with or without an OAuth error', async () => {
    nock(BASE).post(TOKEN).reply(401, '');
    expect(await failure(attach().getAccessToken())).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401 });
    // invalid_client is the server speaking OAuth: the URL is right, whatever its path.
    nock(AUTH).post('/custom/grant').reply(401, { error: 'invalid_client' });
    const error = await failure(attach({ tokenUrl: `${AUTH}/custom/grant` }).getAccessToken());
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED' });
    expect(error.message).toContain('check clientId and clientSecret');
  });
});

describe('the default token URL', () => {
  it.each(['/api', '/api/v1/payments', '/api/v1'])(
    'is /api/v1/oauth2/token at the API root for a baseURL of %s',
    async (path) => {
      nock(BASE).post(TOKEN).reply(200, ok);
      const auth = attachPaymentAuth(axios.create({ baseURL: `${BASE}${path}` }), creds);
      await expect(auth.getAccessToken()).resolves.toBe('at-1');
      auth.detach();
    },
  );
});

describe('private_key_jwt rejections', () => {
  const signed = { clientId: 'client-1', clientAssertion: () => 'aGVhZGVy.cGF5bG9hZA.c2ln' };

  it.each([
    ['expire', 'the assertion does not expire soon enough'],
    ['expired', 'the assertion expired'],
  ])(
    'reads an invalid_client that says "%s" as a complaint about the assertion\'s times, and says so in the hint',
    async (_word, description) => {
      nock(BASE).post(TOKEN).once().reply(401, { error: 'invalid_client', error_description: description });
      const error = await failure(attach({ clientAuthMethod: 'private_key_jwt' }, signed).getAccessToken());
      const hint =
        "the server refused the assertion's times (clock offset in use +0 s): check this machine's clock (NTP), or set clockSkewMs";
      expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', hint });
      expect(error.message).toBe(
        `Token request to ${BASE}${TOKEN} rejected with 401 invalid_client (${description}). ${hint}`,
      );
    },
  );

  it('blames the key and audience, not the clock, for an invalid_client that names no time', async () => {
    nock(BASE).post(TOKEN).once().reply(401, { error: 'invalid_client', error_description: 'unknown key' });
    const error = await failure(attach({ clientAuthMethod: 'private_key_jwt' }, signed).getAccessToken());
    expect(error.hint).toBe(
      "check clientId, that the server has the public key of privateKey for this client (keyId, algorithm), and the assertion's audience (issuer or assertionAudience)",
    );
  });

  it('ends a token call whose clientAssertion signer has not answered with DETACHED at detach(), not as a signer timeout', async () => {
    let signerCalled!: () => void;
    const called = new Promise<void>((resolve) => (signerCalled = resolve));
    const outcomes: unknown[] = [];
    const telemetry: PaymentAuthOptions['telemetry'] = {
      // `run` rejects with the error the call broke off with: what a span records.
      traceTokenCall: (_info, run) => {
        const result = run();
        result.catch((error: unknown) => outcomes.push((error as { code?: unknown }).code));
        return result;
      },
      recordTokenOutcome: () => undefined,
      recordUnauthorized: () => undefined,
      recordRetry: () => undefined,
      recordIdempotencyKey: () => undefined,
      observeExpiry: () => () => undefined,
    };
    const auth = attach(
      { clientAuthMethod: 'private_key_jwt', telemetry },
      {
        clientId: 'client-1',
        clientAssertion: () => {
          signerCalled();
          return new Promise<string>(() => undefined); // a signer that never answers
        },
      },
    );
    const pending = failure(auth.getAccessToken());
    await called;
    auth.detach();
    expect((await pending).code).toBe('DETACHED');
    expect(outcomes).toEqual(['DETACHED']);
  });
});

describe('errors that quote the token response', () => {
  it('quotes an unknown token_type, cleaned of the client secret', async () => {
    nock(BASE).post(TOKEN).once().reply(200, { access_token: 'at-1', token_type: 'mac', expires_in: 900 });
    expect((await failure(attach().getAccessToken())).message).toBe(
      `Token endpoint ${BASE}${TOKEN} returned an invalid token response: token_type "mac" is not Bearer. check that tokenUrl points at an OAuth 2.0 token endpoint`,
    );
    nock(BASE).post(TOKEN).once().reply(200, { access_token: 'at-1', token_type: 'canary-secret-8f3a' });
    const echoed = await failure(attach().getAccessToken());
    expect(echoed.message).toContain('token_type "[REDACTED]" is not Bearer.');
  });
});

describe('a transport failure with a code that is not a string', () => {
  it('is named a network error, not by its code', async () => {
    nock(BASE)
      .post(TOKEN)
      .once()
      .replyWithError(Object.assign(new Error('failed'), { code: 42 }));
    const error = await failure(attach({ tokenRetries: 0 }).getAccessToken());
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE' });
    expect(error.message).toBe(
      `Token endpoint ${BASE}${TOKEN} could not be reached: network error. check the network path to the token endpoint`,
    );
  });
});
