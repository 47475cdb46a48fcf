import axios from 'axios';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { SignJWT } from 'jose';
import nock from 'nock';
import { startPaymentSandbox, type PaymentSandbox, type PaymentSandboxOptions } from '../../src/testing';
import { testCerts, testKeyPair, type CertAndKey, type TestKeyAlg, type TestKeyPair } from '../_helpers/certs';

const START = Date.parse('2026-11-28T12:00:00Z');
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_PATH = '/api/v1/oauth2/token';
const REFRESH_PATH = '/api/v1/oauth2/refresh';
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

// Real sockets: nock must not stand between the client certificates and the sandbox.
beforeAll(() => nock.restore());

let now = START;
let sandbox: PaymentSandbox;
afterEach(async () => {
  await sandbox?.close();
  now = START;
});

async function start(options: PaymentSandboxOptions): Promise<PaymentSandbox> {
  sandbox = await startPaymentSandbox({ now: () => now, ...options });
  return sandbox;
}

interface CallOptions {
  form?: Record<string, string>;
  json?: Record<string, string>;
  bearer?: string;
  headers?: Record<string, string>;
  /** The client certificate of the connection (a fresh connection per call). */
  cert?: CertAndKey;
  method?: 'GET' | 'POST';
}

/** One call to the sandbox on a fresh connection, with the test CA trusted for https. */
async function call(path: string, options: CallOptions = {}) {
  const body = options.form ? new URLSearchParams(options.form).toString() : options.json;
  const response = await axios.request({
    url: `${sandbox.url}${path}`,
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    data: body,
    headers: {
      ...(options.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...(options.bearer ? { Authorization: `Bearer ${options.bearer}` } : {}),
      ...options.headers,
    },
    httpsAgent: new Agent({
      ca: testCerts().ca.cert,
      ...(options.cert ? { cert: options.cert.cert, key: options.cert.key } : {}),
    }),
    proxy: false,
    validateStatus: () => true,
  });
  return {
    status: response.status,
    headers: response.headers,
    data: response.data as Record<string, unknown> & { error?: unknown; error_description?: string },
  };
}

describe('private_key_jwt (RFC 7523)', () => {
  const CLIENT = 'client-jwt';
  const keys = new Map<TestKeyAlg, TestKeyPair>();
  beforeAll(async () => {
    for (const alg of ALGORITHMS) keys.set(alg, await testKeyPair(alg));
  });
  const key = (alg: TestKeyAlg = 'ES256'): TestKeyPair => keys.get(alg)!;
  const startJwt = (options: PaymentSandboxOptions = {}) =>
    start({
      clientAuth: 'private_key_jwt',
      credentials: { clientId: CLIENT, jwks: { keys: [...keys.values()].map((k) => k.publicJwk) } },
      ...options,
    });

  /** A signed assertion, valid now unless `claims` (undefined removes a claim) or `header` say otherwise. */
  function sign(
    signer: TestKeyPair,
    claims: Record<string, unknown> = {},
    header: Record<string, unknown> = {},
    at = now,
  ): Promise<string> {
    const iat = Math.floor(at / 1000);
    const payload = { iss: CLIENT, sub: CLIENT, aud: sandbox.issuer, iat, exp: iat + 60, jti: randomUUID(), ...claims };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'JWT', ...header })
      .sign(signer.privateKey);
  }
  const tokenCall = (assertion: string, extra: Record<string, string> = {}) =>
    call(TOKEN_PATH, {
      form: {
        grant_type: 'client_credentials',
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: assertion,
        ...extra,
      },
    });

  it.each(ALGORITHMS)('accepts a valid %s assertion', async (alg) => {
    await startJwt();
    const r = await tokenCall(await sign(key(alg)));
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ token_type: 'Bearer', access_token: expect.stringMatching(/^at_/) });
    expect((await call('/api/v1/payments', { bearer: r.data.access_token as string })).status).toBe(200);
    expect(sandbox.requests[0]).toMatchObject({ route: 'token', clientAuth: 'private_key_jwt', clientId: CLIENT });
    expect(sandbox.assertions()).toEqual([
      {
        header: { alg, kid: key(alg).kid, typ: 'JWT' },
        claims: expect.objectContaining({ iss: CLIENT, sub: CLIENT, aud: sandbox.issuer }),
      },
    ]);
  });

  it('accepts the token endpoint or the issuer in an aud array, a JSON body, a matching client_id, and no kid', async () => {
    await startJwt();
    const viaArray = await tokenCall(await sign(key(), { aud: ['https://elsewhere.test', sandbox.tokenUrl] }));
    const viaJson = await call(TOKEN_PATH, {
      json: {
        grant_type: 'client_credentials',
        client_id: CLIENT,
        client_assertion_type: ASSERTION_TYPE,
        client_assertion: await sign(key('RS256')),
      },
    });
    // No kid: the sandbox tries every registered key.
    const noKid = await tokenCall(await sign(key('EdDSA'), {}, { kid: undefined }));
    expect([viaArray.status, viaJson.status, noKid.status]).toEqual([200, 200, 200]);
    expect(sandbox.tokenUrl).toBe(`${sandbox.url}${TOKEN_PATH}`);
    expect(sandbox.issuer).toBe(sandbox.url);
  });

  it('authenticates refresh calls with an assertion whose aud may be the refresh endpoint', async () => {
    await startJwt();
    const { refresh_token } = (await tokenCall(await sign(key()))).data as { refresh_token: string };
    const refresh = (assertion?: string) =>
      call(REFRESH_PATH, {
        form: {
          grant_type: 'refresh_token',
          refresh_token,
          ...(assertion ? { client_assertion_type: ASSERTION_TYPE, client_assertion: assertion } : {}),
        },
      });
    expect((await refresh(await sign(key(), { aud: `${sandbox.url}${REFRESH_PATH}` }))).status).toBe(200);
    expect(await refresh()).toMatchObject({
      status: 401,
      data: { error: 'invalid_client', error_description: 'client assertion missing' },
    });
  });

  it.each<[string, () => Promise<Record<string, string>>, string | RegExp]>([
    [
      'signed with an unregistered key',
      async () => ({ client_assertion: await sign({ ...(await testKeyPair('ES256')), kid: key().kid }) }),
      'client assertion signature does not verify',
    ],
    [
      'another audience',
      async () => ({ client_assertion: await sign(key(), { aud: 'https://api.example.test' }) }),
      /^client assertion audience not accepted/,
    ],
    [
      'for the issuer with a trailing slash',
      async () => ({ client_assertion: await sign(key(), { aud: `${sandbox.issuer}/` }) }),
      /^client assertion audience not accepted/,
    ],
    [
      'for the refresh endpoint, sent to the token endpoint',
      async () => ({ client_assertion: await sign(key(), { aud: `${sandbox.url}${REFRESH_PATH}` }) }),
      /^client assertion audience not accepted/,
    ],
    [
      'expired',
      async () => ({ client_assertion: await sign(key(), {}, {}, now - 120_000) }),
      "client assertion expired (exp is in the past by the server's clock)",
    ],
    [
      'issued in the future',
      async () => ({ client_assertion: await sign(key(), {}, {}, now + 60_000) }),
      "client assertion issued in the future (iat is after the server's clock)",
    ],
    [
      'valid for more than 300 s',
      async () => ({ client_assertion: await sign(key(), { exp: Math.floor(now / 1000) + 301 }) }),
      /^client assertion lifetime too long/,
    ],
    ['without jti', async () => ({ client_assertion: await sign(key(), { jti: undefined }) }), /has no jti/],
    ['without exp', async () => ({ client_assertion: await sign(key(), { exp: undefined }) }), /has no exp/],
    ['without iat', async () => ({ client_assertion: await sign(key(), { iat: undefined }) }), /has no iat/],
    [
      'with iss other than sub',
      async () => ({ client_assertion: await sign(key(), { iss: 'someone-else' }) }),
      /iss and sub must both be the client id/,
    ],
    [
      'for an unknown client',
      async () => ({ client_assertion: await sign(key(), { sub: 'nobody' }) }),
      'unknown client',
    ],
    [
      'with a client_id other than its sub',
      async () => ({ client_assertion: await sign(key()), client_id: 'other' }),
      /client_id does not match/,
    ],
    ['missing', async () => ({ client_assertion: '' }), 'client assertion missing'],
    [
      'of another assertion type',
      async () => ({ client_assertion: await sign(key()), client_assertion_type: 'urn:other' }),
      /^client_assertion_type must be/,
    ],
    [
      'signed with an algorithm not accepted (HS256)',
      async () => ({
        client_assertion: await new SignJWT({ iss: CLIENT, sub: CLIENT, aud: sandbox.issuer })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new Uint8Array(32)),
      }),
      /^client assertion algorithm not accepted/,
    ],
    ['not a JWT', async () => ({ client_assertion: 'a.b.c' }), /^client assertion malformed/],
  ])('refuses an assertion %s with 401 invalid_client', async (_name, fields, description) => {
    await startJwt();
    const r = await call(TOKEN_PATH, {
      form: { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, ...(await fields()) },
    });
    expect(r.status).toBe(401);
    expect(r.data.error).toBe('invalid_client');
    expect(r.data.error_description).toEqual(
      typeof description === 'string' ? description : expect.stringMatching(description),
    );
    expect(sandbox.assertions()).toEqual([]);
  });

  it('refuses a replayed jti, until the assertion has expired', async () => {
    await startJwt();
    const assertion = await sign(key(), { jti: 'once' });
    expect((await tokenCall(assertion)).status).toBe(200);
    expect((await tokenCall(assertion)).data).toEqual({
      error: 'invalid_client',
      error_description: 'client assertion replayed (jti seen before)',
    });
    expect((await tokenCall(await sign(key(), { jti: 'twice' }))).status).toBe(200);
    const jtis = sandbox.assertions().map((a) => a.claims.jti);
    expect(jtis).toEqual(['once', 'twice']);
    for (const { claims } of sandbox.assertions()) expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    // reset() clears the list, not the memory of seen jtis.
    sandbox.reset();
    expect(sandbox.assertions()).toEqual([]);
    expect((await tokenCall(await sign(key(), { jti: 'once' }))).data.error_description).toMatch(/replayed/);
    // Once the first assertion has expired (60 s, plus the 5 s leeway), its jti is forgotten.
    now += 66_000;
    expect((await tokenCall(await sign(key(), { jti: 'once' }))).status).toBe(200);
  });

  it('takes its https base URL as the issuer', async () => {
    const certs = testCerts();
    await startJwt({ tls: { cert: certs.server.cert, key: certs.server.key } });
    expect(sandbox.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await tokenCall(await sign(key()))).status).toBe(200);
    const http = sandbox.issuer.replace('https:', 'http:');
    expect((await tokenCall(await sign(key(), { aud: http }))).data.error_description).toMatch(/audience not accepted/);
  });

  it('refuses a client secret, in Basic or in the body', async () => {
    await startJwt({ credentials: { clientId: CLIENT, clientSecret: 's3cret', jwks: { keys: [key().publicJwk] } } });
    const basic = await call(TOKEN_PATH, {
      form: { grant_type: 'client_credentials' },
      headers: { Authorization: `Basic ${btoa(`${CLIENT}:s3cret`)}` },
    });
    const post = await call(TOKEN_PATH, {
      form: { grant_type: 'client_credentials', client_id: CLIENT, client_secret: 's3cret' },
    });
    for (const r of [basic, post])
      expect(r).toMatchObject({
        status: 401,
        data: { error: 'invalid_client', error_description: expect.stringMatching(/requires private_key_jwt/) },
      });
  });

  it('never records an assertion in the request log', async () => {
    await startJwt();
    const assertion = await sign(key());
    await tokenCall(assertion);
    const log = JSON.stringify(sandbox.requests);
    for (const part of assertion.split('.')) expect(log).not.toContain(part);
    expect(JSON.stringify(sandbox.assertions())).not.toContain(assertion.split('.')[2]);
  });

  it('judges time by its own clock, offset included, and sends that clock in the Date header', async () => {
    // The server's clock is two minutes behind the client's.
    await startJwt({ clockOffsetMs: -120_000 });
    const early = await tokenCall(await sign(key()));
    expect(early.data.error_description).toBe(
      "client assertion issued in the future (iat is after the server's clock)",
    );
    expect(Date.parse(early.headers.date as string)).toBe(START - 120_000);
    // An assertion made by the server's clock (read from Date) passes.
    const serverNow = Date.parse(early.headers.date as string);
    expect((await tokenCall(await sign(key(), {}, {}, serverNow))).status).toBe(200);
    await sandbox.close();

    // Ten minutes ahead: a fresh assertion has already expired.
    await startJwt({ clockOffsetMs: 600_000 });
    const late = await tokenCall(await sign(key()));
    expect(late.data.error_description).toBe("client assertion expired (exp is in the past by the server's clock)");
    expect(Date.parse(late.headers.date as string)).toBe(START + 600_000);
  });
});

describe('the Date header', () => {
  it("comes from the sandbox's clock (options.now), on every answer", async () => {
    await start({});
    for (const path of ['/api/v1/payments', '/nowhere']) {
      const r = await call(path);
      expect(r.headers.date).toBe(new Date(START).toUTCString());
    }
    now += 5000;
    expect((await call(TOKEN_PATH, { form: {} })).headers.date).toBe(new Date(START + 5000).toUTCString());
  });
});

describe('mutual TLS (RFC 8705)', () => {
  const certs = testCerts();
  const tls = { cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert };
  const tokenCall = (cert?: CertAndKey, form: Record<string, string> = { client_id: 'client-1' }) =>
    call(TOKEN_PATH, { form: { grant_type: 'client_credentials', ...form }, ...(cert ? { cert } : {}) });
  const refused = (description: string | RegExp) => ({
    status: 401,
    data: {
      error: 'invalid_client',
      error_description: typeof description === 'string' ? description : expect.stringMatching(description),
    },
  });

  describe('tls_client_auth', () => {
    beforeEach(() =>
      start({
        clientAuth: 'tls_client_auth',
        tls,
        credentials: { clientId: 'client-1', tlsClientAuthSubjectDn: 'CN=client-1' },
      }),
    );

    it('issues a token to a CA-signed certificate with the registered subject, over https', async () => {
      expect(sandbox.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(sandbox.tokenUrl).toBe(`${sandbox.url}${TOKEN_PATH}`);
      const r = await tokenCall(certs.client);
      expect(r.status).toBe(200);
      expect(sandbox.requests[0]).toMatchObject({ clientAuth: 'tls', clientId: 'client-1', status: 200 });
    });

    it.each<[string, CertAndKey | undefined, Record<string, string> | undefined, string | RegExp]>([
      ['no certificate', undefined, undefined, 'client certificate required'],
      [
        'a certificate with another subject',
        certs.otherClient,
        undefined,
        /^client certificate does not match the registered one/,
      ],
      [
        'a certificate from an untrusted CA',
        certs.untrustedClient,
        undefined,
        /^client certificate does not match the registered one/,
      ],
      [
        'a self-signed certificate',
        certs.selfSigned,
        undefined,
        /^client certificate does not match the registered one/,
      ],
      ['no client_id', certs.client, {}, /^client_id required/],
      ['an unknown client_id', certs.client, { client_id: 'nobody' }, 'unknown client'],
      ['a client secret', certs.client, { client_id: 'client-1', client_secret: 'x' }, /only mutual TLS/],
    ])('refuses %s', async (_name, cert, form, description) => {
      expect(await tokenCall(cert, form)).toMatchObject(refused(description));
    });

    it('binds the tokens it issues to the certificate: the API wants that certificate on the connection', async () => {
      const { access_token, refresh_token } = (await tokenCall(certs.client)).data as Record<string, string>;
      const bearer = access_token!;
      expect((await call('/api/v1/payments', { bearer, cert: certs.client })).status).toBe(200);
      for (const cert of [undefined, certs.otherClient, certs.untrustedClient]) {
        const r = await call('/api/v1/payments', { bearer, ...(cert ? { cert } : {}) });
        expect(r).toMatchObject({
          status: 401,
          data: { error: { code: 'INVALID_TOKEN', message: expect.stringMatching(/bound to a client certificate/) } },
        });
        expect(r.headers['www-authenticate']).toMatch(/invalid_token/);
      }
      // Refresh needs the certificate too, and binds the new access token to it.
      const form = { grant_type: 'refresh_token', refresh_token: refresh_token!, client_id: 'client-1' };
      expect(await call(REFRESH_PATH, { form })).toMatchObject(refused('client certificate required'));
      const refreshed = await call(REFRESH_PATH, { form, cert: certs.client });
      expect(refreshed.status).toBe(200);
      const renewed = refreshed.data.access_token as string;
      expect((await call('/api/v1/payments', { bearer: renewed })).status).toBe(401);
      expect((await call('/api/v1/payments', { bearer: renewed, cert: certs.client })).status).toBe(200);
    });
  });

  describe('self_signed_tls_client_auth', () => {
    beforeEach(() =>
      start({
        clientAuth: 'self_signed_tls_client_auth',
        tls: { cert: certs.server.cert, key: certs.server.key },
        credentials: { clientId: 'client-1', certificate: certs.selfSigned.cert },
      }),
    );

    it('issues a token bound to the registered certificate', async () => {
      const r = await tokenCall(certs.selfSigned);
      expect(r.status).toBe(200);
      const bearer = r.data.access_token as string;
      expect((await call('/api/v1/payments', { bearer, cert: certs.selfSigned })).status).toBe(200);
      expect((await call('/api/v1/payments', { bearer, cert: certs.otherSelfSigned })).status).toBe(401);
    });

    it.each<[string, CertAndKey | undefined, string | RegExp]>([
      ['no certificate', undefined, 'client certificate required'],
      [
        'another self-signed certificate with the same subject',
        certs.otherSelfSigned,
        /^client certificate does not match the registered one/,
      ],
      ['a CA-signed certificate', certs.client, /^client certificate does not match the registered one/],
    ])('refuses %s', async (_name, cert, description) => {
      expect(await tokenCall(cert)).toMatchObject(refused(description));
    });
  });

  it('serves client secrets over https too, without asking for a certificate', async () => {
    await start({ tls: { cert: certs.server.cert, key: certs.server.key } });
    const { clientId, clientSecret } = sandbox.credentials;
    const r = await tokenCall(undefined, { client_id: clientId, client_secret: clientSecret });
    expect(r.status).toBe(200);
    expect((await call('/api/v1/payments', { bearer: r.data.access_token as string })).status).toBe(200);
    expect(sandbox.requests[0]!.clientAuth).toBe('post');
  });

  it('refuses a TLS mode without tls, and an unknown mode', async () => {
    await expect(startPaymentSandbox({ clientAuth: 'tls_client_auth' })).rejects.toThrow(/needs tls/);
    await expect(startPaymentSandbox({ clientAuth: 'mtls' as never })).rejects.toThrow(/clientAuth must be one of/);
  });
});
