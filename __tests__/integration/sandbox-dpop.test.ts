import axios from 'axios';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  base64url,
  calculateJwkThumbprint,
  CompactSign,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import nock from 'nock';
import { startPaymentSandbox, type PaymentSandbox, type PaymentSandboxOptions } from '../../src/testing';
import { testKeyPair } from '../_helpers/certs';

const START = Date.parse('2026-11-28T12:00:00Z');
const TOKEN_PATH = '/api/v1/oauth2/token';
const REFRESH_PATH = '/api/v1/oauth2/refresh';
const PAYMENTS = '/api/v1/payments';
const ALGS = 'ES256 ES384 ES512 RS256 PS256 EdDSA Ed25519';

// Real sockets: nock must not stand between the client and the sandbox.
beforeAll(() => nock.restore());

let now = START;
let sandbox: PaymentSandbox;
afterEach(async () => {
  await sandbox?.close();
  now = START;
});

async function start(options: PaymentSandboxOptions = { dpop: true }): Promise<PaymentSandbox> {
  sandbox = await startPaymentSandbox({ now: () => now, ...options });
  return sandbox;
}

interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
  /** RFC 7638 thumbprint of the public key. */
  jkt: string;
}

async function dpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    privateKey,
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    jkt: await calculateJwkThumbprint(publicJwk),
  };
}

interface ProofOptions {
  method?: string;
  /** The `htu`; the token endpoint unless given. */
  url?: string;
  /** The access token an API proof hashes into `ath`. */
  accessToken?: string;
  nonce?: string;
  /** When the proof is made (its `iat`), epoch ms. */
  at?: number;
  /** Claims to add or replace; undefined removes one. */
  claims?: Record<string, unknown>;
  /** Header members to add or replace. */
  header?: Record<string, unknown>;
}

/** A DPoP proof (RFC 9449 §4.2) valid for a token call now, unless the options say otherwise. */
function proof(key: DpopKey, options: ProofOptions = {}): Promise<string> {
  const claims = {
    jti: randomUUID(),
    htm: options.method ?? 'POST',
    htu: options.url ?? sandbox.tokenUrl,
    iat: Math.floor((options.at ?? now) / 1000),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...(options.accessToken !== undefined ? { ath: ath(options.accessToken) } : {}),
    ...options.claims,
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header })
    .sign(key.privateKey);
}

const ath = (token: string): string => createHash('sha256').update(token).digest('base64url');

interface CallOptions {
  method?: string;
  form?: Record<string, string>;
  json?: unknown;
  dpop?: string | string[];
  authorization?: string;
}

/** One call to the sandbox with a plain axios instance. */
async function call(path: string, options: CallOptions = {}) {
  const response = await axios.request({
    url: `${sandbox.url}${path}`,
    method: options.method ?? (options.form || options.json ? 'POST' : 'GET'),
    data: options.form ? new URLSearchParams(options.form).toString() : options.json,
    headers: {
      ...(options.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...(options.dpop !== undefined ? { DPoP: options.dpop } : {}),
      ...(options.authorization ? { Authorization: options.authorization } : {}),
    },
    proxy: false,
    validateStatus: () => true,
  });
  return {
    status: response.status,
    headers: response.headers,
    data: response.data as Record<string, unknown> & { error?: unknown; error_description?: string },
  };
}

const credentials = (): Record<string, string> => ({
  grant_type: 'client_credentials',
  client_id: sandbox.credentials.clientId,
  client_secret: sandbox.credentials.clientSecret,
});
const tokenCall = (dpop?: string | string[], path = TOKEN_PATH) =>
  call(path, { form: credentials(), ...(dpop !== undefined ? { dpop } : {}) });

async function boundToken(key: DpopKey, nonce?: string): Promise<{ access_token: string; refresh_token: string }> {
  const r = await tokenCall(await proof(key, nonce !== undefined ? { nonce } : {}));
  expect(r.status).toBe(200);
  return r.data as never;
}

/** An API call with the DPoP scheme and a proof of `key` (valid unless the options say otherwise). */
async function apiCall(token: string, key: DpopKey, options: ProofOptions & { path?: string } = {}) {
  const path = options.path ?? PAYMENTS;
  const method = options.method ?? 'GET';
  const dpop = await proof(key, { url: `${sandbox.url}${path}`, accessToken: token, method, ...options });
  return call(path, {
    method,
    authorization: `DPoP ${token}`,
    dpop,
    ...(method === 'POST' ? { json: { amount: 100 } } : {}),
  });
}

const last = () => sandbox.requests.at(-1)!;

describe('the token endpoint with dpop', () => {
  let key: DpopKey;
  beforeEach(async () => {
    key = await dpopKey();
    await start();
  });

  it('issues a token of type DPoP bound to the thumbprint of the proof key', async () => {
    const dpop = await proof(key);
    const r = await tokenCall(dpop);
    expect(r.status).toBe(200);
    expect(r.data).toMatchObject({ token_type: 'DPoP', access_token: expect.stringMatching(/^at_/), expires_in: 900 });
    expect(r.data.refresh_token).toEqual(expect.stringMatching(/^rt_/));
    expect(sandbox.tokenBinding(r.data.access_token as string)).toBe(key.jkt);
    expect(sandbox.tokenBinding(r.data.refresh_token as string)).toBeUndefined();
    const { jti } = JSON.parse(Buffer.from(dpop.split('.')[1]!, 'base64url').toString()) as { jti: string };
    expect(last()).toMatchObject({
      route: 'token',
      status: 200,
      dpop: { jkt: key.jkt, jti, htm: 'POST', htu: sandbox.tokenUrl },
    });
    expect(last().dpop).not.toHaveProperty('ath');
    expect(last().dpopError).toBeUndefined();
    expect(sandbox.dpopProofs()).toEqual([
      {
        header: { alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk },
        claims: { jti, htm: 'POST', htu: sandbox.tokenUrl, iat: START / 1000 },
      },
    ]);
    // Not asked for nonces: none sent.
    expect(r.headers['dpop-nonce']).toBeUndefined();
    // The log never holds the proof nor the token.
    const log = JSON.stringify(sandbox.requests);
    for (const part of dpop.split('.')) expect(log).not.toContain(part);
    expect(log).not.toContain(r.data.access_token);
    sandbox.reset();
    expect(sandbox.dpopProofs()).toEqual([]);
  });

  it('refuses a call without a proof with 400 invalid_dpop_proof, and issues nothing', async () => {
    const r = await tokenCall();
    expect(r).toMatchObject({
      status: 400,
      data: { error: 'invalid_dpop_proof', error_description: 'DPoP proof missing (send one DPoP header)' },
    });
    expect(last().dpopError).toBe('invalid_dpop_proof');
    expect(sandbox.issuedTokens()).toEqual([]);
  });

  const unsigned = (header: Record<string, unknown>, claims: Record<string, unknown>): string =>
    `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(claims))}.${base64url.encode(randomBytes(64))}`;

  it.each<[string, () => Promise<string | string[]>, string | RegExp]>([
    [
      'of another method (htm)',
      () => proof(key, { method: 'GET' }),
      "DPoP proof htm must be the request's method (POST)",
    ],
    [
      'for another path (htu)',
      () => proof(key, { url: `${sandbox.url}${REFRESH_PATH}` }),
      /^DPoP proof htu must be the request's URL without query \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/oauth2\/token\)$/,
    ],
    [
      'for another path, with a query (htu)',
      () => proof(key, { url: `${sandbox.url}${REFRESH_PATH}?to=${TOKEN_PATH}` }),
      /^DPoP proof htu must be/,
    ],
    [
      'for another host (htu)',
      () => proof(key, { url: sandbox.tokenUrl.replace('127.0.0.1', 'localhost') }),
      /^DPoP proof htu must be/,
    ],
    [
      'for the path with a trailing slash (htu)',
      () => proof(key, { url: `${sandbox.tokenUrl}/` }),
      /^DPoP proof htu must be/,
    ],
    ['without htu', () => proof(key, { claims: { htu: undefined } }), /^DPoP proof htu must be/],
    [
      'made 61 s ago (iat)',
      () => proof(key, { at: now - 61_000 }),
      "DPoP proof too old (iat is more than 60 s before the server's clock)",
    ],
    [
      'made 6 s ahead (iat)',
      () => proof(key, { at: now + 6_000 }),
      "DPoP proof issued in the future (iat is after the server's clock)",
    ],
    ['without iat', () => proof(key, { claims: { iat: undefined } }), 'DPoP proof has no iat'],
    ['without jti', () => proof(key, { claims: { jti: undefined } }), 'DPoP proof has no jti'],
    ['of typ JWT', () => proof(key, { header: { typ: 'JWT' } }), 'DPoP proof typ must be dpop+jwt'],
    ['without jwk', () => proof(key, { header: { jwk: undefined } }), 'DPoP proof has no jwk header (the public key)'],
    [
      'with a private jwk',
      () => proof(key, { header: { jwk: key.privateJwk } }),
      'DPoP proof jwk must be a public key (it has private key members)',
    ],
    [
      'signed by another key than its jwk',
      async () => proof({ ...(await dpopKey()), publicJwk: key.publicJwk }),
      'DPoP proof signature does not verify against its jwk',
    ],
    [
      'with a jwk that does not fit its alg',
      async () => proof(key, { header: { alg: 'ES256', jwk: { kty: 'RSA', n: 'AQAB', e: 'AQAB' } } }),
      'DPoP proof jwk is not a public key usable with its alg',
    ],
    [
      'with a jwk published for another alg',
      () => proof(key, { header: { jwk: { ...key.publicJwk, alg: 'ES384' } } }),
      'DPoP proof jwk is for another use or alg than the proof',
    ],
    [
      'with a jwk published for encryption',
      () => proof(key, { header: { jwk: { ...key.publicJwk, use: 'enc' } } }),
      'DPoP proof jwk is for another use or alg than the proof',
    ],
    [
      'whose claims are not JSON',
      () =>
        new CompactSign(new TextEncoder().encode('not json'))
          .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk })
          .sign(key.privateKey),
      'DPoP proof malformed (its claims are not JSON)',
    ],
    [
      'of alg none',
      async () =>
        unsigned(
          { alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk },
          { jti: 'x', htm: 'POST', htu: sandbox.tokenUrl, iat: now / 1000 },
        ),
      /^DPoP proof algorithm not accepted \(use one of ES256, ES384, ES512, RS256, PS256, EdDSA, Ed25519\)$/,
    ],
    [
      'of alg HS256',
      () =>
        new SignJWT({ jti: randomUUID(), htm: 'POST', htu: sandbox.tokenUrl, iat: now / 1000 })
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.publicJwk })
          .sign(randomBytes(32)),
      /^DPoP proof algorithm not accepted/,
    ],
    [
      'unsigned (no signature part)',
      async () => (await proof(key)).replace(/\.[^.]+$/, '.'),
      'DPoP proof malformed (not a compact signed JWT)',
    ],
    ['that is not a JWT', async () => 'not-a-proof', 'DPoP proof malformed (not a compact signed JWT)'],
    [
      'sent twice (two DPoP headers)',
      async () => [await proof(key), await proof(key)],
      'more than one DPoP header (send exactly one proof)',
    ],
  ])('refuses a proof %s', async (_name, make, description) => {
    const r = await tokenCall(await make());
    expect(r).toMatchObject({
      status: 400,
      data: {
        error: 'invalid_dpop_proof',
        error_description: typeof description === 'string' ? description : expect.stringMatching(description),
      },
    });
    expect(last()).toMatchObject({ status: 400, dpopError: 'invalid_dpop_proof' });
    expect(last().dpop).toBeUndefined();
    expect(sandbox.dpopProofs()).toEqual([]);
    expect(sandbox.issuedTokens()).toEqual([]);
  });

  it('accepts an iat 60 s old or 5 s ahead, by its clock', async () => {
    expect((await tokenCall(await proof(key, { at: now - 60_000 }))).status).toBe(200);
    expect((await tokenCall(await proof(key, { at: now + 5_000 }))).status).toBe(200);
    now += 30_000;
    expect((await tokenCall(await proof(key, { at: now - 60_000 }))).status).toBe(200);
    expect((await tokenCall(await proof(key, { at: now - 61_000 }))).status).toBe(400);
  });

  it('compares htu without query and fragment, scheme and host case-insensitive', async () => {
    const accepted = [
      sandbox.tokenUrl.replace('http://', 'HTTP://'),
      `${sandbox.tokenUrl}?ignored=1`,
      `${sandbox.tokenUrl}#ignored`,
    ];
    for (const url of accepted) expect((await tokenCall(await proof(key, { url }))).status).toBe(200);
    // The request may carry a query: htu is its URL without it.
    expect((await tokenCall(await proof(key), `${TOKEN_PATH}?x=1`)).status).toBe(200);
    expect(sandbox.dpopProofs().map((p) => p.claims.htu)).toEqual([...accepted, sandbox.tokenUrl]);
  });

  it('refuses a replayed jti, spends the jti of a proof refused for its claims, and forgets jtis once too old to replay', async () => {
    const once = await proof(key, { claims: { jti: 'once' } });
    expect((await tokenCall(once)).status).toBe(200);
    expect((await tokenCall(once)).data).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'DPoP proof replayed (jti seen before)',
    });
    // A fresh proof with the same jti: still a replay.
    expect((await tokenCall(await proof(key, { claims: { jti: 'once' } }))).data.error_description).toMatch(/replayed/);
    // Refused for its htm: its jti is spent all the same.
    expect(
      (await tokenCall(await proof(key, { method: 'PUT', claims: { jti: 'spent' } }))).data.error_description,
    ).toMatch(/htm/);
    expect((await tokenCall(await proof(key, { claims: { jti: 'spent' } }))).data.error_description).toMatch(
      /replayed/,
    );
    // reset() clears the list of proofs, not the memory of jtis.
    sandbox.reset();
    expect((await tokenCall(await proof(key, { claims: { jti: 'once' } }))).data.error_description).toMatch(/replayed/);
    // 66 s on, a proof of then would be too old anyway: its jti is forgotten.
    now += 66_000;
    expect((await tokenCall(await proof(key, { claims: { jti: 'once' } }))).status).toBe(200);
  });

  it('judges iat by its own clock, clockOffsetMs included', async () => {
    await sandbox.close();
    // The server's clock is two minutes behind the client's.
    await start({ dpop: true, clockOffsetMs: -120_000 });
    const early = await tokenCall(await proof(key));
    expect(early.data.error_description).toBe("DPoP proof issued in the future (iat is after the server's clock)");
    const serverNow = Date.parse(early.headers.date as string);
    expect(serverNow).toBe(START - 120_000);
    expect((await tokenCall(await proof(key, { at: serverNow }))).status).toBe(200);
    await sandbox.close();
    // Two minutes ahead: a proof made now is too old.
    await start({ dpop: true, clockOffsetMs: 120_000 });
    expect((await tokenCall(await proof(key))).data.error_description).toMatch(/^DPoP proof too old/);
    expect((await tokenCall(await proof(key, { at: START + 120_000 }))).status).toBe(200);
  });

  it('checks the proof before the client: a bad client with a good proof gets invalid_client', async () => {
    const r = await call(TOKEN_PATH, {
      form: { ...credentials(), client_secret: 'wrong' },
      dpop: await proof(key),
    });
    expect(r).toMatchObject({ status: 401, data: { error: 'invalid_client' } });
    expect(sandbox.dpopProofs()).toHaveLength(1);
  });
});

describe('the payments API with dpop', () => {
  let key: DpopKey;
  let token: string;
  beforeEach(async () => {
    key = await dpopKey();
    await start();
    token = (await boundToken(key)).access_token;
  });

  it('serves a DPoP-bound token sent with the DPoP scheme and a proof of its key', async () => {
    const list = await apiCall(token, key);
    expect(list.status).toBe(200);
    expect(last()).toMatchObject({
      route: 'api',
      scheme: 'DPoP',
      status: 200,
      token: expect.stringMatching(/^at_.*…$/),
      dpop: { jkt: key.jkt, htm: 'GET', htu: `${sandbox.url}${PAYMENTS}`, ath: true },
    });
    expect((await apiCall(token, key, { method: 'POST' })).status).toBe(201);
    // A query is not part of htu.
    expect((await apiCall(token, key, { path: `${PAYMENTS}?limit=1`, url: `${sandbox.url}${PAYMENTS}` })).status).toBe(
      200,
    );
    expect(sandbox.dpopProofs().map((p) => p.claims.ath)).toEqual([undefined, ath(token), ath(token), ath(token)]);
    expect(JSON.stringify(sandbox.requests)).not.toContain(token);
  });

  const invalidProof = (description: string | RegExp) => ({
    status: 401,
    data: {
      error: {
        code: 'INVALID_TOKEN',
        message: typeof description === 'string' ? description : expect.stringMatching(description),
      },
    },
  });

  it.each<[string, () => Promise<ProofOptions & { path?: string }>, string | RegExp]>([
    [
      'an ath of another token',
      async () => ({ claims: { ath: ath('at_other') } }),
      'DPoP proof ath must be the SHA-256 hash of the access token',
    ],
    [
      'no ath',
      async () => ({ claims: { ath: undefined } }),
      'DPoP proof ath must be the SHA-256 hash of the access token',
    ],
    [
      'another method (htm)',
      async () => ({ claims: { htm: 'POST' } }),
      "DPoP proof htm must be the request's method (GET)",
    ],
    [
      'another URL (htu)',
      async () => ({ url: sandbox.tokenUrl }),
      /^DPoP proof htu must be the request's URL without query \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/payments\)$/,
    ],
    ['an iat 61 s old', async () => ({ at: now - 61_000 }), /^DPoP proof too old/],
    ['an iat 6 s ahead', async () => ({ at: now + 6_000 }), /^DPoP proof issued in the future/],
  ])(
    'refuses a proof with %s: 401 INVALID_TOKEN and DPoP error="invalid_dpop_proof"',
    async (_name, options, description) => {
      const r = await apiCall(token, key, await options());
      expect(r).toMatchObject(invalidProof(description));
      expect(r.headers['www-authenticate']).toBe(
        `DPoP error="invalid_dpop_proof", error_description="${(r.data.error as { message: string }).message}"`,
      );
      expect(last()).toMatchObject({ scheme: 'DPoP', errorCode: 'INVALID_TOKEN', dpopError: 'invalid_dpop_proof' });
      expect(last().dpop).toBeUndefined();
    },
  );

  it('refuses no proof, a replayed proof and two proofs', async () => {
    const missing = await call(PAYMENTS, { authorization: `DPoP ${token}` });
    expect(missing).toMatchObject(invalidProof('DPoP proof missing (send one DPoP header)'));
    const dpop = await proof(key, { method: 'GET', url: `${sandbox.url}${PAYMENTS}`, accessToken: token });
    expect((await call(PAYMENTS, { authorization: `DPoP ${token}`, dpop })).status).toBe(200);
    const replayed = await call(PAYMENTS, { authorization: `DPoP ${token}`, dpop });
    expect(replayed).toMatchObject(invalidProof('DPoP proof replayed (jti seen before)'));
    expect(replayed.headers['www-authenticate']).toBe(
      'DPoP error="invalid_dpop_proof", error_description="DPoP proof replayed (jti seen before)"',
    );
    const twice = await call(PAYMENTS, { authorization: `DPoP ${token}`, dpop: [dpop, dpop] });
    expect(twice).toMatchObject(invalidProof(/^more than one DPoP header/));
  });

  it('refuses a proof of another key than the binding with DPoP error="invalid_token"', async () => {
    const r = await apiCall(token, await dpopKey());
    expect(r).toMatchObject({ status: 401, data: { error: { code: 'INVALID_TOKEN' } } });
    expect(r.headers['www-authenticate']).toBe(
      'DPoP error="invalid_token", error_description="DPoP proof key does not match the access token binding"',
    );
    expect(last()).toMatchObject({ dpopError: 'invalid_token', errorCode: 'INVALID_TOKEN', dpop: { ath: true } });
    expect(last().dpop!.jkt).not.toBe(key.jkt);
  });

  it('refuses a bound token sent with the Bearer scheme, even with a good proof, with DPoP error="invalid_token"', async () => {
    const dpop = await proof(key, { method: 'GET', url: `${sandbox.url}${PAYMENTS}`, accessToken: token });
    const r = await call(PAYMENTS, { authorization: `Bearer ${token}`, dpop });
    expect(r).toMatchObject({ status: 401, data: { error: { code: 'INVALID_TOKEN' } } });
    expect(r.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token", error_description="[^"]+"$/);
    expect(last()).toMatchObject({ scheme: 'Bearer', dpopError: 'invalid_token' });
  });

  it('answers a call without a token with NO_TOKEN and the DPoP algorithms', async () => {
    const r = await call(PAYMENTS);
    expect(r).toMatchObject({ status: 401, data: { error: { code: 'NO_TOKEN' } } });
    expect(r.headers['www-authenticate']).toBe(`DPoP algs="${ALGS}"`);
  });

  it('answers an unknown or revoked token with DPoP error="invalid_token"', async () => {
    const unknown = await apiCall('at_unknown_token_value', key);
    sandbox.revokeAccessTokens();
    const revoked = await apiCall(token, key);
    for (const r of [unknown, revoked]) {
      expect(r).toMatchObject({ status: 401, data: { error: { code: 'INVALID_TOKEN' } } });
      expect(r.headers['www-authenticate']).toMatch(/^DPoP error="invalid_token"/);
    }
    expect(sandbox.requests.slice(-2).map((r) => r.tokenState)).toEqual(['unknown', 'revoked']);
  });
});

describe('the refresh endpoint with dpop', () => {
  it("requires a proof and binds the new access token to that call's key", async () => {
    await start();
    const first = await dpopKey();
    const second = await dpopKey();
    const { access_token, refresh_token } = await boundToken(first);
    const form = { grant_type: 'refresh_token', refresh_token };
    expect(await call(REFRESH_PATH, { form })).toMatchObject({ status: 400, data: { error: 'invalid_dpop_proof' } });
    // A proof for the token endpoint is not one for the refresh endpoint.
    expect((await call(REFRESH_PATH, { form, dpop: await proof(second) })).data.error_description).toMatch(/htu/);
    const r = await call(REFRESH_PATH, { form, dpop: await proof(second, { url: `${sandbox.url}${REFRESH_PATH}` }) });
    expect(r.status).toBe(200);
    expect(r.data.token_type).toBe('DPoP');
    const renewed = r.data.access_token as string;
    expect(sandbox.tokenBinding(renewed)).toBe(second.jkt);
    expect(sandbox.tokenBinding(access_token)).toBe(first.jkt);
    expect(last()).toMatchObject({ route: 'refresh', dpop: { jkt: second.jkt, htu: `${sandbox.url}${REFRESH_PATH}` } });
    expect((await apiCall(renewed, first)).headers['www-authenticate']).toMatch(/^DPoP error="invalid_token"/);
    expect((await apiCall(renewed, second)).status).toBe(200);
  });
});

describe("dpop: 'require-nonce'", () => {
  let key: DpopKey;
  beforeEach(async () => {
    key = await dpopKey();
    await start({ dpop: 'require-nonce' });
  });
  const NONCE_CHALLENGE =
    'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"';

  it('asks for its nonce at the token endpoint, then issues a token to a proof that carries it', async () => {
    const first = await tokenCall(await proof(key, { claims: { jti: 'first' } }));
    expect(first).toMatchObject({
      status: 400,
      data: { error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce in DPoP proof' },
    });
    const nonce = first.headers['dpop-nonce'] as string;
    expect(nonce).toMatch(/^[\w-]{16,}$/);
    expect(last().dpopError).toBe('use_dpop_nonce');
    expect(sandbox.counters().dpopNonceChallenges).toBe(1);
    // The proof refused for its nonce did not spend its jti.
    const retry = await tokenCall(await proof(key, { nonce, claims: { jti: 'first' } }));
    expect(retry).toMatchObject({ status: 200, data: { token_type: 'DPoP' } });
    expect(retry.headers['dpop-nonce']).toBe(nonce);
    expect(last().dpop).toMatchObject({ jti: 'first', nonce });
    // A made-up nonce is a stale one.
    const wrong = await tokenCall(await proof(key, { nonce: 'made-up' }));
    expect(wrong).toMatchObject({ status: 400, data: { error: 'use_dpop_nonce' } });
    expect(sandbox.counters().dpopNonceChallenges).toBe(2);
    // Another failure wins over the nonce: the client must fix the proof, not add a nonce.
    expect((await tokenCall(await proof(key, { method: 'GET' }))).data.error).toBe('invalid_dpop_proof');
  });

  it('asks the API caller for the new nonce after a rotation, then serves the retry', async () => {
    const nonce = (await tokenCall(await proof(key))).headers['dpop-nonce'] as string;
    const { access_token: token } = await boundToken(key, nonce);
    expect((await apiCall(token, key, { nonce })).status).toBe(200);
    sandbox.rotateDpopNonce();
    const stale = await apiCall(token, key, { nonce });
    expect(stale).toMatchObject({ status: 401, data: { error: { code: 'INVALID_TOKEN' } } });
    expect(stale.headers['www-authenticate']).toBe(NONCE_CHALLENGE);
    const fresh = stale.headers['dpop-nonce'] as string;
    expect(fresh).toMatch(/^[\w-]{16,}$/);
    expect(fresh).not.toBe(nonce);
    expect(last()).toMatchObject({ dpopError: 'use_dpop_nonce', scheme: 'DPoP' });
    expect((await apiCall(token, key, { nonce: fresh })).status).toBe(200);
    expect((await apiCall(token, key)).headers['www-authenticate']).toBe(NONCE_CHALLENGE);
    // The token endpoint wants the new one too.
    expect((await tokenCall(await proof(key, { nonce }))).data.error).toBe('use_dpop_nonce');
    expect((await tokenCall(await proof(key, { nonce: fresh }))).status).toBe(200);
    expect(sandbox.counters().dpopNonceChallenges).toBe(4);
  });

  it('checks the nonce before the client assertion: a nonce challenge does not spend the assertion', async () => {
    await sandbox.close();
    const signer = await testKeyPair('ES256');
    await start({
      dpop: 'require-nonce',
      clientAuth: 'private_key_jwt',
      credentials: { clientId: 'client-jwt', jwks: { keys: [signer.publicJwk] } },
    });
    const iat = Math.floor(now / 1000);
    const assertion = await new SignJWT({
      iss: 'client-jwt',
      sub: 'client-jwt',
      aud: sandbox.issuer,
      iat,
      exp: iat + 60,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'ES256', kid: signer.kid })
      .sign(signer.privateKey);
    const form = {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    };
    const challenged = await call(TOKEN_PATH, { form, dpop: await proof(key) });
    expect(challenged.data.error).toBe('use_dpop_nonce');
    const nonce = challenged.headers['dpop-nonce'] as string;
    const r = await call(TOKEN_PATH, { form, dpop: await proof(key, { nonce }) });
    expect(r).toMatchObject({ status: 200, data: { token_type: 'DPoP' } });
    expect(sandbox.assertions()).toHaveLength(1);
    expect(sandbox.tokenBinding(r.data.access_token as string)).toBe(key.jkt);
  });

  it('sends the current nonce on every answer of the token endpoints and the API, faults included', async () => {
    const nonce = (await tokenCall(await proof(key))).headers['dpop-nonce'] as string;
    const { access_token: token } = await boundToken(key, nonce);
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    sandbox.injectFault('api', { hold, status: 503 });
    const held = call(PAYMENTS);
    await new Promise((resolve) => setTimeout(resolve, 50));
    sandbox.rotateDpopNonce();
    release();
    const rotated = (await held).headers['dpop-nonce'] as string;
    expect(rotated).not.toBe(nonce);
    const answers = [
      await apiCall(token, key, { nonce: rotated }),
      await apiCall(token, key, { nonce: rotated, method: 'POST' }),
      await call(PAYMENTS),
      await call(`${PAYMENTS}/pay_missing`, {
        authorization: `DPoP ${token}`,
        dpop: await proof(key, {
          method: 'GET',
          url: `${sandbox.url}${PAYMENTS}/pay_missing`,
          accessToken: token,
          nonce: rotated,
        }),
      }),
      await apiCall(token, await dpopKey(), { nonce: rotated }),
      await call(TOKEN_PATH, { method: 'GET' }),
      await call(TOKEN_PATH, { form: {}, dpop: 'garbage' }),
      await call(REFRESH_PATH, {
        form: { grant_type: 'refresh_token', refresh_token: 'rt_unknown' },
        dpop: await proof(key, { nonce: rotated, url: `${sandbox.url}${REFRESH_PATH}` }),
      }),
      await tokenCall(await proof(key, { nonce: rotated })),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 201, 401, 404, 401, 405, 400, 401, 200]);
    for (const r of answers) expect(r.headers['dpop-nonce']).toBe(rotated);
  });
});

describe('without dpop (the default)', () => {
  it('issues Bearer tokens, ignores a DPoP header and sends no nonce', async () => {
    await start({});
    const key = await dpopKey();
    const garbage = { dpop: 'not-a-proof' };
    const r = await call(TOKEN_PATH, { form: credentials(), ...garbage });
    expect(r.status).toBe(200);
    expect(r.data.token_type).toBe('Bearer');
    const token = r.data.access_token as string;
    expect(sandbox.tokenBinding(token)).toBeUndefined();
    const api = await call(PAYMENTS, {
      authorization: `Bearer ${token}`,
      dpop: await proof(key, { method: 'GET', url: `${sandbox.url}${PAYMENTS}` }),
    });
    expect(api.status).toBe(200);
    // The DPoP scheme is not one it knows.
    const dpopScheme = await call(PAYMENTS, { authorization: `DPoP ${token}` });
    expect(dpopScheme).toMatchObject({
      status: 401,
      data: { error: { code: 'NO_TOKEN', message: 'No bearer token was sent' } },
    });
    expect(dpopScheme.headers['www-authenticate']).toBe('Bearer realm="payment-api"');
    const unknown = await call(PAYMENTS, { authorization: 'Bearer at_unknown_token_value' });
    expect(unknown.headers['www-authenticate']).toBe('Bearer realm="payment-api", error="invalid_token"');
    sandbox.rotateDpopNonce();
    for (const answer of [r, api, dpopScheme, unknown]) expect(answer.headers['dpop-nonce']).toBeUndefined();
    expect(sandbox.dpopProofs()).toEqual([]);
    for (const entry of sandbox.requests) {
      expect(entry.dpop).toBeUndefined();
      expect(entry.dpopError).toBeUndefined();
    }
    expect(sandbox.requests[1]!.scheme).toBe('Bearer');
    expect(sandbox.counters().dpopNonceChallenges).toBe(0);
  });

  it('refuses a dpop option it does not know', async () => {
    await expect(startPaymentSandbox({ dpop: 'yes' as never })).rejects.toThrow(
      'startPaymentSandbox: dpop must be true, false or \'require-nonce\', got "yes"',
    );
  });
});
