import { X509Certificate, createPublicKey, generateKeyPairSync, verify, webcrypto, type JsonWebKey } from 'node:crypto';
import { Agent, createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';
import axios from 'axios';
import { SignJWT, type CryptoKey } from 'jose';
import nock from 'nock';
import {
  attachPaymentAuth,
  type ClientAssertionClaims,
  type CredentialsInput,
  type PaymentAuthError,
  type PaymentAuthOptions,
} from '../../src';
import { testCerts, type TestCerts } from '../_helpers/certs';
import { findLeaks } from '../_helpers/leaks';
import {
  certificateJwk,
  certificateThumbprint,
  startOidcProvider,
  stopAllOidcProviders,
  type OidcProvider,
} from '../_helpers/oidc-provider';
import { authFailure } from '../_helpers/rejection';
import { startRecordingServer, type RecordingServer } from '../_helpers/servers';

// Interoperability with panva's oidc-provider (OpenID certified), run as a child process on
// 127.0.0.1: the package gets real tokens from a real authorization server, with each client
// authentication method, and sends them to a local API. The access tokens are JWTs (RFC 9068),
// signed by the provider: the tests check the signature against its JWKS, so the Bearer the API
// receives is the one the provider issued, for this client.

// Real sockets: nock must not stand between the package and the provider (or its TLS options).
beforeAll(() => nock.restore());

const RESOURCE = 'https://api.example';
/** Not URL-safe in any way oidc-provider accepts (VSCHAR, %x20-7E): `+ / = & %`, a space, a colon. */
const SECRET = 'pa+/=&% :ss%zz-w0rd';

let api: RecordingServer;
beforeAll(async () => {
  api = await startRecordingServer();
});
afterAll(async () => {
  await stopAllOidcProviders();
  await api?.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

const parseSegment = (segment: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/** The Authorization header of each API call the local API received. */
const apiAuthorizations = (): unknown[] => api.requests.map((r) => r.headers.authorization);

/**
 * Verifies an access token against the provider's JWKS (ES256, as oidc-provider-server.mjs signs
 * them) and returns its header and claims.
 */
async function verifiedClaims(
  provider: OidcProvider,
  token: string,
  ca?: string,
): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
  const { data: jwks } = await axios.get<{ keys: (JsonWebKey & { kid: string })[] }>(`${provider.issuer}/jwks`, {
    ...(ca ? { httpsAgent: new Agent({ ca }) } : {}),
  });
  const [h, p, s] = token.split('.');
  const header = parseSegment(h);
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  expect(header.alg).toBe('ES256');
  expect(jwk).toBeDefined();
  const valid = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(s ?? '', 'base64url'),
  );
  expect(valid).toBe(true);
  return { header, claims: parseSegment(p) };
}

/** Every rendering a user may print of an error must be free of these. */
function expectClean(error: unknown, secrets: string[]): void {
  const rendered = [inspect(error, { depth: 10 }), JSON.stringify(error)];
  for (const secret of secrets) for (const text of rendered) expect(text).not.toContain(secret);
  expect(findLeaks(error, secrets)).toEqual([]);
}

const DEFAULTS: PaymentAuthOptions = { refreshUrl: false, retry: false };

/** Attaches the package, calls the API once (at `baseURL`), detaches; the token it used. */
async function callApi(
  credentials: CredentialsInput,
  options: PaymentAuthOptions,
  baseURL = api.url,
): Promise<{ token: string }> {
  const instance = axios.create({ baseURL });
  const auth = attachPaymentAuth(instance, credentials, { ...DEFAULTS, ...options });
  try {
    const response = await instance.get('/payments/pay_1');
    expect(response.status).toBe(200);
    return { token: await auth.getAccessToken() };
  } finally {
    auth.detach();
  }
}

/** Attaches the package and returns the `PaymentAuthError` its API call fails with. */
async function failedCall(
  credentials: CredentialsInput,
  options: PaymentAuthOptions,
  baseURL = api.url,
): Promise<PaymentAuthError> {
  const instance = axios.create({ baseURL });
  const auth = attachPaymentAuth(instance, credentials, { ...DEFAULTS, ...options });
  try {
    return await authFailure(instance.get('/payments/pay_1'));
  } finally {
    auth.detach();
  }
}

describe('oidc-provider: client_secret_basic and client_secret_post', () => {
  let provider: OidcProvider;
  beforeAll(async () => {
    provider = await startOidcProvider({
      clients: [
        { client_id: 'shop:basic', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_basic' },
        { client_id: 'shop:post', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post' },
        { client_id: 'plain', client_secret: 'plain-secret-1', token_endpoint_auth_method: 'client_secret_basic' },
      ],
    });
  });
  afterAll(() => provider?.close());

  const METHODS = [
    ['client_secret_basic', 'shop:basic'],
    ['client_secret_post', 'shop:post'],
  ] as const;

  test.each(METHODS)(
    '%s: a token from oidc-provider goes to the API as Bearer (id and secret not URL-safe)',
    async (method, clientId) => {
      const { token } = await callApi(
        { clientId, clientSecret: SECRET },
        { tokenUrl: provider.tokenUrl, clientAuthMethod: method },
      );
      expect(apiAuthorizations()).toEqual([`Bearer ${token}`]);
      const { header, claims } = await verifiedClaims(provider, token);
      expect(header.typ).toBe('at+jwt');
      expect(claims).toMatchObject({ iss: provider.issuer, client_id: clientId, sub: clientId, aud: RESOURCE });
    },
  );

  test.each(METHODS)(
    '%s: scope and a resource indicator (tokenParams) reach oidc-provider',
    async (method, clientId) => {
      const { token } = await callApi(
        { clientId, clientSecret: SECRET },
        {
          tokenUrl: provider.tokenUrl,
          clientAuthMethod: method,
          scope: ['payments:read'],
          tokenParams: { resource: RESOURCE },
        },
      );
      const { claims } = await verifiedClaims(provider, token);
      expect(claims).toMatchObject({ client_id: clientId, aud: RESOURCE, scope: 'payments:read' });
    },
  );

  test.each(METHODS)(
    '%s: a wrong secret is CREDENTIALS_REJECTED, and no secret is in the error',
    async (method, clientId) => {
      const wrong = `${SECRET}-not-it`;
      const error = await failedCall(
        { clientId, clientSecret: wrong },
        { tokenUrl: provider.tokenUrl, clientAuthMethod: method },
      );
      expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401, oauthError: 'invalid_client' });
      expect(api.requests).toHaveLength(0);
      expectClean(error, [wrong, SECRET]);
    },
  );

  test('a resource oidc-provider does not know is TOKEN_REQUEST_REJECTED (invalid_target)', async () => {
    const error = await failedCall(
      { clientId: 'shop:post', clientSecret: SECRET },
      {
        tokenUrl: provider.tokenUrl,
        clientAuthMethod: 'client_secret_post',
        tokenParams: { resource: 'https://elsewhere.example' },
      },
    );
    expect(error).toMatchObject({ code: 'TOKEN_REQUEST_REJECTED', status: 400, oauthError: 'invalid_target' });
    expectClean(error, [SECRET]);
  });

  test('control: oidc-provider form-decodes Basic credentials (RFC 6749 §2.3.1), so raw ones fail', async () => {
    // What the package's encoding is for: oidc-provider reads each half of a Basic pair with
    // decodeURIComponent after `+` → space. Sent raw, this secret's `%zz` is a 400 invalid_request.
    const raw = Buffer.from(`shop:basic:${SECRET}`).toString('base64');
    const response = await axios.post(provider.tokenUrl, 'grant_type=client_credentials', {
      headers: { Authorization: `Basic ${raw}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      validateStatus: () => true,
    });
    expect(response.status).toBe(400);
    expect(response.data).toMatchObject({ error: 'invalid_request' });
  });

  test('control: oidc-provider refuses a registered secret outside VSCHAR (%x20-7E), such as é', async () => {
    // It checks static clients on first use: every token request of that client is a 400
    // invalid_client_metadata, whatever the client sends.
    const secret = 'caf\u00e9-secret';
    const cafe = await startOidcProvider({
      clients: [{ client_id: 'cafe', client_secret: secret, token_endpoint_auth_method: 'client_secret_post' }],
    });
    try {
      const error = await failedCall(
        { clientId: 'cafe', clientSecret: secret },
        { tokenUrl: cafe.tokenUrl, clientAuthMethod: 'client_secret_post' },
      );
      expect(error).toMatchObject({
        code: 'TOKEN_REQUEST_REJECTED',
        status: 400,
        oauthError: 'invalid_client_metadata',
      });
      expectClean(error, [secret]);
    } finally {
      await cafe.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// private_key_jwt (RFC 7523 §2.2).

type Alg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA';
const ALGS: readonly Alg[] = ['ES256', 'RS256', 'PS256', 'EdDSA'];
type KeyForm = 'jwk' | 'pem' | 'keyObject' | 'cryptoKey';
const FORMS: readonly KeyForm[] = ['jwk', 'pem', 'keyObject', 'cryptoKey'];

interface TestKey {
  alg: Alg;
  clientId: string;
  kid: string;
  forms: Record<KeyForm, object | string>;
  /** For jose's SignJWT. */
  cryptoKey: CryptoKey;
  publicJwk: JsonWebKey;
}

/** Web Crypto parameters of each algorithm. */
const WEBCRYPTO: Record<Alg, Parameters<typeof webcrypto.subtle.importKey>[2]> = {
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  PS256: { name: 'RSA-PSS', hash: 'SHA-256' },
  EdDSA: { name: 'Ed25519' },
};

/** A key pair made by node:crypto, its private key in every form the package takes. */
async function newKey(alg: Alg, kid = `${alg.toLowerCase()}-1`): Promise<TestKey> {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
  const cryptoKey = (await webcrypto.subtle.importKey('pkcs8', pkcs8, WEBCRYPTO[alg], false, ['sign'])) as CryptoKey;
  return {
    alg,
    clientId: `pkjwt-${alg.toLowerCase()}`,
    kid,
    forms: {
      jwk: { ...privateKey.export({ format: 'jwk' }), kid },
      pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      keyObject: privateKey,
      cryptoKey,
    },
    cryptoKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' },
  };
}

describe('oidc-provider: private_key_jwt', () => {
  const keys = {} as Record<Alg, TestKey>;
  let provider: OidcProvider;
  beforeAll(async () => {
    for (const alg of ALGS) keys[alg] = await newKey(alg);
    provider = await startOidcProvider({
      clients: ALGS.map((alg) => ({
        client_id: keys[alg].clientId,
        token_endpoint_auth_method: 'private_key_jwt' as const,
        jwks: { keys: [keys[alg].publicJwk] },
        // RS256 and PS256 use the same RSA keys: pin the algorithm, so PS256 is really what is sent.
        ...(alg === 'PS256' ? { token_endpoint_auth_signing_alg: 'PS256' } : {}),
      })),
    });
  });
  afterAll(() => provider?.close());

  const options = (extra: PaymentAuthOptions = {}): PaymentAuthOptions => ({
    clientAuthMethod: 'private_key_jwt',
    tokenUrl: provider.tokenUrl,
    issuer: provider.issuer,
    ...extra,
  });

  const CASES = ALGS.flatMap((alg) => FORMS.map((form) => [alg, form] as const));

  test.each(CASES)('%s, the private key as %s: a token from oidc-provider goes to the API', async (alg, form) => {
    const key = keys[alg];
    const { token } = await callApi(
      {
        clientId: key.clientId,
        privateKey: key.forms[form],
        keyId: key.kid,
        // An RSA key signs RS256 unless told otherwise.
        ...(alg === 'PS256' ? { algorithm: 'PS256' as const } : {}),
      },
      options(),
    );
    expect(apiAuthorizations()).toEqual([`Bearer ${token}`]);
    const { claims } = await verifiedClaims(provider, token);
    expect(claims).toMatchObject({ iss: provider.issuer, client_id: key.clientId, aud: RESOURCE });
  });

  test('a private JWK: its kid is the assertion kid; clientAuthMethod follows from the credentials', async () => {
    const key = keys.ES256;
    const { token } = await callApi(
      { clientId: key.clientId, privateKey: key.forms.jwk },
      { tokenUrl: provider.tokenUrl, issuer: provider.issuer },
    );
    expect(apiAuthorizations()).toEqual([`Bearer ${token}`]);
  });

  test('without issuer the assertion aud is the token URL, which oidc-provider accepts too', async () => {
    const key = keys.ES256;
    const seen: ClientAssertionClaims[] = [];
    const { token } = await callApi(
      {
        clientId: key.clientId,
        clientAssertion: (claims) => {
          seen.push(claims);
          return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.cryptoKey);
        },
      },
      { clientAuthMethod: 'private_key_jwt', tokenUrl: provider.tokenUrl },
    );
    expect(apiAuthorizations()).toEqual([`Bearer ${token}`]);
    expect(seen.map((c) => c.aud)).toEqual([provider.tokenUrl]);
  });

  test.each(ALGS)(
    'clientAssertion (%s, signed by the caller with jose SignJWT): the claims, accepted by oidc-provider',
    async (alg) => {
      const key = keys[alg];
      const seen: ClientAssertionClaims[] = [];
      const instance = axios.create({ baseURL: api.url });
      const auth = attachPaymentAuth(
        instance,
        {
          clientId: key.clientId,
          clientAssertion: async (claims) => {
            seen.push(claims);
            return new SignJWT({ ...claims }).setProtectedHeader({ alg, kid: key.kid }).sign(key.cryptoKey);
          },
        },
        { ...DEFAULTS, ...options() },
      );
      try {
        await instance.get('/payments/pay_1');
        auth.invalidate();
        await instance.get('/payments/pay_2');
      } finally {
        auth.detach();
      }
      expect(apiAuthorizations()).toHaveLength(2);
      expect(new Set(apiAuthorizations()).size).toBe(2);
      expect(seen).toHaveLength(2);
      for (const claims of seen) {
        expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
        expect(claims).toMatchObject({ iss: key.clientId, sub: key.clientId, aud: provider.issuer });
        expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(5);
        expect(claims.exp - claims.iat).toBeGreaterThan(0);
        expect(claims.exp - claims.iat).toBeLessThanOrEqual(60);
      }
      // oidc-provider refuses a jti it has seen (ReplayDetection): the second call had a new one.
      expect(seen[0]?.jti).not.toBe(seen[1]?.jti);
    },
  );

  test.each(['ES256', 'RS256', 'EdDSA'] as const)(
    '%s: a key the server does not have is CREDENTIALS_REJECTED, and no key material is in the error',
    async (alg) => {
      const registered = keys[alg];
      const other = await newKey(alg, registered.kid);
      const d = (other.forms.jwk as { d: string }).d;
      const pem = other.forms.pem as string;
      const pemBody = pem.split('\n').slice(1, -2).join('');
      for (const privateKey of [other.forms.jwk, pem]) {
        const error = await failedCall({ clientId: registered.clientId, privateKey, keyId: registered.kid }, options());
        expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401, oauthError: 'invalid_client' });
        expectClean(error, [d, pemBody, pem]);
      }
      expect(api.requests).toHaveLength(0);
    },
  );

  test('an RSA key sent as RS256 to a client pinned to PS256 is CREDENTIALS_REJECTED', async () => {
    const key = keys.PS256;
    const error = await failedCall({ clientId: key.clientId, privateKey: key.forms.pem, keyId: key.kid }, options());
    expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', oauthError: 'invalid_client' });
  });
});

// ---------------------------------------------------------------------------------------------
// Mutual TLS (RFC 8705 §2), and certificate-bound access tokens (§3).

/**
 * An HTTPS API that acts as an RFC 8705 §3 resource server: it asks for a client certificate and
 * answers 200 only when the token's `cnf.x5t#S256` is that certificate's thumbprint, else 401.
 */
async function startBoundApi(certs: TestCerts): Promise<{
  url: string;
  seen: { authorization?: string; thumbprint?: string }[];
  close(): Promise<void>;
}> {
  const seen: { authorization?: string; thumbprint?: string }[] = [];
  const server = createHttpsServer(
    { ...certs.server, ca: certs.ca.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const thumbprint = peer?.raw ? certificateThumbprint(new X509Certificate(peer.raw).toString()) : undefined;
      const authorization = req.headers.authorization;
      seen.push({ authorization, thumbprint });
      const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : '';
      let bound: unknown;
      try {
        bound = (parseSegment(token.split('.')[1]).cnf as Record<string, unknown> | undefined)?.['x5t#S256'];
      } catch {
        bound = undefined;
      }
      res.writeHead(bound !== undefined && bound === thumbprint ? 200 : 401, { 'Content-Type': 'application/json' });
      res.end('{}');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('oidc-provider: tls_client_auth and self_signed_tls_client_auth', () => {
  let certs: TestCerts;
  let provider: OidcProvider;
  let boundApi: Awaited<ReturnType<typeof startBoundApi>>;
  beforeAll(async () => {
    certs = testCerts();
    boundApi = await startBoundApi(certs);
    provider = await startOidcProvider({
      tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert },
      clients: [
        {
          client_id: 'mtls-pki',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: 'CN=client-1',
          tls_client_certificate_bound_access_tokens: true,
        },
        {
          client_id: 'mtls-self',
          token_endpoint_auth_method: 'self_signed_tls_client_auth',
          jwks: { keys: [certificateJwk(certs.selfSigned.cert)] },
          tls_client_certificate_bound_access_tokens: true,
        },
      ],
    });
  });
  afterAll(async () => {
    await provider?.close();
    await boundApi?.close();
  });
  beforeEach(() => {
    boundApi.seen.length = 0;
  });

  const options = (
    method: 'tls_client_auth' | 'self_signed_tls_client_auth',
    pair: { cert: string; key: string },
  ): PaymentAuthOptions => ({
    clientAuthMethod: method,
    tokenUrl: provider.tokenUrl,
    tls: { cert: pair.cert, key: pair.key, ca: certs.ca.cert },
  });

  test.each([
    ['tls_client_auth', 'mtls-pki', 'client'],
    ['self_signed_tls_client_auth', 'mtls-self', 'selfSigned'],
  ] as const)(
    '%s: the token is bound to the certificate, and the API call presents the same one',
    async (method, clientId, which) => {
      const pair = certs[which];
      const { token } = await callApi({ clientId }, options(method, pair), boundApi.url);
      const thumbprint = certificateThumbprint(pair.cert);
      expect(boundApi.seen).toEqual([{ authorization: `Bearer ${token}`, thumbprint }]);
      const { claims } = await verifiedClaims(provider, token, certs.ca.cert);
      expect(claims).toMatchObject({ client_id: clientId, aud: RESOURCE, cnf: { 'x5t#S256': thumbprint } });
    },
  );

  test.each([
    ['tls_client_auth', 'mtls-pki', 'otherClient', 'another subject (CN=client-2)'],
    ['tls_client_auth', 'mtls-pki', 'untrustedClient', 'the right subject from a CA the server does not trust'],
    ['self_signed_tls_client_auth', 'mtls-self', 'otherSelfSigned', 'a self-signed certificate not registered'],
  ] as const)(
    '%s (%s) with %s: CREDENTIALS_REJECTED (%s), no key in the error',
    async (method, clientId, which, _why) => {
      const pair = certs[which];
      const error = await failedCall({ clientId }, options(method, pair), boundApi.url);
      expect(error).toMatchObject({ code: 'CREDENTIALS_REJECTED', status: 401, oauthError: 'invalid_client' });
      expect(boundApi.seen).toHaveLength(0);
      const keyBody = pair.key.split('\n').slice(1, -2).join('');
      expectClean(error, [keyBody, pair.key]);
    },
  );

  test('a token endpoint whose certificate the given ca does not vouch for gets no request', async () => {
    const error = await failedCall(
      { clientId: 'mtls-pki' },
      { ...options('tls_client_auth', certs.client), tls: { ...certs.client, ca: certs.selfSigned.cert } },
      boundApi.url,
    );
    expect(error.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(error.message).toMatch(/CERT/); // SELF_SIGNED_CERT_IN_CHAIN: not our CA
    expect(boundApi.seen).toHaveLength(0);
  });

  test('private_key_jwt with the tls option: a certificate-bound token that the API accepts', async () => {
    // The common FAPI 2.0 setup: private_key_jwt authenticates, the certificate binds the token.
    const key = await newKey('ES256', 'bound-es256');
    const bound = await startOidcProvider({
      tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca.cert },
      clients: [
        {
          client_id: 'pkjwt-bound',
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [key.publicJwk] },
          tls_client_certificate_bound_access_tokens: true,
        },
      ],
    });
    try {
      const { token } = await callApi(
        { clientId: 'pkjwt-bound', privateKey: key.forms.pem, keyId: key.kid },
        {
          tokenUrl: bound.tokenUrl,
          issuer: bound.issuer,
          tls: { cert: certs.client.cert, key: certs.client.key, ca: certs.ca.cert },
        },
        boundApi.url,
      );
      const thumbprint = certificateThumbprint(certs.client.cert);
      expect(boundApi.seen).toEqual([{ authorization: `Bearer ${token}`, thumbprint }]);
    } finally {
      await bound.close();
    }
  });
});
