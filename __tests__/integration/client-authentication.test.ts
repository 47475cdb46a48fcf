import axios, { type AxiosInstance } from 'axios';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { SignJWT } from 'jose';
import { attachPaymentAuth, isPaymentAuthError, type PaymentAuth, type PaymentAuthOptions } from '../../src';
import { startPaymentSandbox, type PaymentSandbox, type PaymentSandboxOptions } from '../../src/testing';
import { testCerts, testKeyPair, type TestKeyPair } from '../_helpers/certs';
import { expectNoLeaks } from '../_helpers/leaks';
import { startRecordingServer } from '../_helpers/servers';

const CLIENT = 'client-jwt';
const now = Date.parse('2026-12-01T10:00:00Z');
let sandbox: PaymentSandbox;
let auth: PaymentAuth | undefined;
const logged: unknown[][] = [];
const log = (...args: unknown[]) => void logged.push(args);
const logger = { debug: log, info: log, warn: log, error: log };

afterEach(async () => {
  auth?.detach();
  auth = undefined;
  logged.length = 0;
  await sandbox?.close();
});

async function attach(
  credentials: Parameters<typeof attachPaymentAuth>[1],
  options: PaymentAuthOptions = {},
  api: AxiosInstance = axios.create({ baseURL: `${sandbox.url}/api/v1` }),
): Promise<AxiosInstance> {
  auth = attachPaymentAuth(api, credentials, { clock: () => now, logger, tokenRetries: 1, ...options });
  return api;
}

describe('private_key_jwt against the sandbox', () => {
  let es256: TestKeyPair;
  let other: TestKeyPair;
  beforeAll(async () => {
    es256 = await testKeyPair('ES256');
    other = await testKeyPair('ES256');
  });
  const start = async (options: PaymentSandboxOptions = {}) => {
    sandbox = await startPaymentSandbox({
      now: () => now,
      clientAuth: 'private_key_jwt',
      credentials: { clientId: CLIENT, jwks: { keys: [es256.publicJwk] } },
      ...options,
    });
  };

  it('authenticates token and refresh calls with a new assertion each, aud the issuer', async () => {
    await start();
    const api = await attach({ clientId: CLIENT, privateKey: es256.privateJwk }, { issuer: sandbox.issuer });
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    sandbox.revokeAccessTokens();
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 }); // 401, refresh, replay
    const assertions = sandbox.assertions();
    expect(sandbox.requests.filter((r) => r.route === 'token' || r.route === 'refresh').map((r) => r.route)).toEqual([
      'token',
      'refresh',
    ]);
    expect(assertions).toHaveLength(2);
    for (const { header, claims } of assertions) {
      expect(header).toMatchObject({ alg: 'ES256', kid: es256.kid });
      expect(claims).toMatchObject({ iss: CLIENT, sub: CLIENT, aud: sandbox.issuer, iat: Math.floor(now / 1000) });
      expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    }
    expect(assertions[0]!.claims.jti).not.toBe(assertions[1]!.claims.jti);
  });

  it('uses the token URL as audience without issuer, and a new assertion for every retry', async () => {
    await start();
    sandbox.injectFault('token', { status: 503 });
    const api = await attach({ clientId: CLIENT, privateKey: es256.privatePem, keyId: es256.kid });
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    const assertions = sandbox.assertions();
    // The 503 answered before verification: one verified assertion, but two distinct ones were sent.
    expect(assertions.map((a) => a.claims.aud)).toEqual([sandbox.tokenUrl]);
    expect(sandbox.counters().tokenCalls).toBe(2);
  });

  it('takes assertions from a clientAssertion callback, signed elsewhere', async () => {
    await start();
    const seen: unknown[] = [];
    const api = await attach(
      {
        clientId: CLIENT,
        clientAssertion: async (claims) => {
          seen.push(claims);
          return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: es256.kid }).sign(es256.privateKey);
        },
      },
      { issuer: sandbox.issuer },
    );
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(seen).toEqual([expect.objectContaining({ iss: CLIENT, aud: sandbox.issuer })]);
  });

  it.each([
    ['behind', 120_000],
    ['ahead', -120_000],
  ])("recovers once when this clock is %s the server's: the offset learned from Date", async (_, offset) => {
    await start({ clockOffsetMs: offset });
    const api = await attach({ clientId: CLIENT, privateKey: es256.privateJwk });
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(sandbox.requests.filter((r) => r.route === 'token').map((r) => r.status)).toEqual([401, 200]);
    const [accepted] = sandbox.assertions();
    expect(Math.abs((accepted!.claims.iat as number) * 1000 - (now + offset))).toBeLessThanOrEqual(2000);
    // Learned: the next acquisition is right the first time.
    auth!.invalidate();
    sandbox.revokeRefreshTokens();
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(sandbox.requests.filter((r) => r.route === 'token').map((r) => r.status)).toEqual([401, 200, 200]);
  });

  it('uses clockSkewMs as given, and says so when the offset is beyond what is learned', async () => {
    await start({ clockOffsetMs: 30 * 60_000 });
    let api = await attach({ clientId: CLIENT, privateKey: es256.privateJwk }, { clockSkewMs: 30 * 60_000 });
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    auth!.detach();
    api = await attach({ clientId: CLIENT, privateKey: es256.privateJwk });
    const error = await api.get('/payments').catch((e: unknown) => e);
    expect(isPaymentAuthError(error) && error.code).toBe('CREDENTIALS_REJECTED');
    expect(isPaymentAuthError(error) && error.hint).toMatch(/\+30 min off this clock.*clockSkewMs/);
    expect(sandbox.requests.filter((r) => r.route === 'token')).toHaveLength(2); // one each: no loop
  });

  it('reports a wrong key or audience with a hint, and never the key or an assertion', async () => {
    await start();
    let api = await attach({ clientId: CLIENT, privateKey: other.privatePem });
    const wrongKey = await api.get('/payments').catch((e: unknown) => e);
    expect(wrongKey).toMatchObject({ code: 'CREDENTIALS_REJECTED', hint: expect.stringMatching(/public key/) });
    auth!.detach();
    api = await attach({ clientId: CLIENT, privateKey: es256.privateJwk }, { assertionAudience: 'https://else' });
    const wrongAudience = await api.get('/payments').catch((e: unknown) => e);
    expect(wrongAudience).toMatchObject({ code: 'CREDENTIALS_REJECTED', message: expect.stringMatching(/audience/) });
    const pemBody = other.privatePem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const canaries = [other.privatePem, pemBody, other.privateJwk.d!, es256.privateJwk.d!];
    for (const error of [wrongKey, wrongAudience]) {
      expectNoLeaks(inspect(error, { depth: 10, showHidden: true }), canaries);
      expectNoLeaks(JSON.stringify(error), canaries);
    }
    expectNoLeaks({ logged, status: auth!.status() }, canaries);
  });

  it('cleans an echoed piece of an assertion (its signature) out of errors, logs and status()', async () => {
    let signature = '';
    const echo = await startRecordingServer('127.0.0.1', (req, res) => {
      const jws = new URLSearchParams(req.body).get('client_assertion') ?? '';
      signature = jws.split('.')[2]!;
      res.writeHead(401, { 'Content-Type': 'application/json' });
      // A server that quotes the end of what it was sent: the JWS cut, its signature whole.
      res.end(JSON.stringify({ error: 'invalid_client', error_description: `bad: ${req.body.slice(-120)}` }));
    });
    try {
      const api = axios.create({ baseURL: echo.url });
      auth = attachPaymentAuth(api, { clientId: CLIENT, privateKey: es256.privateJwk }, { logger, tokenRetries: 0 });
      const error = await auth.getAccessToken().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED' });
      expect(signature.length).toBeGreaterThan(80);
      for (const text of [
        inspect(error, { depth: 10, showHidden: true }),
        JSON.stringify(error),
        JSON.stringify(logged),
        JSON.stringify(auth.status()),
      ])
        expect(text).not.toContain(signature);
    } finally {
      await echo.close();
    }
  });

  it('a signer that does not answer is named as such, and is no outage for the breaker', async () => {
    await start();
    const api = await attach(
      { clientId: CLIENT, clientAssertion: () => new Promise<string>(() => undefined) },
      { tokenTimeoutMs: 100, breaker: { failureThreshold: 1 } },
    );
    for (let i = 0; i < 2; i++)
      await expect(api.get('/payments')).rejects.toMatchObject({
        code: 'TOKEN_ENDPOINT_TIMEOUT',
        message: expect.stringMatching(/waiting for the clientAssertion signer\./),
      });
    expect(auth!.status().breaker.state).toBe('closed');
    expect(sandbox.counters().tokenCalls).toBe(0);
  });

  it('pauses a rejected signer from a provider as it pauses a rejected secret (a new closure each time)', async () => {
    await start();
    const api = await attach(
      () => ({
        clientId: CLIENT,
        clientAssertion: (claims) =>
          new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: other.kid }).sign(other.privateKey),
      }),
      { clientAuthMethod: 'private_key_jwt', tokenRetries: 0 },
    );
    for (let i = 0; i < 5; i++)
      await expect(api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_REJECTED' });
    // Two rejections in a row start the pause: the other three fail at once, without a call.
    expect(sandbox.counters().tokenCalls).toBe(2);
  });

  it('fails clearly, before any call, for a key that cannot sign', async () => {
    await start();
    const api = await attach({ clientId: CLIENT, privateKey: es256.publicJwk as never });
    await expect(api.get('/payments')).rejects.toMatchObject({ code: 'CREDENTIALS_MISSING' });
    expect(sandbox.counters().tokenCalls).toBe(0);
  });
});

describe('mutual TLS against the sandbox', () => {
  const certs = testCerts();
  const tls = { ca: certs.ca.cert, key: certs.client.key, cert: certs.client.cert };

  const start = (options: PaymentSandboxOptions) =>
    startPaymentSandbox({
      now: () => now,
      tls: { cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert },
      ...options,
    }).then((s) => (sandbox = s));
  /** The sandbox with tls_client_auth and the default client, CN=client-1. */
  const startTlsClientAuth = () =>
    start({
      clientAuth: 'tls_client_auth',
      credentials: { clientId: 'client-1', tlsClientAuthSubjectDn: 'CN=client-1' },
    });

  it('tls_client_auth: token and API calls present the same certificate, and detach gives the agent back', async () => {
    await startTlsClientAuth();
    const api = await attach({ clientId: 'client-1' }, { clientAuthMethod: 'tls_client_auth', tls });
    expect(api.defaults.httpsAgent).toBeDefined();
    await expect(api.post('/payments', { amount: 1 })).resolves.toMatchObject({ status: 201 });
    expect(sandbox.requests.map((r) => [r.route, r.status, r.clientAuth])).toEqual([
      ['token', 200, 'tls'],
      ['api', 201, undefined],
    ]);
    // The token is bound to the certificate: without it the API refuses it.
    const token = await auth!.getAccessToken();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`${sandbox.url}/api/v1/payments`, {
        ca: certs.ca.cert,
        headers: { Authorization: `Bearer ${token}` },
      });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(401);
    auth!.detach();
    expect(api.defaults.httpsAgent).toBeUndefined();
  });

  it("keeps the tls option's key and passphrase out of an API call's AxiosError (its config carries the agent)", async () => {
    await startTlsClientAuth();
    const { createPrivateKey } = await import('node:crypto');
    const passphrase = 'tls-key-passphrase-canary';
    const key = createPrivateKey(certs.client.key).export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase,
    }) as string;
    const api = await attach(
      { clientId: 'client-1' },
      { clientAuthMethod: 'tls_client_auth', tls: { ...tls, key, passphrase } },
    );
    sandbox.injectFault('api', { status: 400 });
    const error = await api.get('/payments').catch((e: unknown) => e);
    expect(axios.isAxiosError(error) && error.response?.status).toBe(400);
    const body = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const canaries = [passphrase, body(key), ...key.split('\n').filter((l) => l.length > 40)];
    expectNoLeaks(inspect(error, { depth: 10, showHidden: true }), canaries);
    expectNoLeaks(JSON.stringify(error), canaries);
  });

  it('self_signed_tls_client_auth with the certificate of the instance agent', async () => {
    await start({
      clientAuth: 'self_signed_tls_client_auth',
      credentials: { clientId: 'client-self', certificate: certs.selfSigned.cert },
    });
    const { Agent } = await import('node:https');
    const api = axios.create({
      baseURL: `${sandbox.url}/api/v1`,
      httpsAgent: new Agent({ ca: certs.ca.cert, cert: certs.selfSigned.cert, key: certs.selfSigned.key }),
    });
    await attach({ clientId: 'client-self' }, { clientAuthMethod: 'self_signed_tls_client_auth' }, api);
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
  });

  it('refuses configurations in which API calls would go out without the certificate', async () => {
    await startTlsClientAuth();
    const { Agent } = await import('node:https');
    const base = { baseURL: `${sandbox.url}/api/v1` };
    const options = { clientAuthMethod: 'tls_client_auth' as const };
    expect(() => attachPaymentAuth(axios.create(base), { clientId: 'client-1' }, options)).toThrow(
      /needs a client certificate/,
    );
    expect(() =>
      attachPaymentAuth(
        axios.create({ ...base, httpsAgent: new Agent({ ca: certs.ca.cert }) }),
        { clientId: 'client-1' },
        { ...options, tls },
      ),
    ).toThrow(/does not present the certificate/);
    expect(() =>
      attachPaymentAuth(axios.create({ ...base, adapter: 'fetch' }), { clientId: 'client-1' }, { ...options, tls }),
    ).toThrow(/fetch adapter/);
    expect(() =>
      attachPaymentAuth(axios.create(base), { clientId: 'client-1', clientSecret: 's' }, { ...options, tls }),
    ).toThrow(/hold clientSecret/);
    const api = await attach({ clientId: 'client-1' }, { ...options, tls });
    await expect(api.get('/payments', { httpsAgent: new Agent({ ca: certs.ca.cert }) })).rejects.toThrow(
      /does not present the attachment's client certificate/,
    );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses at attach a tls option no handshake could use', async () => {
    await startTlsClientAuth();
    const base = { baseURL: `${sandbox.url}/api/v1` };
    const options = { clientAuthMethod: 'tls_client_auth' as const };
    for (const wrong of [
      { ...tls, key: certs.otherClient.key }, // not the certificate's key
      { ...tls, cert: certs.client.key, key: certs.client.cert }, // swapped
    ])
      expect(() => attachPaymentAuth(axios.create(base), { clientId: 'client-1' }, { ...options, tls: wrong })).toThrow(
        /certificate and key of the tls option cannot be used \(ERR_OSSL_/,
      );
    expect(sandbox.requests).toHaveLength(0);
  });

  it('takes the certificate of an agent made with a PKCS#12 bundle or a list of certificates', async () => {
    await startTlsClientAuth();
    const { Agent } = await import('node:https');
    const { createSecureContext } = await import('node:tls');
    const secureContext = createSecureContext({ cert: certs.client.cert, key: certs.client.key, ca: certs.ca.cert });
    const viaContext = axios.create({ baseURL: `${sandbox.url}/api/v1`, httpsAgent: new Agent({ secureContext }) });
    await attach({ clientId: 'client-1' }, { clientAuthMethod: 'tls_client_auth' }, viaContext);
    await expect(viaContext.get('/payments')).resolves.toMatchObject({ status: 200 });
    auth!.detach();
    const listed = axios.create({
      baseURL: `${sandbox.url}/api/v1`,
      httpsAgent: new Agent({ ca: certs.ca.cert, cert: [certs.client.cert], key: certs.client.key }),
    });
    await attach({ clientId: 'client-1' }, { clientAuthMethod: 'tls_client_auth', tls }, listed);
    await expect(listed.get('/payments')).resolves.toMatchObject({ status: 200 });
  });

  it('refuses an http: API call, which cannot present the certificate its token is bound to', async () => {
    await startTlsClientAuth();
    const api = axios.create({ baseURL: `http://127.0.0.1:${new URL(sandbox.url).port}/api/v1` });
    await attach(
      { clientId: 'client-1' },
      { clientAuthMethod: 'tls_client_auth', tls, tokenUrl: sandbox.tokenUrl, refreshUrl: false },
      api,
    );
    await expect(api.get('/payments')).rejects.toThrow(/not https:, so it cannot present a client certificate/);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('compares the certificate an agent presents, whatever its form (PKCS#12, CRLF, a chain)', async () => {
    await startTlsClientAuth();
    const { Agent } = await import('node:https');
    const dir = mkdtempSync(join(tmpdir(), 'p12-'));
    let pfx: Buffer;
    try {
      writeFileSync(join(dir, 'c.crt'), certs.client.cert);
      writeFileSync(join(dir, 'c.key'), certs.client.key);
      execFileSync(
        'openssl',
        ['pkcs12', '-export', '-in', 'c.crt', '-inkey', 'c.key', '-passout', 'pass:p12-pass', '-out', 'c.p12'],
        {
          cwd: dir,
          stdio: 'pipe',
        },
      );
      pfx = readFileSync(join(dir, 'c.p12'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const agents = [
      new Agent({ ca: certs.ca.cert, pfx, passphrase: 'p12-pass' }),
      new Agent({ ca: certs.ca.cert, cert: certs.client.cert.replace(/\n/g, '\r\n'), key: certs.client.key }),
      new Agent({ ca: certs.ca.cert, cert: certs.client.cert + certs.ca.cert, key: certs.client.key }),
    ];
    for (const httpsAgent of agents) {
      const api = axios.create({ baseURL: `${sandbox.url}/api/v1`, httpsAgent });
      await attach({ clientId: 'client-1' }, { clientAuthMethod: 'tls_client_auth', tls }, api);
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
      auth!.detach();
    }
  });

  it('refuses an instance agent whose key material cannot be used, or that presents no certificate', async () => {
    await startTlsClientAuth();
    const { Agent } = await import('node:https');
    const { createSecureContext } = await import('node:tls');
    const options = { clientAuthMethod: 'tls_client_auth' as const };
    const with_ = (httpsAgent: object) => axios.create({ baseURL: `${sandbox.url}/api/v1`, httpsAgent });
    expect(() =>
      attachPaymentAuth(
        with_(new Agent({ cert: certs.client.cert, key: certs.otherClient.key })),
        { clientId: 'client-1' },
        options,
      ),
    ).toThrow(/instance's httpsAgent cannot be used \(ERR_OSSL_/);
    for (const none of [
      new Agent({ secureContext: createSecureContext({ ca: certs.ca.cert }) }),
      new Agent({ ca: certs.ca.cert, cert: certs.client.cert }), // no key: no certificate goes out
    ])
      expect(() => attachPaymentAuth(with_(none), { clientId: 'client-1' }, options)).toThrow(
        /needs a client certificate/,
      );
    expect(sandbox.requests).toHaveLength(0);
  });

  it("refuses a request whose own agent presents another certificate than the instance agent's", async () => {
    await startTlsClientAuth();
    const { Agent } = await import('node:https');
    const api = axios.create({
      baseURL: `${sandbox.url}/api/v1`,
      httpsAgent: new Agent({ ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key }),
    });
    await attach({ clientId: 'client-1' }, { clientAuthMethod: 'tls_client_auth' }, api);
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    const other = new Agent({ ca: certs.ca.cert, cert: certs.otherClient.cert, key: certs.otherClient.key });
    await expect(api.get('/payments', { httpsAgent: other })).rejects.toThrow(
      /does not present the attachment's client certificate/,
    );
    const same = new Agent({ ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key });
    await expect(api.get('/payments', { httpsAgent: same })).resolves.toMatchObject({ status: 200 });
  });

  it('a server certificate this client does not trust: named so, and no outage for the breaker', async () => {
    await startTlsClientAuth();
    const api = await attach(
      { clientId: 'client-1' },
      {
        clientAuthMethod: 'tls_client_auth',
        tls: { cert: certs.client.cert, key: certs.client.key },
        breaker: { failureThreshold: 1 },
      },
    );
    for (let i = 0; i < 3; i++)
      await expect(api.get('/payments')).rejects.toMatchObject({
        code: 'TOKEN_ENDPOINT_UNAVAILABLE',
        message: expect.stringMatching(/certificate is not trusted here/),
        hint: expect.stringMatching(/CA of the token endpoint's certificate/),
      });
    expect(auth!.status().breaker.state).toBe('closed');
  });

  it('reports a certificate the server does not know as rejected credentials, with a hint', async () => {
    await startTlsClientAuth();
    const api = await attach(
      { clientId: 'client-1' },
      {
        clientAuthMethod: 'tls_client_auth',
        tls: { ...tls, cert: certs.otherClient.cert, key: certs.otherClient.key },
      },
    );
    await expect(api.get('/payments')).rejects.toMatchObject({
      code: 'CREDENTIALS_REJECTED',
      hint: expect.stringMatching(/client certificate/),
    });
  });
});

describe('hints for what the server missed', () => {
  it('a secret sent where the server wants a certificate: the hint names mutual TLS', async () => {
    const certs = testCerts();
    sandbox = await startPaymentSandbox({
      now: () => now,
      clientAuth: 'tls_client_auth',
      tls: { cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert },
      credentials: { clientId: 'client-1', tlsClientAuthSubjectDn: 'CN=client-1' },
    });
    const { Agent } = await import('node:https');
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1`, httpsAgent: new Agent({ ca: certs.ca.cert }) });
    await attach({ clientId: 'client-1', clientSecret: 'not-what-it-wants' }, {}, api);
    await expect(api.get('/payments')).rejects.toMatchObject({
      code: 'CREDENTIALS_REJECTED',
      hint: expect.stringMatching(/asks for a client certificate.*tls_client_auth/),
    });
  });

  it('an expired assertion from a signer elsewhere: the hint speaks of the times', async () => {
    const key = await testKeyPair('ES256');
    sandbox = await startPaymentSandbox({
      now: () => now,
      clientAuth: 'private_key_jwt',
      credentials: { clientId: CLIENT, jwks: { keys: [key.publicJwk] } },
    });
    const api = await attach({
      clientId: CLIENT,
      // A signer with a stale cache: its assertion expired an hour ago.
      clientAssertion: (claims) =>
        new SignJWT({ ...claims, iat: claims.iat - 3600, exp: claims.exp - 3600 })
          .setProtectedHeader({ alg: 'ES256', kid: key.kid })
          .sign(key.privateKey),
    });
    await expect(api.get('/payments')).rejects.toMatchObject({
      code: 'CREDENTIALS_REJECTED',
      message: expect.stringMatching(/expired/),
      hint: expect.stringMatching(/refused the assertion's times/),
    });
    expect(sandbox.counters().tokenCalls).toBe(1); // the clock did not change: no second try
  });
});

describe('client authentication options', () => {
  const base = { baseURL: 'https://api.example' };
  it.each([
    [{ clockSkewMs: 1.5 }, /clockSkewMs must be an integer/],
    [{ clockSkewMs: null }, /clockSkewMs/],
    [{ clockSkewMs: 1e12 }, /clockSkewMs/],
    [{ issuer: '' }, /issuer/],
    [{ issuer: 'as\nexample' }, /issuer/],
    [{ issuer: 'not a url' }, /issuer must be a URL/],
    [{ assertionAudience: 0 }, /assertionAudience/],
    [{ clientAuthMethod: 'client_secret_jwt' }, /clientAuthMethod must be one of/],
    [{ tls: null }, /tls must be an object/],
    [{ tls: { cert: 'x', key: 'y' } }, /tls.cert must be PEM/],
    [
      { tls: { cert: '-----BEGIN CERTIFICATE-----', key: '-----BEGIN PRIVATE KEY-----', pin: 1 } },
      /unknown tls option pin/,
    ],
  ])('refuses %p', (options, message) => {
    expect(() =>
      attachPaymentAuth(
        axios.create(base),
        { clientId: 'c', privateKey: { kty: 'EC', d: 'x' } },
        options as PaymentAuthOptions,
      ),
    ).toThrow(message);
  });

  it.each([
    [
      { clientId: 'c', clientSecret: 's', privateKey: { kty: 'EC', d: 'x' } },
      { clientAuthMethod: 'private_key_jwt' },
      /hold clientSecret/,
    ],
    [{ clientId: 'c', privateKey: 'not a pem' }, {}, /not a PEM private key/],
    [
      { clientId: 'c', privateKey: null },
      { clientAuthMethod: 'private_key_jwt' },
      /privateKey must be a private JWK, a PEM string, a KeyObject or a CryptoKey, got null/,
    ],
    [{ clientId: 'c', privateKey: { kty: 'EC', d: 'x' }, algorithm: 'HS256' }, {}, /algorithm must be one of/],
    [{ clientId: 'c', privateKey: { kty: 'EC', d: 'x' }, keyId: '' }, {}, /keyId is empty/],
    [{ clientId: 'c', clientAssertion: 'jws' }, {}, /clientAssertion must be a function/],
    [{ clientId: 'c', clientSecret: 's' }, { clockSkewMs: 1000 }, /for private_key_jwt, not client_secret_basic/],
    [
      { clientId: 'c', privateKey: { kty: 'EC', d: 'x' } },
      { clientAuthMethod: 'client_secret_post' },
      /credentials hold privateKey but clientAuthMethod is client_secret_post/,
    ],
  ])('refuses credentials %p with %p', (credentials, options, message) => {
    expect(() => attachPaymentAuth(axios.create(base), credentials as never, options as PaymentAuthOptions)).toThrow(
      message,
    );
  });

  it.each([
    [{ clientId: 'c', clientAssertion: (): string => 'a.b.c', algorithm: 'PS256' }, /hold algorithm/],
    [{ clientId: 'c', clientAssertion: (): string => 'a.b.c', keyId: 'k' }, /hold keyId/],
    [{ clientId: 'c', clientSecret: 's', keyId: 'k' }, /hold keyId/],
    [{ clientId: 'c', clientSecret: 's', algorithm: 'ES256' }, /hold algorithm/],
  ])('refuses fields the method never sends: %p', (credentials, message) => {
    expect(() => attachPaymentAuth(axios.create(base), credentials as never)).toThrow(message);
  });

  it('tells a provider that returns a private key to name the method', async () => {
    const api = axios.create({ baseURL: 'http://127.0.0.1:1' });
    const auth = attachPaymentAuth(api, async () => ({ clientId: 'c', privateKey: { kty: 'EC', d: 'x' } }) as never);
    await expect(auth.getAccessToken()).rejects.toMatchObject({
      code: 'CREDENTIALS_MISSING',
      message: expect.stringMatching(/set clientAuthMethod: 'private_key_jwt'/),
      hint: expect.not.stringMatching(/clientSecret/),
    });
    auth.detach();
  });

  it('refuses mutual TLS to an http: token URL', () => {
    expect(() =>
      attachPaymentAuth(
        axios.create({ baseURL: 'http://127.0.0.1:1' }),
        { clientId: 'c' },
        { clientAuthMethod: 'tls_client_auth' },
      ),
    ).toThrow(/needs an https: token URL/);
  });
});
