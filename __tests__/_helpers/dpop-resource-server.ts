import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  EmbeddedJWK,
  jwtVerify,
  type JWK,
  type JWTPayload,
} from 'jose';

/** The proof algorithms it takes: those the authorization server of the tests takes. */
export const PROOF_ALGORITHMS = ['ES256', 'PS256', 'RS256', 'EdDSA'];
/** How far a proof's `iat` may be from the server's clock, in seconds. */
const IAT_WINDOW_S = 60;
const BASE_PATH = '/api/v1';
const PAYMENTS = `${BASE_PATH}/payments`;

/** One request the resource server received, and how it answered. */
export interface ResourceRequest {
  method: string;
  /** Path and query. */
  url: string;
  authorization: string | undefined;
  body: string;
  /** The `DPoP` proof, decoded (before any check), when the request carried exactly one. */
  proof?: { header: Record<string, unknown>; payload: Record<string, unknown> };
  /** The access token's claims, once its signature, issuer and audience were verified. */
  claims?: JWTPayload;
  status: number;
  /** The `error` of the DPoP challenge of a 401: `invalid_token`, `invalid_dpop_proof`, `use_dpop_nonce`. */
  error?: string;
  /** Why it refused, for the test's failure messages. */
  reason?: string;
}

export interface DpopResourceServer {
  /** `http://127.0.0.1:<port>/api/v1`: the axios baseURL of the tests. */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request, in order. */
  requests: ResourceRequest[];
  /** Nonce mode (RFC 9449 §9): every proof must carry the server's current nonce. */
  requireNonce(on: boolean): void;
  /**
   * Makes a new nonce and returns it. Proofs with the one before are refused from now on, unless
   * `keepPrevious`: then it is still taken until the next rotation, and the next answer gives the
   * new one (a rotation with notice).
   */
  rotateNonce(options?: { keepPrevious?: boolean }): string;
  /** Refuses this access token from now on (`invalid_token`), as a revocation would. */
  revoke(token: string): void;
  /** In nonce mode, refuses every proof for its nonce, with a new one each time: a server that never settles. */
  refuseEveryNonce(on: boolean): void;
  /** Answers the next `count` requests 503 (`Retry-After: 0`) before any check, their proof recorded. */
  failNext(count: number): void;
  /** Refuses every access token (`invalid_token`) while on, as if each were revoked as it is issued. */
  refuseAllTokens(on: boolean): void;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly error: 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce' | undefined,
    reason: string,
  ) {
    super(reason);
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'ascii').digest('base64url');

function decoded(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  try {
    return { header: decodeProtectedHeader(jwt) as Record<string, unknown>, payload: decodeJwt(jwt) };
  } catch {
    return undefined;
  }
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A resource server on 127.0.0.1 that takes DPoP-bound access tokens as RFC 9449 §7 asks: the
 * access token is a JWT (RFC 9068) of `issuer` for `audience`, verified with the issuer's JWKS
 * (`<issuer>/jwks`, ES256); the request carries `Authorization: DPoP <token>` and exactly one
 * `DPoP` proof, which is verified with jose (`typ` dpop+jwt, the key embedded in its header) and
 * must name the request's method (`htm`) and this server's URL without its query (`htu`), hash
 * the token (`ath`), be recent (`iat` within 60 s), never come twice (`jti`), be signed by the key
 * the token is bound to (its RFC 7638 thumbprint is the token's `cnf.jkt`), and in nonce mode
 * carry the current nonce (which every answer gives). GET and POST `/api/v1/payments` answer 200 with JSON; any refusal is a
 * 401 with a DPoP challenge (RFC 9449 §7.1), with `DPoP-Nonce` when it is `use_dpop_nonce`.
 */
export async function startDpopResourceServer(options: {
  issuer: string;
  audience: string;
  /**
   * Serves the authorization server on this origin too: every request outside `/api/v1` is passed
   * to `issuer` as it came (its Host header kept, so the provider checks `htu` against this
   * origin), and is not recorded. An API and its token endpoint on one host, as often deployed.
   */
  sameOriginAuthorizationServer?: boolean;
}): Promise<DpopResourceServer> {
  const jwks = createRemoteJWKSet(new URL(`${options.issuer}/jwks`));
  const requests: ResourceRequest[] = [];
  const seenJtis = new Set<string>();
  const revoked = new Set<string>();
  let nonceRequired = false;
  let refuseAll = false;
  let refuseNonces = false;
  let failures = 0;
  let nonce = randomBytes(16).toString('base64url');
  /** The nonce before the last rotation, while it is still taken. */
  let previousNonce: string | undefined;
  let origin = '';

  async function check(req: IncomingMessage, record: ResourceRequest): Promise<void> {
    const authorization = /^DPoP ([A-Za-z0-9._~+/-]+=*)$/.exec(record.authorization ?? '');
    // No DPoP credentials at all (none, or another scheme): a challenge without an error (§7.1).
    if (!authorization) throw new Refusal(undefined, 'no Authorization: DPoP');
    const token = authorization[1]!;
    const proofs = req.headersDistinct.dpop ?? [];
    if (proofs.length !== 1) throw new Refusal('invalid_dpop_proof', `${proofs.length} DPoP headers`);
    const proof = proofs[0]!;
    record.proof = decoded(proof);

    let payload: JWTPayload;
    let jwk: JWK;
    try {
      const verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: PROOF_ALGORITHMS });
      payload = verified.payload;
      jwk = verified.protectedHeader.jwk!;
    } catch (error) {
      throw new Refusal('invalid_dpop_proof', `proof: ${(error as Error).message}`);
    }
    if (typeof payload.jti !== 'string' || payload.jti === '') throw new Refusal('invalid_dpop_proof', 'no jti');
    if (seenJtis.has(payload.jti)) throw new Refusal('invalid_dpop_proof', `jti ${payload.jti} replayed`);
    seenJtis.add(payload.jti);
    if (payload.htm !== req.method) throw new Refusal('invalid_dpop_proof', `htm ${String(payload.htm)}`);
    const htu = `${origin}${new URL(req.url ?? '/', origin).pathname}`;
    if (payload.htu !== htu) throw new Refusal('invalid_dpop_proof', `htu ${String(payload.htu)}, not ${htu}`);
    if (typeof payload.iat !== 'number' || Math.abs(Date.now() / 1000 - payload.iat) > IAT_WINDOW_S)
      throw new Refusal('invalid_dpop_proof', `iat ${String(payload.iat)}`);
    if (payload.ath !== sha256(token)) throw new Refusal('invalid_dpop_proof', 'ath is not the hash of the token');

    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        typ: 'at+jwt',
        algorithms: ['ES256'],
      }));
    } catch (error) {
      throw new Refusal('invalid_token', `token: ${(error as Error).message}`);
    }
    record.claims = claims;
    if (refuseAll || revoked.has(claims.jti ?? '')) throw new Refusal('invalid_token', 'token revoked');
    const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (typeof jkt !== 'string') throw new Refusal('invalid_token', 'the token is not DPoP-bound (no cnf.jkt)');
    if ((await calculateJwkThumbprint(jwk, 'sha256')) !== jkt)
      throw new Refusal('invalid_token', 'the proof key is not the key the token is bound to');

    const nonceTaken = payload.nonce === nonce || (previousNonce !== undefined && payload.nonce === previousNonce);
    if (nonceRequired && !nonceTaken)
      throw new Refusal('use_dpop_nonce', payload.nonce === undefined ? 'no nonce' : 'stale nonce');
    if (nonceRequired && refuseNonces) {
      nonce = randomBytes(16).toString('base64url');
      throw new Refusal('use_dpop_nonce', 'a new nonce each time');
    }
  }

  /** Passes a request on to the authorization server and its answer back. */
  function forward(req: IncomingMessage, res: ServerResponse, body: string): void {
    const upstream = httpRequest(new URL(req.url ?? '/', options.issuer), { method: req.method, headers: req.headers });
    upstream.once('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.once('error', () => res.writeHead(502).end());
    upstream.end(body);
  }

  const server = createServer(async (req, res) => {
    if (
      options.sameOriginAuthorizationServer &&
      !new URL(req.url ?? '/', origin).pathname.startsWith(`${BASE_PATH}/`)
    ) {
      forward(req, res, await bodyOf(req));
      return;
    }
    const record: ResourceRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      body: await bodyOf(req),
      status: 0,
    };
    requests.push(record);
    const path = new URL(record.url, origin).pathname;
    if (path !== PAYMENTS || (record.method !== 'GET' && record.method !== 'POST')) {
      record.status = 404;
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}');
      return;
    }
    if (failures > 0) {
      failures -= 1;
      const proofs = req.headersDistinct.dpop ?? [];
      if (proofs.length === 1) record.proof = decoded(proofs[0]!);
      record.status = 503;
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '0' }).end('{"error":"unavailable"}');
      return;
    }
    try {
      await check(req, record);
    } catch (error) {
      if (!(error instanceof Refusal)) {
        record.status = 500;
        record.reason = String(error);
        res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"server_error"}');
        return;
      }
      record.status = 401;
      record.error = error.error;
      record.reason = error.message;
      const params = [`algs="${PROOF_ALGORITHMS.join(' ')}"`];
      // A quoted-string (RFC 9110 §5.6.4): no `"` or `\` inside.
      const description = error.message.replace(/["\\]/g, "'");
      if (error.error) params.unshift(`error="${error.error}"`, `error_description="${description}"`);
      res.writeHead(401, {
        'Content-Type': 'application/json',
        'WWW-Authenticate': `DPoP ${params.join(', ')}`,
        ...(error.error === 'use_dpop_nonce' ? { 'DPoP-Nonce': nonce } : {}),
      });
      res.end(JSON.stringify({ error: error.error ?? 'unauthorized' }));
      return;
    }
    record.status = 200;
    const answer =
      record.method === 'GET'
        ? { data: [{ id: 'pay_1', amount: 1000, currency: 'EUR' }] }
        : { id: `pay_${requests.length}`, status: 'created', request: JSON.parse(record.body || 'null') as unknown };
    // In nonce mode every answer gives the current nonce (§9: a server may supply one in any answer).
    res
      .writeHead(200, { 'Content-Type': 'application/json', ...(nonceRequired ? { 'DPoP-Nonce': nonce } : {}) })
      .end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}${BASE_PATH}`,
    origin,
    requests,
    requireNonce(on) {
      nonceRequired = on;
    },
    rotateNonce(options = {}) {
      previousNonce = options.keepPrevious ? nonce : undefined;
      nonce = randomBytes(16).toString('base64url');
      return nonce;
    },
    revoke(token) {
      const jti = decodeJwt(token).jti;
      if (jti) revoked.add(jti);
    },
    failNext(count) {
      failures = count;
    },
    refuseEveryNonce(on) {
      refuseNonces = on;
    },
    refuseAllTokens(on) {
      refuseAll = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
