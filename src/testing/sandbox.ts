import { createServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { REFRESH_PATH, TOKEN_PATH } from '../options/options';
import { isLoopbackAddress } from '../util/urls';
import { AssertionVerifier } from './sandbox-assertions';
import { SandboxAuthority } from './sandbox-auth';
import { DpopVerifier } from './sandbox-dpop';
import { FaultQueue } from './sandbox-faults';
import { sendJson } from './sandbox-http';
import { SandboxLedger } from './sandbox-payments';
import { createRequestHandler } from './sandbox-server';
import { httpsServerOptions, isTlsMode } from './sandbox-tls';
import type {
  PaymentSandbox,
  PaymentSandboxOptions,
  SandboxClientAuth,
  SandboxContext,
  SandboxRequest,
} from './sandbox-types';

const CLIENT_AUTH_MODES: readonly SandboxClientAuth[] = [
  'client_secret',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];

function validate(options: PaymentSandboxOptions): SandboxClientAuth {
  const mode = options.clientAuth ?? 'client_secret';
  if (!CLIENT_AUTH_MODES.includes(mode))
    throw new TypeError(
      `startPaymentSandbox: clientAuth must be one of ${CLIENT_AUTH_MODES.join(', ')}, got ${JSON.stringify(mode)}`,
    );
  if (isTlsMode(mode) && !options.tls)
    throw new TypeError(`startPaymentSandbox: clientAuth '${mode}' needs tls (the server's certificate and key)`);
  const offset = options.clockOffsetMs ?? 0;
  if (typeof offset !== 'number' || !Number.isFinite(offset))
    throw new TypeError('startPaymentSandbox: clockOffsetMs must be a finite number of ms');
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackAddress(host))
    throw new TypeError(`startPaymentSandbox: host must be a loopback address, got ${JSON.stringify(host)}`);
  if (options.clients !== undefined && !Array.isArray(options.clients))
    throw new TypeError('startPaymentSandbox: clients must be an array of { clientId?, clientSecret?, … }');
  if (options.dpop !== undefined && typeof options.dpop !== 'boolean' && options.dpop !== 'require-nonce')
    throw new TypeError(
      `startPaymentSandbox: dpop must be true, false or 'require-nonce', got ${JSON.stringify(options.dpop)}`,
    );
  return mode;
}

/**
 * Starts a loopback simulator of the Payment API: the token and refresh endpoints, the payments
 * API behind bearer auth, and controls for tests (lifetimes, revocation, faults, a request log).
 * Clients authenticate with a secret by default; `clientAuth` switches to `private_key_jwt` or
 * mutual TLS (with `tls`, the sandbox speaks HTTPS). With `dpop`, tokens are bound to the client's
 * DPoP key (RFC 9449) and every call carries a proof of it.
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
  const mode = validate(options);
  const host = options.host ?? '127.0.0.1';
  const wallClock = options.now ?? Date.now;
  const offset = options.clockOffsetMs ?? 0;
  const clock = (): number => wallClock() + offset;
  const authority = new SandboxAuthority(
    { accessTokenTtlS: options.accessTokenTtlS ?? 900, refreshTokenTtlS: options.refreshTokenTtlS ?? 86_400 },
    clock,
  );
  const faults = new FaultQueue();
  const log: SandboxRequest[] = [];
  const credentials = authority.addClient(options.credentials);
  const clients = (options.clients ?? []).map((client) => authority.addClient(client));
  /** Responses whose answer is swallowed: the socket is closed instead (dropAfterHandling). */
  const swallowed = new WeakSet<ServerResponse>();
  const ctx: SandboxContext = {
    mode,
    authority,
    ledger: new SandboxLedger(),
    assertions: new AssertionVerifier(authority, clock),
    dpop: options.dpop ? new DpopVerifier(options.dpop === 'require-nonce', clock) : undefined,
    clock,
    // Known once the server listens.
    issuer: '',
    tokenUrl: '',
    refreshUrl: '',
    send(res, status, body, headers) {
      if (swallowed.has(res)) res.socket?.destroy();
      else sendJson(res, status, body, { ...ctx.dpop?.nonceHeaders(), ...headers });
    },
  };
  const handler = createRequestHandler(ctx, faults, log, swallowed);
  const server = options.tls
    ? createHttpsServer(httpsServerOptions(options.tls, mode), handler)
    : createServer(handler);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  ctx.issuer = url;
  ctx.tokenUrl = `${url}${TOKEN_PATH}`;
  ctx.refreshUrl = `${url}${REFRESH_PATH}`;

  return {
    url,
    issuer: url,
    tokenUrl: ctx.tokenUrl,
    credentials,
    clients,
    tokenClient: (token) => authority.tokenClient(token),
    requests: log,
    counters() {
      const count = (test: (r: SandboxRequest) => boolean): number => log.filter(test).length;
      return {
        tokenCalls: count((r) => r.route === 'token'),
        refreshCalls: count((r) => r.route === 'refresh'),
        apiCalls: count((r) => r.route === 'api'),
        unauthorized: count((r) => r.route === 'api' && r.status === 401),
        paymentsCreated: count((r) => r.route === 'api' && r.method === 'POST' && r.status === 201),
        dpopNonceChallenges: count((r) => r.dpopError === 'use_dpop_nonce'),
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
    payments: () => ctx.ledger.list(),
    issuedTokens: () => [...authority.issued],
    assertions: () => structuredClone(ctx.assertions.verified),
    dpopProofs: () => structuredClone(ctx.dpop?.verified ?? []),
    tokenBinding: (accessToken) => authority.dpopBinding(accessToken),
    rotateDpopNonce: () => ctx.dpop?.rotateNonce(),
    reset() {
      log.length = 0;
      faults.clear();
      ctx.assertions.verified.length = 0;
      if (ctx.dpop) ctx.dpop.verified.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
