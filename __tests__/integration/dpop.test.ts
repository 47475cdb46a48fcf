import axios, { type AxiosInstance } from 'axios';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair, type JWK } from 'jose';
import Redis from 'ioredis';
import {
  attachPaymentAuth,
  isPaymentAuthError,
  MemoryTokenStore,
  type PaymentAuth,
  type PaymentAuthOptions,
  type StoredToken,
  type TokenStore,
} from '../../src';
import { RedisTokenStore } from '../../src/redis';
import { startPaymentSandbox, type PaymentSandbox, type PaymentSandboxOptions } from '../../src/testing';
import { expectNoLeaks, HOSTILE_SECRET } from '../_helpers/leaks';
import { startRecordingServer, type RecordingServer } from '../_helpers/servers';
import { startRedis, type RedisServer } from '../_helpers/redis';

let now = Date.parse('2026-12-01T10:00:00Z');
const clock = () => now;
let sandbox: PaymentSandbox;
const attached: PaymentAuth[] = [];
const logged: unknown[][] = [];
const log = (...args: unknown[]) => void logged.push(args);
const logger = { debug: log, info: log, warn: log, error: log };

afterEach(async () => {
  for (const auth of attached.splice(0)) auth.detach();
  logged.length = 0;
  await sandbox?.close();
});

async function start(options: PaymentSandboxOptions = {}): Promise<void> {
  now = Date.parse('2026-12-01T10:00:00Z');
  sandbox = await startPaymentSandbox({
    now: () => now,
    dpop: true,
    credentials: { clientSecret: HOSTILE_SECRET },
    ...options,
  });
}

function attach(options: PaymentAuthOptions = {}, credentials: unknown = sandbox.credentials): AxiosInstance {
  const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
  attached.push(
    attachPaymentAuth(api, credentials as Parameters<typeof attachPaymentAuth>[1], {
      clock,
      logger,
      dpop: true,
      ...options,
    }),
  );
  return api;
}

const apiCalls = () => sandbox.requests.filter((r) => r.route === 'api');
const tokenRequests = () => sandbox.requests.filter((r) => r.route === 'token' || r.route === 'refresh');

describe('DPoP against the sandbox', () => {
  it('binds the token to the key and sends a new proof for each request, htu without the query', async () => {
    await start();
    const api = attach();
    await expect(api.get('/payments', { params: { limit: 2 } })).resolves.toMatchObject({ status: 200 });
    await expect(api.post('/payments?expand=all', { amount: 1000, currency: 'EUR' })).resolves.toMatchObject({
      status: 201,
    });
    await expect(api.get(`${sandbox.url}/api/v1/payments#frag`)).resolves.toMatchObject({ status: 200 });
    const token = await attached[0]!.getAccessToken();
    const calls = apiCalls();
    expect(calls.map((c) => [c.status, c.scheme, c.dpop?.htm, c.dpop?.htu, c.dpop?.ath])).toEqual([
      [200, 'DPoP', 'GET', `${sandbox.url}/api/v1/payments`, true],
      [201, 'DPoP', 'POST', `${sandbox.url}/api/v1/payments`, true],
      [200, 'DPoP', 'GET', `${sandbox.url}/api/v1/payments`, true],
    ]);
    const jkt = sandbox.tokenBinding(token);
    expect(jkt).toMatch(/^[\w-]{43}$/);
    expect(new Set(calls.map((c) => c.dpop?.jkt))).toEqual(new Set([jkt]));
    const jtis = sandbox.dpopProofs().map((p) => p.claims.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    expect(tokenRequests().map((r) => [r.route, r.status, r.dpop?.jkt])).toEqual([['token', 200, jkt]]);
    // The proof carries the public key alone.
    const header = sandbox.dpopProofs()[0]!.header;
    expect(Object.keys(header.jwk as object).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(await calculateJwkThumbprint(header.jwk as JWK)).toBe(jkt);
  });

  it('a request without a url goes to the baseURL as it is, and its proof names that URL', async () => {
    await start();
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1/payments` });
    attached.push(attachPaymentAuth(api, sandbox.credentials, { clock, dpop: true }));
    await expect(api.get('')).resolves.toMatchObject({ status: 200 });
    await expect(api.get(undefined as unknown as string)).resolves.toMatchObject({ status: 200 });
    await expect(api.post('', { amount: 3, currency: 'EUR' })).resolves.toMatchObject({ status: 201 });
    expect(apiCalls().map((c) => [c.status, c.dpop?.htu])).toEqual([
      [200, `${sandbox.url}/api/v1/payments`],
      [200, `${sandbox.url}/api/v1/payments`],
      [201, `${sandbox.url}/api/v1/payments`],
    ]);
  });

  it('a proof names the URL this axios calls, however its version joins a baseURL that ends in slashes', async () => {
    await start();
    const api = axios.create({ baseURL: `${sandbox.url}/api/v1//` });
    attached.push(attachPaymentAuth(api, sandbox.credentials, { clock, dpop: true }));
    await api.get('/payments').catch(() => undefined); // axios before 1.21 calls /api/v1//payments: a 404
    const call = apiCalls()[0]!;
    expect(call.dpopError).toBeUndefined();
    expect(call.dpop?.htu).toBe(`${sandbox.url}${call.path}`);
  });

  it.each(['http', 'fetch'] as const)(
    'a redirect is not followed (%s adapter): the proof and the token reach no other URL',
    async (adapter) => {
      const elsewhere = await startRecordingServer('127.0.0.1');
      const api = await startRecordingServer('127.0.0.1', (req, res) => {
        if (req.url.endsWith('/oauth2/token')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ access_token: 'tok', token_type: 'DPoP', expires_in: 900 }));
          return;
        }
        res.writeHead(307, { Location: `${elsewhere.url}/landing` });
        res.end();
      });
      try {
        const client = axios.create({ baseURL: `${api.url}/api/v1`, adapter });
        attached.push(attachPaymentAuth(client, { clientId: 'c', clientSecret: 's' }, { dpop: true }));
        const error = await client.get('/payments').catch((e: unknown) => e);
        expect(axios.isAxiosError(error) && error.response?.status).toBe(307);
        expect(elsewhere.requests).toEqual([]);
      } finally {
        await Promise.all([api.close(), elsewhere.close()]);
      }
    },
  );

  it('a caller key of each type binds the token to that key', async () => {
    for (const [alg, options] of [
      ['ES256', {}],
      ['EdDSA', {}],
      ['Ed25519', {}],
      ['PS256', { modulusLength: 2048 }],
    ] as const) {
      await start();
      const pair = await generateKeyPair(alg, { extractable: true, ...options });
      const expected = await calculateJwkThumbprint(await exportJWK(pair.publicKey));
      for (const privateKey of [await exportJWK(pair.privateKey), await exportPKCS8(pair.privateKey), pair]) {
        const api = attach({
          dpop: { privateKey, ...(alg === 'PS256' || alg === 'Ed25519' ? { algorithm: alg } : {}) },
        });
        await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
        expect(sandbox.tokenBinding(await attached.at(-1)!.getAccessToken())).toBe(expected);
        expect(apiCalls().at(-1)?.dpop?.jkt).toBe(expected);
      }
      expect(new Set(sandbox.dpopProofs().map((p) => (p.header as { alg: string }).alg))).toEqual(new Set([alg]));
      for (const auth of attached.splice(0)) auth.detach();
      await sandbox.close();
    }
  });

  it('a 401 of a revoked token renews it (refresh grant with a proof) and replays the request once with a new proof', async () => {
    await start();
    const api = attach();
    await api.get('/payments');
    const first = await attached[0]!.getAccessToken();
    sandbox.revokeAccessTokens();
    await expect(api.post('/payments', { amount: 5, currency: 'EUR' })).resolves.toMatchObject({ status: 201 });
    const second = await attached[0]!.getAccessToken();
    expect(second).not.toBe(first);
    expect(sandbox.tokenBinding(second)).toBe(sandbox.tokenBinding(first));
    expect(tokenRequests().map((r) => [r.route, r.status])).toEqual([
      ['token', 200],
      ['refresh', 200],
    ]);
    const posts = apiCalls().filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.status)).toEqual([401, 201]);
    expect(posts[0]!.idempotencyKey).toBe(posts[1]!.idempotencyKey);
    // The replay went with a proof of its own: no jti was sent twice.
    const jtis = sandbox.dpopProofs().map((p) => p.claims.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    expect(sandbox.dpopProofs().filter((p) => p.claims.htm === 'POST' && p.claims.ath)).toHaveLength(1);
  });

  it('retries of a failed create carry the same idempotency key and a new proof each', async () => {
    await start();
    const api = attach({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    await api.get('/payments');
    sandbox.injectFault('api', { status: 503 }, 2);
    await expect(api.post('/payments', { amount: 7, currency: 'EUR' })).resolves.toMatchObject({ status: 201 });
    const posts = apiCalls().filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.status)).toEqual([503, 503, 201]);
    expect(new Set(posts.map((c) => c.idempotencyKey)).size).toBe(1);
    // The fault answers before the proof is checked: the sandbox verified the last proof.
    expect(posts[2]!.dpop).toBeDefined();
    const jtis = sandbox.dpopProofs().map((p) => p.claims.jti);
    expect(new Set(jtis).size).toBe(jtis.length);
    expect(sandbox.payments()).toHaveLength(1);
  });

  describe("the server's nonce ('require-nonce')", () => {
    it('a token call asked for a nonce is sent again once with it, not counted as a failure', async () => {
      await start({ dpop: 'require-nonce' });
      const api = attach();
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
      expect(tokenRequests().map((r) => [r.status, r.dpopError])).toEqual([
        [400, 'use_dpop_nonce'],
        [200, undefined],
      ]);
      // The API's nonce is its own (RFC 9449 §9), even on the token endpoint's origin: asked once.
      expect(apiCalls().map((c) => [c.status, c.dpopError])).toEqual([
        [401, 'use_dpop_nonce'],
        [200, undefined],
      ]);
      const status = attached[0]!.status();
      expect(status.lastError).toBeUndefined();
      expect(status.counts).toMatchObject({ failures: 0, tokensAcquired: 1 });
      expect(status.breaker.consecutiveFailures).toBe(0);
    });

    it('an API call with a stale nonce is sent again once with the new one, on the same token', async () => {
      await start({ dpop: 'require-nonce' });
      const api = attach();
      await api.get('/payments');
      sandbox.rotateDpopNonce();
      await expect(api.post('/payments', { amount: 9, currency: 'EUR' })).resolves.toMatchObject({ status: 201 });
      const posts = apiCalls().filter((c) => c.method === 'POST');
      expect(posts.map((c) => [c.status, c.dpopError])).toEqual([
        [401, 'use_dpop_nonce'],
        [201, undefined],
      ]);
      expect(posts[0]!.idempotencyKey).toBe(posts[1]!.idempotencyKey);
      expect(posts[1]!.dpop!.nonce).toBeDefined();
      // No renewal: the token was fine.
      expect(tokenRequests()).toHaveLength(2);
      expect(sandbox.payments()).toHaveLength(1);
      // Learned: the next request carries it at once.
      await api.get('/payments');
      expect(apiCalls().at(-1)!.status).toBe(200);
      // The first token call, the first API call, the change.
      expect(sandbox.counters().dpopNonceChallenges).toBe(3);
    });

    it('a nonce on a successful answer is used from the next request on, without a challenge', async () => {
      await start({ dpop: 'require-nonce' });
      const api = attach();
      await api.get('/payments');
      sandbox.rotateDpopNonce();
      // Answered before the proof is checked, with the new nonce in DPoP-Nonce.
      sandbox.injectFault('api', { status: 200, body: { data: [] } });
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
      expect(apiCalls().map((c) => c.status)).toEqual([401, 200, 200, 200]);
      expect(sandbox.counters().dpopNonceChallenges).toBe(2); // the first token and API calls only
    });

    it('detach() while a request is out: its nonce challenge is not answered, nothing goes out again', async () => {
      await start({ dpop: 'require-nonce' });
      const api = attach();
      await api.get('/payments');
      let open!: () => void;
      sandbox.injectFault('api', { hold: new Promise<void>((r) => (open = r)) });
      const inFlight = api.get('/payments').catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50));
      sandbox.rotateDpopNonce();
      attached[0]!.detach();
      open();
      const error = await inFlight;
      expect(isPaymentAuthError(error) && error.code).toBe('DETACHED');
      expect(apiCalls().map((c) => [c.status, c.dpopError])).toEqual([
        [401, 'use_dpop_nonce'],
        [200, undefined],
        [401, 'use_dpop_nonce'],
      ]);
      expect(inspect(error, { depth: 10 })).not.toContain(sandbox.issuedTokens()[0]!);
    });

    it('a stream body cannot be sent again: BODY_NOT_REPLAYABLE, and the nonce is learned for the next request', async () => {
      await start({ dpop: 'require-nonce' });
      const api = attach();
      await api.get('/payments');
      sandbox.rotateDpopNonce();
      const error = await api
        .post('/payments', Readable.from([Buffer.from('{"amount":1,"currency":"EUR"}')]), {
          headers: { 'Content-Type': 'application/json' },
        })
        .catch((e: unknown) => e);
      expect(isPaymentAuthError(error) && error.code).toBe('BODY_NOT_REPLAYABLE');
      await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    });
  });

  describe('servers that keep asking', () => {
    let server: RecordingServer;
    afterEach(() => server?.close());

    it('a token endpoint that answers use_dpop_nonce with a new nonce each time: two calls, then the error', async () => {
      let n = 0;
      server = await startRecordingServer('127.0.0.1', (_req, res) => {
        res.writeHead(400, { 'Content-Type': 'application/json', 'DPoP-Nonce': `nonce-${++n}` });
        res.end(JSON.stringify({ error: 'use_dpop_nonce' }));
      });
      const api = axios.create({ baseURL: `${server.url}/api/v1` });
      const auth = attachPaymentAuth(api, { clientId: 'c', clientSecret: HOSTILE_SECRET }, { dpop: true, logger });
      attached.push(auth);
      const error = await api.get('/payments').catch((e: unknown) => e);
      expect(isPaymentAuthError(error) && error.code).toBe('TOKEN_REQUEST_REJECTED');
      expect((error as Error).message).toMatch(/use_dpop_nonce/);
      // DPoP is on: the hint is about the proof, not about turning it on.
      expect((error as { hint?: string }).hint).toMatch(/refused the DPoP proof/);
      expect(server.requests).toHaveLength(2);
      expect(
        server.requests.map(
          (r) => JSON.parse(Buffer.from(String(r.headers.dpop).split('.')[1]!, 'base64url').toString()).nonce,
        ),
      ).toEqual([undefined, 'nonce-1']);
    });

    it('an API that answers every proof with use_dpop_nonce and a new nonce: one retry, then the 401', async () => {
      let n = 0;
      server = await startRecordingServer('127.0.0.1', (req, res) => {
        if (req.url.endsWith('/oauth2/token')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ access_token: 'tok', token_type: 'DPoP', expires_in: 900 }));
          return;
        }
        res.writeHead(401, {
          'Content-Type': 'application/json',
          'WWW-Authenticate': 'DPoP error="use_dpop_nonce"',
          'DPoP-Nonce': `api-${++n}`,
        });
        res.end('{}');
      });
      const api = axios.create({ baseURL: `${server.url}/api/v1` });
      attached.push(attachPaymentAuth(api, { clientId: 'c', clientSecret: 's' }, { dpop: true }));
      const error = await api.get('/payments').catch((e: unknown) => e);
      expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
      const calls = server.requests.filter((r) => !r.url.includes('oauth2'));
      expect(calls).toHaveLength(2);
      expect(server.requests.filter((r) => r.url.includes('oauth2'))).toHaveLength(1);
      // The token does not reach the caller's error.
      expect(inspect(error, { depth: 10 })).not.toContain('DPoP tok');
      expect(inspect(error, { depth: 10 })).toContain('DPoP [REDACTED]');
    });

    it('an API that refuses the proof (invalid_dpop_proof): back to the caller, no new token, no replay', async () => {
      server = await startRecordingServer('127.0.0.1', (req, res) => {
        if (req.url.endsWith('/oauth2/token')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ access_token: 'tok', token_type: 'DPoP', expires_in: 900 }));
          return;
        }
        res.writeHead(401, { 'WWW-Authenticate': 'DPoP error="invalid_dpop_proof", error_description="iat"' });
        res.end();
      });
      const api = axios.create({ baseURL: `${server.url}/api/v1` });
      attached.push(attachPaymentAuth(api, { clientId: 'c', clientSecret: 's' }, { dpop: true }));
      const error = await api.get('/payments').catch((e: unknown) => e);
      expect(axios.isAxiosError(error) && error.response?.status).toBe(401);
      expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/oauth2/token', '/api/v1/payments']);
    });
  });

  it("learns the server's clock from its Date and sends the refused proof again once", async () => {
    await start({ clockOffsetMs: 120_000 });
    const api = attach();
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(tokenRequests().map((r) => [r.status, r.dpopError])).toEqual([
      [400, 'invalid_dpop_proof'],
      [200, undefined],
    ]);
    // API proofs use the learned clock too.
    expect(apiCalls().map((c) => c.status)).toEqual([200]);
  });

  it('a server that issues Bearer tokens: sent as Bearer, without a proof', async () => {
    await start({ dpop: false });
    const api = attach();
    await expect(api.get('/payments')).resolves.toMatchObject({ status: 200 });
    expect(apiCalls()[0]!.scheme ?? 'Bearer').toBe('Bearer');
  });

  it('a server that wants DPoP from a client without it: a clear error', async () => {
    await start();
    const api = attach({ dpop: false });
    const error = await api.get('/payments').catch((e: unknown) => e);
    expect(isPaymentAuthError(error) && error.code).toBe('TOKEN_REQUEST_REJECTED');
    expect((error as { hint?: string }).hint).toMatch(/set the dpop option/);
  });

  it('a DPoP token answered to a client without dpop is refused: TOKEN_RESPONSE_INVALID naming the option', async () => {
    const server = await startRecordingServer('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'tok', token_type: 'DPoP', expires_in: 900 }));
    });
    try {
      const api = axios.create({ baseURL: `${server.url}/api/v1` });
      attached.push(attachPaymentAuth(api, { clientId: 'c', clientSecret: 's' }));
      const error = await api.get('/payments').catch((e: unknown) => e);
      expect(isPaymentAuthError(error) && error.code).toBe('TOKEN_RESPONSE_INVALID');
      expect((error as Error).message).toMatch(/set the dpop option/);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('never shows the private key: errors, logs and status() on failure paths', async () => {
    await start();
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(pair.privateKey);
    const pem = await exportPKCS8(pair.privateKey);
    sandbox.injectFault(
      'token',
      { status: 400, body: { error: 'invalid_dpop_proof', error_description: `bad ${jwk.d} ${pem}` } },
      10,
    );
    for (const privateKey of [jwk, pem]) {
      const api = attach({ dpop: { privateKey }, tokenRetries: 0 });
      const error = await api.get('/payments').catch((e: unknown) => e);
      expect(isPaymentAuthError(error)).toBe(true);
      expectNoLeaks([error, logged, attached.at(-1)!.status()], [jwk.d!, pem, pem.split('\n')[1]!, HOSTILE_SECRET]);
    }
    // An unusable key: the error names the problem, not the key.
    const rsa = await generateKeyPair('RS256', { modulusLength: 1024, extractable: true } as never).catch(
      () => undefined,
    );
    const small = rsa
      ? await exportJWK(rsa.privateKey)
      : { kty: 'RSA', n: 'AQAB', e: 'AQAB', d: 'c2VjcmV0LWQtdmFsdWU' };
    const api = attach({ dpop: { privateKey: small } });
    const error = await api.get('/payments').catch((e: unknown) => e);
    expect(isPaymentAuthError(error) && error.code).toBe('CREDENTIALS_MISSING');
    expect((error as Error).message).toMatch(/DPoP proof could not be made/);
    expectNoLeaks([error, logged, attached.at(-1)!.status()], [small.d as string]);
    expect(tokenRequests().filter((r) => r.dpop === undefined && r.status !== 400)).toHaveLength(0);
  });
});

describe('DPoP with a token store shared by attachments', () => {
  it('attachments with keys of their own fetch a token each; one never sends another key\u2019s token', async () => {
    await start();
    const store = new MemoryTokenStore(clock);
    const a = attach({ store });
    const b = attach({ store });
    await a.get('/payments');
    await b.get('/payments');
    await a.get('/payments');
    expect(tokenRequests().filter((r) => r.route === 'token')).toHaveLength(2);
    expect(apiCalls().every((c) => c.status === 200)).toBe(true);
    const [ta, tb] = await Promise.all(attached.map((auth) => auth.getAccessToken()));
    expect(ta).not.toBe(tb);
    expect(sandbox.tokenBinding(ta!)).not.toBe(sandbox.tokenBinding(tb!));
  });

  it('attachments that hold the same key share one token', async () => {
    await start();
    const store = new MemoryTokenStore(clock);
    const pair = await generateKeyPair('ES256', { extractable: true });
    const privateKey = await exportJWK(pair.privateKey);
    const a = attach({ store, dpop: { privateKey } });
    const b = attach({ store, dpop: { privateKey } });
    await a.get('/payments');
    await b.get('/payments');
    expect(tokenRequests()).toHaveLength(1);
    expect(apiCalls().map((c) => c.status)).toEqual([200, 200]);
  });

  it('a store that mixes keys up (returns any token for any key) never gets another key\u2019s token sent', async () => {
    await start();
    let last: StoredToken | undefined;
    const careless: TokenStore = {
      get: async () => last,
      set: async (_key, token) => void (last = token),
      tryLock: async () => true,
      unlock: async () => undefined,
    };
    const a = attach({ store: careless });
    const b = attach({ store: careless });
    await a.get('/payments');
    await b.get('/payments');
    expect(apiCalls().map((c) => c.status)).toEqual([200, 200]);
    // b found a's token under its key and left it; the refresh token is not bound to a key
    // (RFC 9449 §5, confidential clients), so b renewed with it, binding a token to its own key.
    expect(tokenRequests().map((r) => r.route)).toEqual(['token', 'refresh']);
    const [ta, tb] = await Promise.all(attached.map((auth) => auth.getAccessToken()));
    expect(sandbox.tokenBinding(ta!)).not.toBe(sandbox.tokenBinding(tb!));
    expect(apiCalls().map((c) => c.dpop?.jkt)).toEqual([sandbox.tokenBinding(ta!), sandbox.tokenBinding(tb!)]);
  });

  describe('through Redis', () => {
    let redis: RedisServer;
    let client: Redis;
    beforeAll(async () => {
      redis = await startRedis();
      client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      client.disconnect();
      await redis.stop();
    });

    it('a fleet that shares the key shares one token; a process with a key of its own gets its own', async () => {
      await start();
      await client.flushall();
      const pair = await generateKeyPair('ES256', { extractable: true });
      const privateKey = await exportJWK(pair.privateKey);
      const store = () => new RedisTokenStore({ client, keyPrefix: 'dpop-test:' });
      const fleet = [1, 2, 3].map(() => attach({ store: store(), dpop: { privateKey } }));
      await Promise.all(fleet.map((api) => api.get('/payments')));
      expect(tokenRequests()).toHaveLength(1);
      const loner = attach({ store: store() });
      await loner.get('/payments');
      expect(tokenRequests()).toHaveLength(2);
      expect(apiCalls().map((c) => c.status)).toEqual([200, 200, 200, 200]);
      const keys = await client.keys('dpop-test:*');
      expect(keys.filter((k) => k.includes(':jkt=')).length).toBe(2);
      // Stored: the binding, never the key.
      const values = await Promise.all(keys.map((k) => client.get(k)));
      expect(values.join('\n')).not.toContain(privateKey.d!);
      expect(values.filter((v) => v?.includes('"tokenType":"DPoP"'))).toHaveLength(2);
    });
  });
});

it('the proofs decode as RFC 9449 §4.2 describes', async () => {
  await start();
  const api = attach();
  await api.get('/payments');
  const proof = sandbox.dpopProofs().at(-1)!;
  expect(proof.header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
  expect(Object.keys(proof.claims).sort()).toEqual(['ath', 'htm', 'htu', 'iat', 'jti']);
  expect(decodeProtectedHeader).toBeDefined();
});
