import { createHash, generateKeyPairSync, randomUUID, webcrypto } from 'node:crypto';
import axios, { type AxiosInstance } from 'axios';
import { calculateJwkThumbprint, decodeJwt, exportJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import nock from 'nock';
import {
  attachPaymentAuth,
  type CredentialsInput,
  MemoryTokenStore,
  type DpopKeyOptions,
  type PaymentAuth,
  type PaymentAuthOptions,
} from '../../src';
import {
  startDpopResourceServer,
  type DpopResourceServer,
  type ResourceRequest,
} from '../_helpers/dpop-resource-server';
import {
  startOidcProvider,
  stopAllOidcProviders,
  type OidcProvider,
  type TokenRequestRecord,
} from '../_helpers/oidc-provider';
import { findLeaks } from '../_helpers/leaks';
import { authFailure } from '../_helpers/rejection';
import { startRecordingServer } from '../_helpers/servers';

// Interoperability of DPoP (RFC 9449) with panva's oidc-provider, run as a child process on
// 127.0.0.1 with its DPoP feature on, server nonces included: the package proves possession of its key
// to the provider's token endpoint, gets tokens bound to that key (`token_type: DPoP`, `cnf.jkt`),
// and sends them with a proof for each request to a resource server that checks everything
// RFC 9449 §7 asks of one (dpop-resource-server.ts). The provider logs every token call before it
// answers it, so the tests count exactly what it received.

// Real sockets: nock must not stand between the package and the servers.
beforeAll(() => nock.restore());
afterAll(() => stopAllOidcProviders());

/** The audience of the provider's access tokens (oidc-provider-server.mjs's default resource). */
const RESOURCE = 'https://api.example';
const SECRET = 'dpop-interop-secret-1';
const BASIC: CredentialsInput = { clientId: 'shop', clientSecret: SECRET };

const sha256 = (text: string): string => createHash('sha256').update(text, 'ascii').digest('base64url');
const thumbprintOf = (jwk: unknown): Promise<string> => calculateJwkThumbprint(jwk as JWK, 'sha256');
/** Every `jti` of these proofs. */
const jtisOf = (proofs: ({ payload: Record<string, unknown> } | undefined)[]): unknown[] =>
  proofs.map((proof) => proof?.payload.jti);

/**
 * One oidc-provider with DPoP (`dpop`: its config; undefined: oidc-provider's defaults), and a
 * resource server that takes its tokens, for a describe (`sameOrigin`: the resource server serves
 * the provider too, on its own origin). Each test's attachments are detached after it, and its
 * token calls and API requests are its own.
 */
function dpopSetUp(
  dpop: { requireNonce?: boolean } | undefined,
  clients: Parameters<typeof startOidcProvider>[0]['clients'],
  sameOrigin = false,
) {
  const env = {} as {
    provider: OidcProvider;
    rs: DpopResourceServer;
    /** The token calls the provider received during this test, in order. */
    tokenCalls(): Promise<TokenRequestRecord[]>;
    /** Attaches the package to a new instance whose baseURL is the resource server. */
    attach(
      credentials: CredentialsInput,
      options?: PaymentAuthOptions,
      baseURL?: string,
    ): { instance: AxiosInstance; auth: PaymentAuth };
  };
  let mark = 0;
  const attached: PaymentAuth[] = [];
  beforeAll(async () => {
    env.provider = await startOidcProvider({ ...(dpop ? { dpop } : {}), clients });
    env.rs = await startDpopResourceServer({
      issuer: env.provider.issuer,
      audience: RESOURCE,
      sameOriginAuthorizationServer: sameOrigin,
    });
  });
  afterAll(() => env.rs?.close());
  beforeEach(async () => {
    mark = (await env.provider.tokenRequests()).length;
    env.rs.requests.length = 0;
  });
  afterEach(() => {
    for (const auth of attached.splice(0)) auth.detach();
    env.rs.requireNonce(false);
    env.rs.refuseEveryNonce(false);
    env.rs.refuseAllTokens(false);
  });
  env.tokenCalls = async () => (await env.provider.tokenRequests()).slice(mark);
  env.attach = (credentials, options = {}, baseURL = env.rs.url) => {
    const instance = axios.create({ baseURL });
    const auth = attachPaymentAuth(instance, credentials, {
      tokenUrl: sameOrigin ? `${env.rs.origin}/token` : env.provider.tokenUrl,
      refreshUrl: false,
      retry: false,
      dpop: true,
      ...options,
    });
    attached.push(auth);
    return { instance, auth };
  };
  return env;
}

/** [method, status, DPoP challenge error, the nonce the proof carried] of each API request. */
const outcomes = (requests: ResourceRequest[]): unknown[][] =>
  requests.map((r) => [r.method, r.status, r.error, r.proof?.payload.nonce]);

describe('oidc-provider with DPoP: tokens bound to the key of the proofs', () => {
  const env = dpopSetUp({}, [
    { client_id: 'shop', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
  ]);

  test('client_secret_basic, dpop: true: a DPoP token, bound to the key that signs every proof, taken by the API', async () => {
    const { instance, auth } = env.attach(BASIC);
    const response = await instance.get('/payments?status=open', { params: { limit: 10 } });
    expect(response.status).toBe(200);
    const token = await auth.getAccessToken();

    const calls = await env.tokenCalls();
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call).toMatchObject({ clientId: 'shop', grantType: 'client_credentials', status: 200, tokenType: 'DPoP' });
    expect(call?.proof?.header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    expect(call?.proof?.payload).toMatchObject({ htm: 'POST', htu: env.provider.tokenUrl });
    expect(call?.proof?.payload.ath).toBeUndefined();

    expect(env.rs.requests).toHaveLength(1);
    const [request] = env.rs.requests;
    expect(request).toMatchObject({ status: 200, method: 'GET', url: '/api/v1/payments?status=open&limit=10' });
    expect(request?.authorization).toBe(`DPoP ${token}`);
    // htu is the URL without its query (RFC 9449 §4.2); ath the hash of this token.
    expect(request?.proof?.payload).toMatchObject({ htm: 'GET', htu: `${env.rs.url}/payments`, ath: sha256(token) });
    expect(Object.keys(request?.proof?.payload ?? {}).sort()).toEqual(['ath', 'htm', 'htu', 'iat', 'jti']);
    expect(Math.abs(Number(request?.proof?.payload.iat) - Date.now() / 1000)).toBeLessThan(5);

    const jkt = await thumbprintOf(request?.proof?.header.jwk);
    expect(await thumbprintOf(call?.proof?.header.jwk)).toBe(jkt);
    // Signed by the provider (the resource server verified it with its JWKS) and bound to that key.
    expect(request?.claims).toMatchObject({ iss: env.provider.issuer, client_id: 'shop', aud: RESOURCE, cnf: { jkt } });
    expect(jtisOf([call?.proof, request?.proof])).toEqual([expect.any(String), expect.any(String)]);
    expect(call?.proof?.payload.jti).not.toBe(request?.proof?.payload.jti);
  });

  test('a Bearer client (no dpop option) of the same provider still gets a Bearer token, sent as Bearer', async () => {
    const api = await startRecordingServer();
    try {
      const { instance, auth } = env.attach(BASIC, { dpop: undefined }, api.url);
      await instance.get('/payments');
      const token = await auth.getAccessToken();
      const calls = await env.tokenCalls();
      expect(calls).toEqual([expect.objectContaining({ status: 200, tokenType: 'Bearer' })]);
      expect(calls[0]?.proof).toBeUndefined();
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${token}`);
      expect(api.requests[0]?.headers.dpop).toBeUndefined();
      expect(decodeJwt(token).cnf).toBeUndefined();
      // And the DPoP resource server takes no Bearer token.
      const refused = await axios.get(`${env.rs.url}/payments`, {
        headers: { Authorization: `Bearer ${token}` },
        validateStatus: () => true,
      });
      expect(refused.status).toBe(401);
    } finally {
      await api.close();
    }
  });

  test('a proof algorithm the provider does not take (ES384): TOKEN_REQUEST_REJECTED, one call, no key in the error', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwk = privateKey.export({ format: 'jwk' });
    const { instance } = env.attach(BASIC, { dpop: { privateKey: jwk } });
    const error = await authFailure(instance.get('/payments'));
    expect(error).toMatchObject({ code: 'TOKEN_REQUEST_REJECTED', status: 400, oauthError: 'invalid_dpop_proof' });
    expect(await env.tokenCalls()).toEqual([
      expect.objectContaining({
        status: 400,
        error: 'invalid_dpop_proof',
        proof: expect.objectContaining({ header: expect.objectContaining({ alg: 'ES384' }) }),
      }),
    ]);
    expect(env.rs.requests).toHaveLength(0);
    expect(findLeaks(error, [jwk.d as string])).toEqual([]);
  });

  test('a shared token store: an attachment with another key gets its own token, one with the same key shares it', async () => {
    const store = new MemoryTokenStore();
    const [one, other] = await Promise.all([callerKeys('ES256'), callerKeys('ES256')]);
    const a = env.attach(BASIC, { store, dpop: one.jwk.option });
    const b = env.attach(BASIC, { store, dpop: other.jwk.option });
    const c = env.attach(BASIC, { store, dpop: one.pem.option });
    for (const { instance } of [a, b, c]) expect((await instance.get('/payments')).status).toBe(200);
    const tokens = await Promise.all([a, b, c].map(({ auth }) => auth.getAccessToken()));
    expect(tokens[0]).not.toBe(tokens[1]);
    expect(tokens[2]).toBe(tokens[0]);
    expect(await env.tokenCalls()).toHaveLength(2);
    expect(env.rs.requests.map((r) => [r.status, r.claims?.cnf])).toEqual([
      [200, { jkt: one.jwk.jkt }],
      [200, { jkt: other.jwk.jkt }],
      [200, { jkt: one.jwk.jkt }],
    ]);
  });

  test('control: the resource server refuses what RFC 9449 §7 forbids', async () => {
    // The checks the other tests rely on: a resource server that took anything would prove nothing.
    const { privateKey, publicKey } = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ]);
    const jwk = await exportJWK(publicKey as CryptoKey);
    const { auth } = env.attach(BASIC, { dpop: { privateKey: await exportJWK(privateKey as CryptoKey) } });
    const token = await auth.getAccessToken();
    const url = `${env.rs.url}/payments`;
    const proof = (claims: Record<string, unknown> = {}, key = privateKey as CryptoKey, header = { jwk }) =>
      new SignJWT({
        jti: randomUUID(),
        htm: 'GET',
        htu: url,
        iat: Math.floor(Date.now() / 1000),
        ath: sha256(token),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', ...header })
        .sign(key);
    const call = async (headers: Record<string, string>) =>
      (await axios.get(url, { headers, validateStatus: () => true })).status;
    const dpop = `DPoP ${token}`;

    const valid = await proof();
    expect(await call({ Authorization: dpop, DPoP: valid })).toBe(200);
    expect(await call({ Authorization: dpop, DPoP: valid })).toBe(401); // the same jti
    expect(await call({ Authorization: `Bearer ${token}`, DPoP: await proof() })).toBe(401);
    expect(await call({ Authorization: dpop })).toBe(401);
    expect(await call({ Authorization: dpop, DPoP: await proof({ htu: `${url}?limit=1` }) })).toBe(401);
    expect(await call({ Authorization: dpop, DPoP: await proof({ htm: 'POST' }) })).toBe(401);
    expect(await call({ Authorization: dpop, DPoP: await proof({ ath: sha256(`${token}x`) }) })).toBe(401);
    expect(await call({ Authorization: dpop, DPoP: await proof({ iat: Math.floor(Date.now() / 1000) - 120 }) })).toBe(
      401,
    );
    const other = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const otherJwk = await exportJWK(other.publicKey as CryptoKey);
    expect(
      await call({ Authorization: dpop, DPoP: await proof({}, other.privateKey as CryptoKey, { jwk: otherJwk }) }),
    ).toBe(401);
    env.rs.requireNonce(true);
    expect(await call({ Authorization: dpop, DPoP: await proof() })).toBe(401);
    expect(outcomes(env.rs.requests).map(([, status, error]) => [status, error])).toEqual([
      [200, undefined],
      [401, 'invalid_dpop_proof'],
      [401, undefined],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_dpop_proof'],
      [401, 'invalid_token'],
      [401, 'use_dpop_nonce'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// The caller's key: each algorithm, in each form the option takes.

type Alg = 'ES256' | 'PS256' | 'EdDSA';
const ALGS: readonly Alg[] = ['ES256', 'PS256', 'EdDSA'];
type KeyForm = 'jwk' | 'pem' | 'cryptoKeyPair';
const FORMS: readonly KeyForm[] = ['jwk', 'pem', 'cryptoKeyPair'];

/** A Web Crypto key pair of `alg`, its private half not extractable. */
async function webCryptoPair(alg: Alg): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const usages: webcrypto.KeyUsage[] = ['sign', 'verify'];
  const pair =
    alg === 'ES256'
      ? await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, usages)
      : alg === 'PS256'
        ? await webcrypto.subtle.generateKey(
            { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
            false,
            usages,
          )
        : await webcrypto.subtle.generateKey({ name: 'Ed25519' }, false, usages);
  return pair as { privateKey: CryptoKey; publicKey: CryptoKey };
}

interface CallerKey {
  option: DpopKeyOptions;
  /** RFC 7638 thumbprint of its public key. */
  jkt: string;
}

/** A key of `alg` in each form: JWK and PEM of one node:crypto key, and a Web Crypto pair. */
async function callerKeys(alg: Alg): Promise<Record<KeyForm, CallerKey>> {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jkt = await thumbprintOf(publicKey.export({ format: 'jwk' }));
  // A non-extractable private half: the pair's public half is what the proofs carry.
  const pair = await webCryptoPair(alg);
  // An RSA key signs RS256 unless told otherwise.
  const algorithm = alg === 'PS256' ? { algorithm: 'PS256' as const } : {};
  return {
    jwk: { option: { privateKey: privateKey.export({ format: 'jwk' }), ...algorithm }, jkt },
    pem: { option: { privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), ...algorithm }, jkt },
    cryptoKeyPair: {
      option: { privateKey: pair, ...algorithm },
      jkt: await thumbprintOf(await exportJWK(pair.publicKey)),
    },
  };
}

describe('oidc-provider with DPoP: the caller’s key (ES256, PS256, EdDSA; JWK, PEM, CryptoKeyPair)', () => {
  const keys = {} as Record<Alg, Record<KeyForm, CallerKey>>;
  const env = dpopSetUp({}, [
    { client_id: 'shop', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
  ]);
  beforeAll(async () => {
    for (const alg of ALGS) keys[alg] = await callerKeys(alg);
  });

  const CASES = ALGS.flatMap((alg) => FORMS.map((form) => [alg, form] as const));

  test.each(CASES)(
    '%s, the key as %s: token and API proofs signed with it, the token bound to it',
    async (alg, form) => {
      const key = keys[alg][form];
      const { instance, auth } = env.attach(BASIC, { dpop: key.option });
      await instance.post('/payments', { amount: 1000 });
      const token = await auth.getAccessToken();

      const calls = await env.tokenCalls();
      expect(calls).toEqual([expect.objectContaining({ status: 200, tokenType: 'DPoP' })]);
      expect(calls[0]?.proof?.header).toMatchObject({ alg, typ: 'dpop+jwt' });
      expect(await thumbprintOf(calls[0]?.proof?.header.jwk)).toBe(key.jkt);
      expect(env.rs.requests).toHaveLength(1);
      const [request] = env.rs.requests;
      expect(request).toMatchObject({ status: 200, authorization: `DPoP ${token}`, claims: { cnf: { jkt: key.jkt } } });
      expect(request?.proof?.header).toMatchObject({ alg, typ: 'dpop+jwt' });
      expect(request?.proof?.payload).toMatchObject({ htm: 'POST', ath: sha256(token) });
      // Only the public members: a proof's key never carries private ones (RFC 9449 §4.2).
      for (const jwk of [calls[0]?.proof?.header.jwk, request?.proof?.header.jwk])
        expect(Object.keys(jwk as object).sort()).toEqual(
          alg === 'ES256' ? ['crv', 'kty', 'x', 'y'] : alg === 'EdDSA' ? ['crv', 'kty', 'x'] : ['e', 'kty', 'n'],
        );
    },
  );
});

// ---------------------------------------------------------------------------------------------
// private_key_jwt authenticates, DPoP binds the token.

describe('oidc-provider with DPoP and private_key_jwt', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const env = dpopSetUp({}, [
    {
      client_id: 'shop:pkjwt',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'assertion-1', use: 'sig' }] },
      // The provider refuses this client a token without a proof.
      dpop_bound_access_tokens: true,
    },
  ]);

  test('the assertion authenticates, the proof binds: a DPoP token for the DPoP key, not the assertion key', async () => {
    const { instance, auth } = env.attach(
      {
        clientId: 'shop:pkjwt',
        privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        keyId: 'assertion-1',
      },
      { issuer: env.provider.issuer, tokenParams: { resource: RESOURCE } },
    );
    expect((await instance.get('/payments')).status).toBe(200);
    const token = await auth.getAccessToken();
    const calls = await env.tokenCalls();
    expect(calls).toEqual([expect.objectContaining({ clientId: 'shop:pkjwt', status: 200, tokenType: 'DPoP' })]);
    const jkt = await thumbprintOf(calls[0]?.proof?.header.jwk);
    expect(jkt).not.toBe(await thumbprintOf(publicKey.export({ format: 'jwk' })));
    expect(env.rs.requests).toEqual([
      expect.objectContaining({
        status: 200,
        authorization: `DPoP ${token}`,
        claims: expect.objectContaining({ cnf: { jkt } }),
      }),
    ]);
    expect(await thumbprintOf(env.rs.requests[0]?.proof?.header.jwk)).toBe(jkt);
  });
});

// ---------------------------------------------------------------------------------------------
// Nonces (RFC 9449 §8, §9), and a token the API refuses.

describe('oidc-provider with DPoP: nonces of the resource server, and a token it refuses', () => {
  const env = dpopSetUp({}, [
    { client_id: 'shop', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
  ]);

  test.each([
    ['retries off', { retry: false }],
    ['the default retries', {}],
  ] as const)(
    '%s: the first call is refused for a nonce and sent again once with it; a rotation later costs one request more',
    async (_retries, retry) => {
      env.rs.requireNonce(true);
      const first = env.rs.rotateNonce();
      const { instance, auth } = env.attach(BASIC, { retry: undefined, ...retry });

      expect((await instance.get('/payments')).status).toBe(200);
      expect(outcomes(env.rs.requests)).toEqual([
        ['GET', 401, 'use_dpop_nonce', undefined],
        ['GET', 200, undefined, first],
      ]);
      // The nonce is learned: the next call carries it at once.
      expect((await instance.get('/payments')).status).toBe(200);
      expect(outcomes(env.rs.requests.slice(2))).toEqual([['GET', 200, undefined, first]]);

      const second = env.rs.rotateNonce();
      const posted = await instance.post('/payments', { amount: 1000, currency: 'EUR' });
      expect(posted.status).toBe(200);
      expect(posted.data).toMatchObject({ status: 'created', request: { amount: 1000, currency: 'EUR' } });
      expect(outcomes(env.rs.requests.slice(3))).toEqual([
        ['POST', 401, 'use_dpop_nonce', first],
        ['POST', 200, undefined, second],
      ]);
      expect(env.rs.requests[3]?.body).toBe(env.rs.requests[4]?.body);

      // A nonce is not a reason to renew the token: one token call, one token throughout.
      const token = await auth.getAccessToken();
      expect(await env.tokenCalls()).toHaveLength(1);
      expect(new Set(env.rs.requests.map((r) => r.authorization))).toEqual(new Set([`DPoP ${token}`]));
      const jtis = jtisOf(env.rs.requests.map((r) => r.proof));
      expect(new Set(jtis).size).toBe(jtis.length);
    },
  );

  test('a 503 retried by the default retries: each attempt with a new proof of its own', async () => {
    const { instance, auth } = env.attach(BASIC, { retry: undefined });
    env.rs.failNext(2);
    expect((await instance.get('/payments')).status).toBe(200);
    const token = await auth.getAccessToken();
    expect(env.rs.requests.map((r) => [r.status, r.authorization])).toEqual([
      [503, `DPoP ${token}`],
      [503, `DPoP ${token}`],
      [200, `DPoP ${token}`],
    ]);
    const jtis = jtisOf(env.rs.requests.map((r) => r.proof));
    expect(jtis).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    expect(new Set(jtis).size).toBe(3);
    expect(await env.tokenCalls()).toHaveLength(1);
  });

  test('a nonce the API gives in an answer is used by the next call: a rotation with notice costs no request', async () => {
    env.rs.requireNonce(true);
    const first = env.rs.rotateNonce();
    const { instance } = env.attach(BASIC);
    await instance.get('/payments');
    const second = env.rs.rotateNonce({ keepPrevious: true });
    await instance.get('/payments'); // still takes the first, and gives the second
    await instance.get('/payments');
    expect(outcomes(env.rs.requests)).toEqual([
      ['GET', 401, 'use_dpop_nonce', undefined],
      ['GET', 200, undefined, first],
      ['GET', 200, undefined, first],
      ['GET', 200, undefined, second],
    ]);
  });

  test('an API that wants a new nonce every time: the call is sent again once, then its 401 goes back to the caller', async () => {
    env.rs.requireNonce(true);
    const { instance } = env.attach(BASIC);
    await instance.get('/payments');
    env.rs.refuseEveryNonce(true);
    env.rs.requests.length = 0;
    const error = await instance.get('/payments').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(outcomes(env.rs.requests).map(([method, status, reason]) => [method, status, reason])).toEqual([
      ['GET', 401, 'use_dpop_nonce'],
      ['GET', 401, 'use_dpop_nonce'],
    ]);
    // Each time with the nonce it was last given; a nonce is never a reason to renew the token.
    expect(env.rs.requests[1]?.proof?.payload.nonce).not.toBe(env.rs.requests[0]?.proof?.payload.nonce);
    expect(await env.tokenCalls()).toHaveLength(1);
  });

  test('concurrent calls refused for a nonce: each sent again once, every proof with its own jti', async () => {
    env.rs.requireNonce(true);
    const nonce = env.rs.rotateNonce();
    const { instance } = env.attach(BASIC);
    // The five wait on one token call, then make their proofs together, before any answer: none
    // has the nonce, each is refused once and sent again with it.
    const responses = await Promise.all([1, 2, 3, 4, 5].map((n) => instance.get('/payments', { params: { n } })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await env.tokenCalls()).toHaveLength(1);
    for (const n of [1, 2, 3, 4, 5])
      expect(outcomes(env.rs.requests.filter((r) => r.url.endsWith(`?n=${n}`)))).toEqual([
        ['GET', 401, 'use_dpop_nonce', undefined],
        ['GET', 200, undefined, nonce],
      ]);
    const jtis = jtisOf(env.rs.requests.map((r) => r.proof));
    expect(jtis).toHaveLength(10);
    expect(new Set(jtis).size).toBe(10);
  });

  test('a token the API refuses (invalid_token) is renewed, and the request replayed once with a new proof', async () => {
    const { instance, auth } = env.attach(BASIC);
    expect((await instance.get('/payments')).status).toBe(200);
    const revoked = await auth.getAccessToken();
    env.rs.revoke(revoked);

    const response = await instance.post('/payments', { amount: 5 });
    expect(response.status).toBe(200);
    const renewed = await auth.getAccessToken();
    expect(renewed).not.toBe(revoked);
    expect(env.rs.requests.map((r) => [r.method, r.status, r.error, r.authorization])).toEqual([
      ['GET', 200, undefined, `DPoP ${revoked}`],
      ['POST', 401, 'invalid_token', `DPoP ${revoked}`],
      ['POST', 200, undefined, `DPoP ${renewed}`],
    ]);
    expect(env.rs.requests[2]?.proof?.payload.ath).toBe(sha256(renewed));
    expect(env.rs.requests[2]?.body).toBe(env.rs.requests[1]?.body);
    const calls = await env.tokenCalls();
    expect(calls.map((c) => [c.status, c.tokenType])).toEqual([
      [200, 'DPoP'],
      [200, 'DPoP'],
    ]);
    // The same key throughout: both tokens are bound to it.
    const jkt = env.rs.requests[0]?.claims?.cnf;
    expect(env.rs.requests[2]?.claims?.cnf).toEqual(jkt);
    const jtis = jtisOf([...calls.map((c) => c.proof), ...env.rs.requests.map((r) => r.proof)]);
    expect(new Set(jtis).size).toBe(5);
  });

  test('a token the API keeps refusing: one renewal, one replay, then the 401 goes back to the caller', async () => {
    const { instance } = env.attach(BASIC);
    env.rs.refuseAllTokens(true);
    const error = await instance.get('/payments').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
    expect(outcomes(env.rs.requests)).toEqual([
      ['GET', 401, 'invalid_token', undefined],
      ['GET', 401, 'invalid_token', undefined],
    ]);
    expect(await env.tokenCalls()).toHaveLength(2);
    expect(env.rs.requests[0]?.authorization).not.toBe(env.rs.requests[1]?.authorization);
  });

  test('a refused token and a new nonce at once: renewed, replayed, sent again for the nonce; no jti twice', async () => {
    env.rs.requireNonce(true);
    const first = env.rs.rotateNonce();
    const { instance, auth } = env.attach(BASIC);
    expect((await instance.get('/payments')).status).toBe(200);
    const revoked = await auth.getAccessToken();
    env.rs.revoke(revoked);
    const second = env.rs.rotateNonce();

    expect((await instance.post('/payments', { amount: 7 })).status).toBe(200);
    const renewed = await auth.getAccessToken();
    expect(env.rs.requests.map((r) => [...outcomes([r])[0]!, r.authorization])).toEqual([
      ['GET', 401, 'use_dpop_nonce', undefined, `DPoP ${revoked}`],
      ['GET', 200, undefined, first, `DPoP ${revoked}`],
      // The resource server checks the token before the nonce.
      ['POST', 401, 'invalid_token', first, `DPoP ${revoked}`],
      ['POST', 401, 'use_dpop_nonce', first, `DPoP ${renewed}`],
      ['POST', 200, undefined, second, `DPoP ${renewed}`],
    ]);
    const calls = await env.tokenCalls();
    expect(calls).toHaveLength(2);
    const jtis = jtisOf([...calls.map((c) => c.proof), ...env.rs.requests.map((r) => r.proof)]);
    expect(jtis).toHaveLength(7);
    expect(new Set(jtis).size).toBe(7);
  });
});

describe('oidc-provider requiring DPoP nonces at its token endpoint', () => {
  const assertionKey = generateKeyPairSync('ed25519');
  const env = dpopSetUp({ requireNonce: true }, [
    { client_id: 'shop', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
    {
      client_id: 'shop:pkjwt',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...assertionKey.publicKey.export({ format: 'jwk' }), kid: 'assertion-1', use: 'sig' }] },
    },
  ]);

  test('the first token call is refused (use_dpop_nonce) and sent again once with the nonce: two token calls', async () => {
    const { instance, auth } = env.attach(BASIC);
    expect((await instance.get('/payments')).status).toBe(200);
    const token = await auth.getAccessToken();

    const calls = await env.tokenCalls();
    expect(calls.map((c) => [c.status, c.error, c.tokenType, c.proof?.payload.nonce])).toEqual([
      [400, 'use_dpop_nonce', undefined, undefined],
      [200, undefined, 'DPoP', calls[0]?.dpopNonce],
    ]);
    expect(calls[0]?.dpopNonce).toEqual(expect.any(String));
    expect(calls[0]?.proof?.payload.jti).not.toBe(calls[1]?.proof?.payload.jti);
    // The provider's nonce is the provider's: the API's proof carries none.
    expect(outcomes(env.rs.requests)).toEqual([['GET', 200, undefined, undefined]]);
    expect(env.rs.requests[0]?.authorization).toBe(`DPoP ${token}`);
  });

  test('the nonce is remembered: the next token call carries it at once', async () => {
    const { instance, auth } = env.attach(BASIC);
    await instance.get('/payments');
    auth.invalidate();
    await instance.get('/payments');
    const calls = await env.tokenCalls();
    expect(calls.map((c) => [c.status, c.error])).toEqual([
      [400, 'use_dpop_nonce'],
      [200, undefined],
      [200, undefined],
    ]);
    expect(calls[2]?.proof?.payload.nonce).toEqual(expect.any(String));
    expect(env.rs.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  test('private_key_jwt: the call sent again for the nonce carries a new assertion too (the provider takes each once)', async () => {
    const { instance } = env.attach(
      { clientId: 'shop:pkjwt', privateKey: assertionKey.privateKey, keyId: 'assertion-1' },
      { issuer: env.provider.issuer },
    );
    expect((await instance.get('/payments')).status).toBe(200);
    const calls = await env.tokenCalls();
    expect(calls.map((c) => [c.clientId, c.status, c.error])).toEqual([
      ['shop:pkjwt', 400, 'use_dpop_nonce'],
      ['shop:pkjwt', 200, undefined],
    ]);
    expect(calls[0]?.assertion?.payload.jti).toEqual(expect.any(String));
    expect(calls[1]?.assertion?.payload.jti).not.toBe(calls[0]?.assertion?.payload.jti);
    expect(calls[1]?.proof?.payload.nonce).toBe(calls[0]?.dpopNonce);
  });
});

// ---------------------------------------------------------------------------------------------
// The token endpoint and the API on one origin (one host serving both, as the sandbox does).
// RFC 9449 §9: "the nonces provided by an authorization server and a resource server are
// different and should not be confused with one another, since nonces will be only accepted by
// the server that issued them."

describe('oidc-provider (DPoP without nonces, its defaults) and a resource server with nonces, on one origin', () => {
  const env = dpopSetUp(
    undefined,
    [{ client_id: 'shop', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' }],
    true,
  );

  test('the API’s nonce never goes to the token endpoint: a renewal still gets a token', async () => {
    env.rs.requireNonce(true);
    const nonce = env.rs.rotateNonce();
    const { instance, auth } = env.attach(BASIC);
    expect((await instance.get('/payments')).status).toBe(200);
    auth.invalidate(); // as when the token expires
    const second = await instance.get('/payments').then(
      (r) => r.status,
      (e: unknown) => e,
    );
    const calls = await env.tokenCalls();
    expect(calls.map((c) => [c.status, c.error, c.proof?.payload.nonce])).toEqual([
      [200, undefined, undefined],
      [200, undefined, undefined],
    ]);
    expect(second).toBe(200);
    expect(outcomes(env.rs.requests)).toEqual([
      ['GET', 401, 'use_dpop_nonce', undefined],
      ['GET', 200, undefined, nonce],
      ['GET', 200, undefined, nonce],
    ]);
  });
});

describe('oidc-provider with DPoP nonces and a resource server with nonces, on one origin', () => {
  const env = dpopSetUp(
    {},
    [{ client_id: 'shop', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' }],
    true,
  );

  test('each server gets its own nonce: a renewal costs no refused call at either', async () => {
    env.rs.requireNonce(true);
    const nonce = env.rs.rotateNonce();
    const { instance, auth } = env.attach(BASIC);
    expect((await instance.get('/payments')).status).toBe(200);
    auth.invalidate();
    expect((await instance.get('/payments')).status).toBe(200);
    const calls = await env.tokenCalls();
    // The provider gives a nonce with each token; it is not required, so the first call has none.
    expect(calls.map((c) => [c.status, c.error])).toEqual([
      [200, undefined],
      [200, undefined],
    ]);
    expect(calls[1]?.proof?.payload.nonce).toBe(calls[0]?.dpopNonce);
    // The API's first proof carries no nonce: the provider's is not the API's.
    expect(outcomes(env.rs.requests)).toEqual([
      ['GET', 401, 'use_dpop_nonce', undefined],
      ['GET', 200, undefined, nonce],
      ['GET', 200, undefined, nonce],
    ]);
  });
});
