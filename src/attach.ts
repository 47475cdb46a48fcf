import type { AxiosInstance } from 'axios';
import { createCredentialSource, inferClientAuthMethod, keySecrets } from './token/credential-source';
import { DpopProofs } from './token/dpop/dpop-proofs';
import { AssertionSource } from './token/assertion-source';
import { setUpClientCertificate } from './token/client-certificate';
import { ServerClock } from './token/server-clock';
import type { CredentialsInput } from './token/credentials';
import { normalizeOptions } from './options/normalize';
import { DEFAULTS, type PaymentAuthOptions } from './options/options';
import { createReporter, type LastAuthError, type PaymentAuthCounts } from './observability/reporter';
import { createRequestInterceptor } from './interceptors/request';
import { createResponseInterceptors } from './interceptors/response';
import { installRetries } from './retry/install';
import { isBrowserLike } from './util/runtime';
import { createScope } from './request/scope';
import { createTokenEndpoint } from './token/endpoint';
import { MemoryTokenStore } from './store/memory-store';
import { TokenManager } from './token/manager';
import type { BreakerStatus } from './token/breaker';

/** What {@link PaymentAuth.status} returns. */
export interface PaymentAuthStatus {
  hasToken: boolean;
  /** Until the cached access token expires; undefined without one. */
  expiresInMs: number | undefined;
  /** Until the refresh token expires; undefined without one. */
  refreshTokenExpiresInMs: number | undefined;
  /** The circuit breaker on the token endpoint: its state, failures in a row, time to the next call. */
  breaker: BreakerStatus;
  lastError: LastAuthError | undefined;
  counts: PaymentAuthCounts;
}

/** The handle {@link attachPaymentAuth} returns. */
export interface PaymentAuth {
  /**
   * The current access token, from the same single flight as the requests: cached while valid,
   * fetched once for every concurrent caller otherwise. Rejects with `PaymentAuthError`.
   */
  getAccessToken(): Promise<string>;
  /** Forgets the cached access token; the next request gets a new one (by refresh token when valid). */
  invalidate(): void;
  /**
   * A health snapshot without secrets, for health endpoints: whether a valid token is cached, how
   * long it and the refresh token have left, the last failure, and the counts since attach.
   */
  status(): PaymentAuthStatus;
  /**
   * Ejects exactly the interceptors that were installed (ours and axios-retry's), ends pending token waits with
   * `DETACHED` and forgets the tokens. Safe to call twice.
   */
  detach(): void;
}

/** The instances with an attachment of this copy of the package that has not been detached. */
const ATTACHED = new WeakSet<AxiosInstance>();

function processEnv(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

/**
 * Gives an axios instance OAuth2 client-credentials auth for the Payment API.
 *
 * Installs a request interceptor that adds `Authorization: Bearer <token>` to requests bound for
 * the API origin, from a token cached for its lifetime and renewed ahead of expiry by one shared
 * flight; and a response interceptor that answers a 401 by renewing the token once and replaying
 * the request once. Option and credential mistakes throw a `TypeError` here, not at the first
 * request, and so does a second attachment to an instance that has one (detach it first).
 *
 * @param instance an axios instance with a `baseURL` on the Payment API (`https://host` or
 *   `https://host/api/v1`).
 * @param credentials `{ clientId, clientSecret }`, a function returning them, or omitted to read
 *   `PAYMENT_CLIENT_ID` and `PAYMENT_CLIENT_SECRET` from the environment.
 * @param options see {@link PaymentAuthOptions}.
 *
 * @example
 * ```ts
 * const api = axios.create({ baseURL: 'https://api.example-pay.com/api/v1' });
 * const auth = attachPaymentAuth(api, { clientId, clientSecret });
 * await api.post('/payments', { amount: 1000, currency: 'EUR' });
 * ```
 */
export function attachPaymentAuth(
  instance: AxiosInstance,
  credentials?: CredentialsInput,
  options?: PaymentAuthOptions,
): PaymentAuth {
  if (typeof instance !== 'function' || typeof instance.interceptors?.request?.use !== 'function') {
    throw new TypeError('attachPaymentAuth: the first argument must be an axios instance (axios.create())');
  }
  if (isBrowserLike() && options?.dangerouslyAllowBrowser !== true) {
    throw new TypeError(
      'attachPaymentAuth: refusing to run in a browser, where the client secret would be public; keep it on a server (or pass dangerouslyAllowBrowser: true behind a proxy that holds the secret)',
    );
  }
  if (ATTACHED.has(instance)) {
    throw new TypeError(
      'attachPaymentAuth: this axios instance already has payment auth attached (every request would fetch and send two tokens); detach() the first, or use another instance',
    );
  }
  const normalized = normalizeOptions(options, instance.defaults.baseURL);
  const { clientAuth } = normalized;
  const clientAuthMethod =
    clientAuth.clientAuthMethod ?? inferClientAuthMethod(credentials) ?? DEFAULTS.clientAuthMethod;
  if (clientAuthMethod !== 'private_key_jwt' && (clientAuth.assertionAudience ?? clientAuth.clockSkewMs) !== undefined)
    throw new TypeError(
      `attachPaymentAuth: assertionAudience and clockSkewMs are for private_key_jwt, not ${clientAuthMethod}`,
    );
  const credentialSource = createCredentialSource(credentials, processEnv(), clientAuthMethod);
  const serverClock = new ServerClock(normalized.wallClock, clientAuth.clockSkewMs);
  const assertions =
    clientAuthMethod === 'private_key_jwt'
      ? new AssertionSource(clientAuth.assertionAudience ?? clientAuth.issuer ?? normalized.tokenUrl, serverClock)
      : undefined;
  // DPoP: one key for the attachment's life, read (or generated) from now on, ready by the first call.
  const dpop = normalized.dpop ? new DpopProofs(normalized.dpop, serverClock) : undefined;
  dpop?.key().catch(() => undefined); // a failure is reported by the first token call
  const dpopKeySecrets = normalized.dpop?.key ? keySecrets(normalized.dpop.key.privateKey) : [];
  // The last few assertions are cleaned from server text too: a server may quote what it refused.
  const source =
    assertions || dpopKeySecrets.length
      ? {
          ...credentialSource,
          knownSecrets: () => [...credentialSource.knownSecrets(), ...dpopKeySecrets, ...(assertions?.recent() ?? [])],
        }
      : credentialSource;
  const certificate = setUpClientCertificate(instance, clientAuthMethod, clientAuth.tls);
  const reporter = createReporter(normalized);
  const { httpAgent, httpsAgent, proxy } = instance.defaults;
  // Token requests go through the caller's agents and proxy (and the client certificate's agent);
  // server text that reaches an error (the token endpoint's, the API's) is cleaned of the secret
  // and of the live and recent tokens.
  const manager = new TokenManager(
    {
      ...normalized,
      store: normalized.store ?? new MemoryTokenStore(normalized.clock),
      ...(dpop ? { dpopThumbprint: () => dpop.thumbprint() } : {}),
    },
    source,
    (knownSecrets) =>
      createTokenEndpoint({
        ...normalized,
        clientAuthMethod,
        transport: { httpAgent, httpsAgent: certificate?.agent ?? httpsAgent, proxy },
        ...(certificate ? { adapter: 'http' as const } : {}),
        assertions,
        serverClock,
        dpop,
        knownSecrets,
        traceTokenCall: reporter.traceTokenCall,
      }),
    reporter,
  );
  const scope = createScope(normalized.apiOrigins, [
    normalized.tokenUrl,
    ...(normalized.refreshUrl ? [normalized.refreshUrl] : []),
  ]);

  // axios-retry first: its response interceptor then sees a failure before ours, so a 5xx is
  // retried where it happens, and a 401 (never retried) reaches ours for the replay.
  // detach() ends the back-off of every retry in progress, as it ends every token wait.
  const ejectRetries = normalized.retry
    ? installRetries(instance, normalized.retry, scope, normalized.idempotencyHeader, reporter, manager.detachedSignal)
    : undefined;
  const requestId = instance.interceptors.request.use(
    createRequestInterceptor(manager, scope, normalized.idempotencyHeader, reporter, certificate?.problem, dpop),
  );
  const responseInterceptors = createResponseInterceptors(
    instance,
    manager,
    reporter,
    () => manager.knownSecrets(),
    dpop,
  );
  const responseId = instance.interceptors.response.use(responseInterceptors.onResponse, responseInterceptors.onError);
  let attached = true;
  ATTACHED.add(instance);
  let stopObserving: (() => void) | undefined;
  try {
    stopObserving = normalized.telemetry?.observeExpiry(() => {
      const { expiresInMs } = manager.snapshot();
      return expiresInMs === undefined ? undefined : expiresInMs / 1000;
    });
  } catch (error) {
    reporter.log('warn', 'telemetry observeExpiry threw', {
      error: error instanceof Error ? error.message : String(error),
    });
  }

  return {
    getAccessToken: () => manager.token().then((token) => token.value),
    invalidate: () => manager.invalidate(),
    status: () => ({ ...manager.snapshot(), lastError: reporter.lastError, counts: { ...reporter.counts } }),
    detach() {
      if (!attached) return;
      attached = false;
      ATTACHED.delete(instance);
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
      ejectRetries?.();
      stopObserving?.();
      manager.detach();
      certificate?.restore();
    },
  };
}
