import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REFRESH_PATH, TOKEN_PATH } from '../options/options';
import { isLoopbackAddress } from '../util/urls';
import { SandboxAuthority, type SandboxClient, type SandboxLifetimes, type SandboxTokenState } from './sandbox-auth';
import { describeFault, FaultQueue, type SandboxFault, type SandboxRoute } from './sandbox-faults';
import { decodeBasic, envelope, mask, parseFields, readBody, requestId, sendJson } from './sandbox-http';
import { SandboxLedger, type SandboxPayment } from './sandbox-payments';

/** Options of {@link startPaymentSandbox}. */
export interface PaymentSandboxOptions {
  /** Loopback address to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port; 0 picks a free one. @default 0 */
  port?: number;
  /** Access token lifetime in seconds. @default 900 */
  accessTokenTtlS?: number;
  /** Refresh token lifetime in seconds. @default 86400 */
  refreshTokenTtlS?: number;
  /** Credentials of the default client. @default random ones */
  credentials?: Partial<SandboxClient>;
  /** Clock in epoch ms, for tests that move time. @default Date.now */
  now?: () => number;
}

/** One entry of the sandbox's request log. Tokens are masked and secrets never recorded. */
export interface SandboxRequest {
  route: SandboxRoute | 'other';
  method: string;
  path: string;
  status: number;
  /** The client, when the call authenticated (token endpoints) or carried a valid token (API). */
  clientId?: string;
  /** How a token endpoint call authenticated the client. */
  clientAuth?: 'basic' | 'post' | 'none';
  grantType?: string;
  /** The bearer token of an API call, masked. */
  token?: string;
  /**
   * What the sandbox knew of that token when the call arrived: `revoked` means it was revoked after
   * it was issued (by `revokeAccessTokens()`), `unknown` that the sandbox never issued it.
   */
  tokenState?: SandboxTokenState;
  /** The `X-Request-Id` (and envelope `request_id`) of the API's answer, to find the call an error came from. */
  requestId?: string;
  /** `NO_TOKEN` or `INVALID_TOKEN` for an API 401. */
  errorCode?: string;
  idempotencyKey?: string;
  bodyBytes: number;
  fault?: string;
  /** When the call arrived (epoch ms, the sandbox's clock). */
  at: number;
}

/** Counts derived from the request log. */
export interface SandboxCounters {
  tokenCalls: number;
  refreshCalls: number;
  apiCalls: number;
  unauthorized: number;
  paymentsCreated: number;
}

/** A running sandbox. */
export interface PaymentSandbox {
  /** `http://127.0.0.1:<port>`; use it as the axios `baseURL` (with or without `/api/v1`). */
  readonly url: string;
  /** Credentials of the default client. */
  readonly credentials: SandboxClient;
  /** Every call so far, oldest first. */
  readonly requests: readonly SandboxRequest[];
  /** Counters over {@link requests}. */
  counters(): SandboxCounters;
  /** Registers another client; random credentials unless given. */
  addClient(client?: Partial<SandboxClient>): SandboxClient;
  /** Changes token lifetimes for tokens issued from now on. */
  setLifetimes(lifetimes: Partial<SandboxLifetimes>): void;
  /** Makes every access token issued so far invalid (API calls get 401 INVALID_TOKEN). */
  revokeAccessTokens(): void;
  /** Makes every refresh token issued so far invalid (refresh gets 401 invalid_grant). */
  revokeRefreshTokens(): void;
  /**
   * Arms a fault for the next `times` calls of a route; `Infinity` keeps it until
   * {@link clearFaults} (an outage).
   */
  injectFault(route: SandboxRoute, fault: SandboxFault, times?: number): void;
  /** Disarms every fault of `route`, or of every route: ends an outage. */
  clearFaults(route?: SandboxRoute): void;
  /** Payments created so far, across clients. */
  payments(): SandboxPayment[];
  /**
   * Every access and refresh token issued so far, in full: canaries for tests that check no token
   * reaches an error or a log line. Test use only.
   */
  issuedTokens(): readonly string[];
  /** Clears the request log and the armed faults (tokens and payments stay). */
  reset(): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/**
 * Starts a loopback simulator of the Payment API: the token and refresh endpoints, the payments
 * API behind bearer auth, and controls for tests (lifetimes, revocation, faults, a request log).
 *
 * @example
 * ```ts
 * const sandbox = await startPaymentSandbox({ accessTokenTtlS: 900 });
 * const api = axios.create({ baseURL: `${sandbox.url}/api/v1` });
 * attachPaymentAuth(api, sandbox.credentials);
 * await api.post('/payments', { amount: 1000, currency: 'EUR' });
 * await sandbox.close();
 * ```
 */
export async function startPaymentSandbox(options: PaymentSandboxOptions = {}): Promise<PaymentSandbox> {
  const now = options.now ?? Date.now;
  const authority = new SandboxAuthority(
    { accessTokenTtlS: options.accessTokenTtlS ?? 900, refreshTokenTtlS: options.refreshTokenTtlS ?? 86_400 },
    now,
  );
  const ledger = new SandboxLedger();
  const faults = new FaultQueue();
  const log: SandboxRequest[] = [];
  const credentials = authority.addClient(options.credentials);
  /** Responses whose answer is swallowed: the socket is closed instead (dropAfterHandling). */
  const swallowed = new WeakSet<ServerResponse>();
  const send = (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void => {
    if (swallowed.has(res)) res.socket?.destroy();
    else sendJson(res, status, body, headers);
  };

  async function handleToken(
    route: 'token' | 'refresh',
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    entry: SandboxRequest,
  ): Promise<void> {
    const reply = (status: number, payload: unknown, headers?: Record<string, string>): void => {
      entry.status = status;
      send(res, status, payload, headers);
    };
    const fields = parseFields(body, req.headers['content-type']);
    if (!fields)
      return reply(400, {
        error: 'invalid_request',
        error_description: 'body must be application/x-www-form-urlencoded or JSON',
      });
    const basic = decodeBasic(req.headers.authorization);
    const posted = fields.client_id !== undefined || fields.client_secret !== undefined;
    if (basic && posted)
      return reply(400, { error: 'invalid_request', error_description: 'use one client authentication method' });
    entry.clientAuth = basic ? 'basic' : posted ? 'post' : 'none';
    entry.grantType = fields.grant_type;
    const client =
      basic ?? (posted ? { clientId: fields.client_id ?? '', clientSecret: fields.client_secret ?? '' } : undefined);
    if (client && !authority.authenticate(client.clientId, client.clientSecret)) {
      return reply(
        401,
        { error: 'invalid_client', error_description: 'client authentication failed' },
        basic ? { 'WWW-Authenticate': 'Basic realm="payment-api"' } : {},
      );
    }
    if (client) entry.clientId = client.clientId;
    if (route === 'token') {
      if (!client) return reply(401, { error: 'invalid_client', error_description: 'client authentication required' });
      if (fields.grant_type !== 'client_credentials')
        return reply(400, { error: 'unsupported_grant_type', error_description: 'use client_credentials' });
      const access = authority.issueAccess(client.clientId);
      return reply(200, {
        access_token: access.accessToken,
        token_type: 'Bearer',
        expires_in: access.expiresInS,
        refresh_token: authority.issueRefresh(client.clientId),
      });
    }
    if (fields.grant_type !== undefined && fields.grant_type !== 'refresh_token')
      return reply(400, { error: 'unsupported_grant_type', error_description: 'use refresh_token' });
    const owner = fields.refresh_token ? authority.verifyRefresh(fields.refresh_token) : undefined;
    if (!owner || (client && owner !== client.clientId))
      return reply(401, { error: 'invalid_grant', error_description: 'refresh token is invalid, expired or revoked' });
    entry.clientId = owner;
    const access = authority.issueAccess(owner);
    return reply(200, { access_token: access.accessToken, token_type: 'Bearer', expires_in: access.expiresInS });
  }

  function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
    entry: SandboxRequest,
  ): void {
    const id = requestId();
    entry.requestId = id;
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      send(res, status, payload, { 'X-Request-Id': id, ...headers });
    };
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) {
      entry.errorCode = 'NO_TOKEN';
      return reply(401, envelope('NO_TOKEN', 'No bearer token was sent', id), {
        'WWW-Authenticate': 'Bearer realm="payment-api"',
      });
    }
    entry.tokenState = authority.accessTokenState(bearer);
    const clientId = authority.verifyAccess(bearer);
    if (!clientId) {
      entry.errorCode = 'INVALID_TOKEN';
      return reply(401, envelope('INVALID_TOKEN', 'The bearer token is invalid or expired', id), {
        'WWW-Authenticate': 'Bearer realm="payment-api", error="invalid_token"',
      });
    }
    entry.clientId = clientId;
    if (path === '/api/v1/payments' && req.method === 'POST') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return reply(400, envelope('VALIDATION_ERROR', 'body must be JSON', id));
      }
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
      const outcome = ledger.create(clientId, parsed, key, now());
      if (outcome.kind === 'invalid') return reply(400, envelope('VALIDATION_ERROR', outcome.message, id));
      if (outcome.kind === 'key_reused')
        return reply(422, envelope('IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key was used with another request body', id));
      return reply(
        outcome.kind === 'created' ? 201 : 200,
        outcome.payment,
        outcome.kind === 'replayed' ? { 'Idempotent-Replayed': 'true' } : {},
      );
    }
    if (path === '/api/v1/payments' && req.method === 'GET') return reply(200, { data: ledger.list(clientId) });
    const match = /^\/api\/v1\/payments\/([^/]+)$/.exec(path);
    if (match && req.method === 'GET') {
      const payment = ledger.get(clientId, decodeURIComponent(match[1]!));
      return payment ? reply(200, payment) : reply(404, envelope('NOT_FOUND', 'No such payment', id));
    }
    return reply(404, envelope('NOT_FOUND', `No route ${req.method} ${path}`, id));
  }

  async function applyFault(fault: SandboxFault, res: ServerResponse, entry: SandboxRequest): Promise<boolean> {
    entry.fault = describeFault(fault);
    if (fault.hold) await fault.hold.catch(() => undefined);
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.drop) {
      entry.status = 0;
      res.socket?.destroy();
      return true;
    }
    if (fault.dropAfterHandling) {
      swallowed.add(res);
      return false;
    }
    if (fault.malformed) {
      entry.status = 200;
      sendJson(res, 200, '{"access_token":"at_trunc');
      return true;
    }
    if (fault.status === undefined) return false;
    entry.status = fault.status;
    const headers = {
      ...(fault.retryAfterS !== undefined ? { 'Retry-After': String(fault.retryAfterS) } : {}),
      ...fault.headers,
    };
    sendJson(
      res,
      fault.status,
      fault.body ?? envelope('SANDBOX_FAULT', `Injected ${fault.status}`, requestId()),
      headers,
    );
    return true;
  }

  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
      const route: SandboxRequest['route'] =
        path === TOKEN_PATH
          ? 'token'
          : path === REFRESH_PATH
            ? 'refresh'
            : path.startsWith('/api/v1/')
              ? 'api'
              : 'other';
      const body = await readBody(req);
      const entry: SandboxRequest = {
        route,
        method: req.method ?? 'GET',
        path,
        status: 0,
        bodyBytes: body?.length ?? 0,
        at: now(),
      };
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') entry.idempotencyKey = key;
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
      if (route === 'api' && bearer) entry.token = mask(bearer);
      log.push(entry);
      if (!body) {
        entry.status = 413;
        return sendJson(res, 413, envelope('PAYLOAD_TOO_LARGE', 'body too large', requestId()));
      }
      const fault = route === 'other' ? undefined : faults.take(route);
      if (fault && (await applyFault(fault, res, entry))) return;
      if (route === 'other') {
        entry.status = 404;
        return sendJson(res, 404, envelope('NOT_FOUND', 'Not found', requestId()));
      }
      if (route !== 'api' && req.method !== 'POST') {
        entry.status = 405;
        return sendJson(res, 405, { error: 'invalid_request', error_description: 'use POST' });
      }
      if (route === 'api') return handleApi(req, res, path, body, entry);
      return handleToken(route, req, res, body, entry);
    })().catch(() => {
      if (!res.headersSent) sendJson(res, 500, envelope('INTERNAL', 'sandbox error', requestId()));
    });
  });

  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host))
    throw new TypeError(`startPaymentSandbox: host must be a loopback address, got ${JSON.stringify(host)}`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    credentials,
    requests: log,
    counters() {
      const count = (test: (r: SandboxRequest) => boolean): number => log.filter(test).length;
      return {
        tokenCalls: count((r) => r.route === 'token'),
        refreshCalls: count((r) => r.route === 'refresh'),
        apiCalls: count((r) => r.route === 'api'),
        unauthorized: count((r) => r.route === 'api' && r.status === 401),
        paymentsCreated: count((r) => r.route === 'api' && r.method === 'POST' && r.status === 201),
      };
    },
    addClient: (client) => authority.addClient(client),
    setLifetimes(lifetimes) {
      authority.lifetimes = { ...authority.lifetimes, ...lifetimes };
    },
    revokeAccessTokens: () => void authority.revokeAccessTokens(),
    revokeRefreshTokens: () => void authority.revokeRefreshTokens(),
    injectFault: (route, fault, times = 1) => faults.add(route, fault, times),
    clearFaults: (route) => faults.clear(route),
    payments: () => ledger.list(),
    issuedTokens: () => [...authority.issued],
    reset() {
      log.length = 0;
      faults.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
