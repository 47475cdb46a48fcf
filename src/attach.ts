import type { AxiosInstance, InternalAxiosRequestConfig } from 'axios';
import {
  createCredentialSource,
  inferClientAuthMethod,
  keySecrets,
  type CredentialSource,
} from './token/credential-source';
import { DpopProofs } from './token/dpop/dpop-proofs';
import { AssertionSource } from './token/assertion-source';
import { setUpClientCertificate } from './token/client-certificate';
import { ServerClock } from './token/server-clock';
import type { CredentialsInput } from './token/credentials';
import { normalizeOptions } from './options/normalize';
import { DEFAULTS, type NormalizedOptions, type PaymentAuthOptions } from './options/options';
import {
  createReporter,
  zeroCounts,
  type LastAuthError,
  type PaymentAuthCounts,
  type Reporter,
} from './observability/reporter';
import type { PaymentAuthLogger } from './observability/hooks';
import type { PaymentAuthTelemetry } from './observability/telemetry';
import { createRequestInterceptor } from './interceptors/request';
import { createResponseInterceptors } from './interceptors/response';
import { singleTenancy, type AuthEntry, type SentWith, type Tenancy } from './interceptors/tenancy';
import { installRetries } from './retry/install';
import { isBrowserLike } from './util/runtime';
import { shown } from './util/objects';
import { describeThrown } from './util/thrown';
import { requestState } from './request/read-state';
import { createScope } from './request/scope';
import { createTokenEndpoint, createTokenHttp } from './token/endpoint';
import { detachedError } from './token/errors';
import { TenantRegistry } from './token/tenant-registry';
import {
  MAX_TENANT_LABELS,
  asMultiTenant,
  isAttachMistake,
  splitTenantOptions,
  type MultiTenantPaymentAuthOptions,
  type TenantSettings,
} from './token/tenant-options';
import { checkTenant } from './request/tenant';
import type { ClientAuthMethod } from './options/options';
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

/** How many tenants hold state now, against the bound; what {@link MultiTenantPaymentAuth.tenants} returns. */
export interface TenantCacheStatus {
  /** Tenants whose state (tokens, breaker, counts) is held now. */
  cached: number;
  /** The bound (`maxTenants`); exceeded only while more tenants than that have a token call in flight. */
  maxTenants: number;
  /** Tenants forgotten since attach because the bound was reached (least recently used first). */
  evicted: number;
}

/**
 * The handle {@link attachMultiTenantPaymentAuth} returns: {@link PaymentAuth}'s members, each for
 * one tenant.
 */
export interface MultiTenantPaymentAuth {
  /**
   * The tenant's current access token, from the same single flight as its requests. Rejects with
   * `PaymentAuthError` (its `tenant` set), or a `TypeError` for a tenant that is not a valid id.
   */
  getAccessToken(tenant: string): Promise<string>;
  /** Forgets the tenant's cached access token; its next request gets a new one. Other tenants are untouched. */
  invalidate(tenant: string): void;
  /**
   * The tenant's health snapshot, without secrets. A tenant with no state held (never seen, or
   * evicted) reads as no token, a closed breaker and zero counts; asking never creates state.
   */
  status(tenant: string): PaymentAuthStatus;
  /** Drops everything held for the tenant now (an off-boarded merchant); its next request starts afresh. */
  forget(tenant: string): void;
  /** How many tenants hold state, the bound, and how many were evicted. */
  tenants(): TenantCacheStatus;
  /**
   * Ejects the interceptors, ends every tenant's pending token waits with `DETACHED` and forgets
   * every tenant's tokens. Safe to call twice.
   */
  detach(): void;
}

/** The instances with an attachment of this copy of the package that has not been detached. */
const ATTACHED = new WeakSet<AxiosInstance>();

function processEnv(): Record<string, string | undefined> | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
}

/** What every tenant of an attachment shares: options, the DPoP key, the certificate, the scope. */
interface Attachment {
  normalized: NormalizedOptions;
  clientAuthMethod: ClientAuthMethod;
  serverClock: ServerClock;
  dpop: DpopProofs | undefined;
  dpopKeySecrets: string[];
  certificate: ReturnType<typeof setUpClientCertificate>;
  scope: ReturnType<typeof createScope>;
}

/**
 * Runs a check that reads the caller's `what` (options, credentials): a getter or a proxy in them
 * that throws becomes a TypeError naming what could not be read. Its own text is not kept: it may
 * quote the secret it was reading (a vault's passphrase).
 */
function readable<T>(what: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (isAttachMistake(error)) throw error;
    // eslint-disable-next-line preserve-caught-error -- the cause may quote a secret
    throw new TypeError(`attachPaymentAuth: the ${what} could not be read: a getter or proxy in them threw`);
  }
}

/** The checks and the set-up every attachment makes, single- or multi-tenant. */
function prepare(instance: AxiosInstance, credentials: unknown, options: PaymentAuthOptions | undefined): Attachment {
  if (typeof instance !== 'function' || typeof instance.interceptors?.request?.use !== 'function') {
    throw new TypeError('attachPaymentAuth: the first argument must be an axios instance (axios.create())');
  }
  if (isBrowserLike() && readable('options', () => options?.dangerouslyAllowBrowser) !== true) {
    throw new TypeError(
      'attachPaymentAuth: refusing to run in a browser, where the client secret would be public; keep it on a server (or pass dangerouslyAllowBrowser: true behind a proxy that holds the secret)',
    );
  }
  if (ATTACHED.has(instance)) {
    throw new TypeError(
      'attachPaymentAuth: this axios instance already has payment auth attached (every request would fetch and send two tokens); detach() the first, or use another instance',
    );
  }
  const normalized = readable('options', () => normalizeOptions(options, instance.defaults.baseURL));
  const { clientAuth } = normalized;
  const clientAuthMethod =
    clientAuth.clientAuthMethod ??
    readable('credentials', () => inferClientAuthMethod(credentials)) ??
    DEFAULTS.clientAuthMethod;
  if (clientAuthMethod !== 'private_key_jwt' && (clientAuth.assertionAudience ?? clientAuth.clockSkewMs) !== undefined)
    throw new TypeError(
      `attachPaymentAuth: assertionAudience and clockSkewMs are for private_key_jwt, not ${clientAuthMethod}`,
    );
  const serverClock = new ServerClock(normalized.wallClock, clientAuth.clockSkewMs);
  // DPoP: one key for the attachment's life, read (or generated) from now on, ready by the first call.
  const dpop = normalized.dpop ? new DpopProofs(normalized.dpop, serverClock) : undefined;
  dpop?.key().catch(() => undefined); // a failure is reported by the first token call
  const dpopKeySecrets = normalized.dpop?.key ? keySecrets(normalized.dpop.key.privateKey) : [];
  const scope = createScope(normalized.apiOrigins, [
    normalized.tokenUrl,
    ...(normalized.refreshUrl ? [normalized.refreshUrl] : []),
  ]);
  return { normalized, clientAuthMethod, serverClock, dpop, dpopKeySecrets, certificate: undefined, scope };
}

/**
 * The token manager of one credential source (the attachment's, or one tenant's), with its own
 * assertions, endpoint client, store and reporter.
 */
function createEntry(
  attachment: Attachment,
  credentialSource: CredentialSource,
  reporter: Reporter,
  http: AxiosInstance | undefined,
  transport: { httpAgent: unknown; httpsAgent: unknown; proxy: unknown },
  tenant?: string,
): AuthEntry & { dispose(): void; readonly busy: boolean } {
  const { normalized, clientAuthMethod, serverClock, dpop, dpopKeySecrets, certificate } = attachment;
  const { clientAuth } = normalized;
  const assertions =
    clientAuthMethod === 'private_key_jwt'
      ? new AssertionSource(clientAuth.assertionAudience ?? clientAuth.issuer ?? normalized.tokenUrl, serverClock)
      : undefined;
  // The last few assertions are cleaned from server text too: a server may quote what it refused.
  const source =
    assertions || dpopKeySecrets.length
      ? {
          ...credentialSource,
          knownSecrets: () => [...credentialSource.knownSecrets(), ...dpopKeySecrets, ...(assertions?.recent() ?? [])],
        }
      : credentialSource;
  // Token requests go through the caller's agents and proxy (and the client certificate's agent);
  // server text that reaches an error (the token endpoint's, the API's) is cleaned of the secret
  // and of the live and recent tokens.
  const manager = new TokenManager(
    {
      ...normalized,
      store: normalized.store ?? new MemoryTokenStore(normalized.clock),
      ...(dpop ? { dpopThumbprint: () => dpop.thumbprint() } : {}),
      ...(tenant === undefined ? {} : { tenant }),
    },
    source,
    (knownSecrets) =>
      createTokenEndpoint({
        ...normalized,
        clientAuthMethod,
        transport: transport as Parameters<typeof createTokenEndpoint>[0]['transport'],
        ...(certificate ? { adapter: 'http' as const } : {}),
        ...(http ? { http } : {}),
        assertions,
        serverClock,
        dpop,
        knownSecrets,
        traceTokenCall: reporter.traceTokenCall,
      }),
    reporter,
  );
  return {
    manager,
    reporter,
    knownSecrets: () => manager.knownSecrets(),
    get busy() {
      return manager.busy;
    },
    dispose: () => manager.detach(),
  };
}

/** The status of an entry: its token state, last error and counts. */
function statusOf(entry: AuthEntry): PaymentAuthStatus {
  return { ...entry.manager.snapshot(), lastError: entry.reporter.lastError, counts: { ...entry.reporter.counts } };
}

/** Installs the interceptors (axios-retry's first) and returns the function that ejects them all. */
function install(
  instance: AxiosInstance,
  attachment: Attachment,
  tenancy: Tenancy,
  reporterFor: (config: InternalAxiosRequestConfig) => Reporter,
  detached: AbortSignal,
): () => void {
  const { normalized, scope, certificate, dpop } = attachment;
  // axios-retry first: its response interceptor then sees a failure before ours, so a 5xx is
  // retried where it happens, and a 401 (never retried) reaches ours for the replay.
  // detach() ends the back-off of every retry in progress, as it ends every token wait.
  const ejectRetries = normalized.retry
    ? installRetries(instance, normalized.retry, scope, normalized.idempotencyHeader, reporterFor, detached)
    : undefined;
  const requestId = instance.interceptors.request.use(
    createRequestInterceptor(tenancy, scope, normalized.idempotencyHeader, certificate?.problem, dpop, (config) =>
      instance.getUri(config),
    ),
  );
  const responseInterceptors = createResponseInterceptors(instance, tenancy, dpop);
  const responseId = instance.interceptors.response.use(responseInterceptors.onResponse, responseInterceptors.onError);
  ATTACHED.add(instance);
  return () => {
    ATTACHED.delete(instance);
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
    ejectRetries?.();
  };
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
  const attachment = prepare(instance, credentials, options);
  const { normalized, clientAuthMethod } = attachment;
  const credentialSource = createCredentialSource(credentials, processEnv(), clientAuthMethod);
  attachment.certificate = setUpClientCertificate(instance, clientAuthMethod, normalized.clientAuth.tls);
  const reporter = createReporter(normalized);
  const { httpAgent, httpsAgent, proxy } = instance.defaults;
  const transport = { httpAgent, httpsAgent: attachment.certificate?.agent ?? httpsAgent, proxy };
  const entry = createEntry(attachment, credentialSource, reporter, undefined, transport);
  const { manager } = entry;
  const eject = install(instance, attachment, singleTenancy(entry), () => reporter, manager.detachedSignal);
  let attached = true;
  const stopObserving = reporter.observeExpiry(() => {
    const { expiresInMs } = manager.snapshot();
    return expiresInMs === undefined ? undefined : expiresInMs / 1000;
  });

  return {
    getAccessToken: () => manager.token().then((token) => token.value),
    invalidate: () => manager.invalidate(),
    status: () => statusOf(entry),
    detach() {
      if (!attached) return;
      attached = false;
      eject();
      manager.detach();
      attachment.certificate?.restore();
      stopObserving();
    },
  };
}

/** A logger that names the tenant in every line's fields (never its credentials). */
function tenantLogger(logger: PaymentAuthLogger | undefined, tenant: string): PaymentAuthLogger | undefined {
  if (!logger) return undefined;
  const line =
    (level: keyof PaymentAuthLogger) =>
    (message: string, fields?: Record<string, unknown>): void =>
      logger[level](message, { tenant, ...fields });
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * The telemetry of each tenant: the attachment's, or with `telemetryTenant`, the attachment's with
 * the `payment_auth.tenant` attribute. One telemetry per distinct value, at most
 * {@link MAX_TENANT_LABELS} of them; the rest share `other`.
 */
function tenantTelemetry(
  telemetry: PaymentAuthTelemetry | undefined,
  label: ((tenant: string) => string | undefined) | undefined,
  log: Reporter['log'],
): (tenant: string) => PaymentAuthTelemetry | undefined {
  if (!telemetry || !label) return () => telemetry;
  if (typeof telemetry.withAttributes !== 'function') {
    log('warn', 'telemetryTenant is set but the telemetry has no withAttributes(): tenants are not told apart');
    return () => telemetry;
  }
  const labelled = new Map<string, PaymentAuthTelemetry>();
  return (tenant) => {
    let value: string | undefined;
    try {
      value = label(tenant);
    } catch (error) {
      log('warn', 'telemetryTenant threw', { tenant, error: describeThrown(error) });
    }
    if (typeof value !== 'string' || value === '') return telemetry;
    if (!labelled.has(value) && labelled.size >= MAX_TENANT_LABELS) value = 'other';
    let found = labelled.get(value);
    if (!found) {
      // A telemetry that cannot label must not fail a request: the tenant is recorded unlabelled.
      try {
        const made: unknown = telemetry.withAttributes!({ 'payment_auth.tenant': value });
        if (typeof made !== 'object' || made === null) throw new TypeError(`it returned ${shown(made)}`);
        found = made as PaymentAuthTelemetry;
      } catch (error) {
        log('warn', 'telemetry withAttributes failed: the tenant is recorded without its attribute', {
          tenant,
          error: describeThrown(error),
        });
        found = telemetry;
      }
      labelled.set(value, found);
    }
    return found;
  };
}

/** The state of a tenant without any held: what {@link MultiTenantPaymentAuth.status} says of it. */
function emptyStatus(): PaymentAuthStatus {
  return {
    hasToken: false,
    expiresInMs: undefined,
    refreshTokenExpiresInMs: undefined,
    breaker: { state: 'closed', consecutiveFailures: 0, retryInMs: undefined, openForMs: undefined },
    lastError: undefined,
    counts: zeroCounts(),
  };
}

/**
 * Gives an axios instance Payment API auth for many tenants (merchants, accounts), each with its
 * own credentials, chosen per request: `{ paymentAuth: { tenant } }`.
 *
 * Every guarantee of {@link attachPaymentAuth} holds for each tenant on its own: one token call
 * for any number of concurrent requests of a tenant, renewal ahead of expiry, one replay after a
 * 401, its own circuit breaker (one tenant's outage or rejected credentials never fail another's
 * requests). The state of at most `maxTenants` tenants is held; past that the least recently used
 * idle tenant is forgotten. Tokens are kept, in memory and in a shared `store`, under a key made
 * of the tenant, the token URL, the client id, the token parameters (scope, audience…) and, with
 * DPoP, the key's thumbprint: a token of one tenant is never sent for another.
 *
 * A request for the API without a tenant fails with a `TypeError` before it is sent, and so does
 * one whose tenant is not a valid id (a non-empty string of at most 256 characters, no control
 * characters). Option mistakes throw a `TypeError` here.
 *
 * @param instance an axios instance with a `baseURL` on the Payment API.
 * @param options `credentials: (tenant) => credentials` (required), `maxTenants` (default 1,000),
 *   `telemetryTenant`, and any option of {@link attachPaymentAuth}: they apply to every tenant.
 *
 * @example
 * ```ts
 * const auth = attachMultiTenantPaymentAuth(api, {
 *   credentials: (tenant) => secrets.get(`payments/${tenant}`),
 *   maxTenants: 10_000,
 * });
 * await api.post('/payments', body, { paymentAuth: { tenant: 'merchant_42' } });
 * ```
 */
export function attachMultiTenantPaymentAuth(
  instance: AxiosInstance,
  options: MultiTenantPaymentAuthOptions,
): MultiTenantPaymentAuth {
  const { tenants: settings, rest } = asMultiTenant(() => readable('options', () => splitTenantOptions(options)));
  const attachment = asMultiTenant(() => prepare(instance, undefined, rest));
  return attachTenants(instance, attachment, settings);
}

function attachTenants(
  instance: AxiosInstance,
  attachment: Attachment,
  settings: TenantSettings,
): MultiTenantPaymentAuth {
  const { normalized, clientAuthMethod } = attachment;
  attachment.certificate = asMultiTenant(() =>
    setUpClientCertificate(instance, clientAuthMethod, normalized.clientAuth.tls),
  );
  const own = createReporter(normalized);
  const { httpAgent, httpsAgent, proxy } = instance.defaults;
  const transport = { httpAgent, httpsAgent: attachment.certificate?.agent ?? httpsAgent, proxy };
  // One private axios instance for every tenant's token calls: it holds no credentials.
  const http = createTokenHttp({ transport, ...(attachment.certificate ? { adapter: 'http' as const } : {}) });
  const telemetryOf = tenantTelemetry(normalized.telemetry, settings.telemetryTenant, own.log);
  const detached = new AbortController();
  const registry = new TenantRegistry(
    settings.maxTenants,
    (tenant) => {
      const source = createCredentialSource(() => settings.credentials(tenant), undefined, clientAuthMethod);
      const reporter = createReporter({
        ...normalized,
        logger: tenantLogger(normalized.logger, tenant),
        telemetry: telemetryOf(tenant),
      });
      return createEntry(attachment, source, reporter, http, transport, tenant);
    },
    (tenant) => own.log('debug', 'tenant evicted: least recently used past maxTenants', { tenant }),
  );
  const sent = new WeakMap<InternalAxiosRequestConfig, SentWith>();
  const missing = (): never => {
    throw new TypeError(
      'axios-payment-auth: this request names no tenant; the instance was attached with attachMultiTenantPaymentAuth, where every request to the API names the tenant whose token it carries: { paymentAuth: { tenant } } (or paymentAuth: false for a request without a token)',
    );
  };
  const tenancy: Tenancy = {
    detached: detached.signal,
    tenantOf: (state) =>
      state?.tenant === undefined ? undefined : checkTenant(state.tenant, 'axios-payment-auth: paymentAuth.tenant'),
    // After detach() no entry is made again (a 401 that arrives then is not replayed: DETACHED).
    entry: (tenant) => {
      if (tenant === undefined) return missing();
      if (detached.signal.aborted) throw detachedError();
      return registry.get(tenant);
    },
    current: (tenant) => (tenant === undefined ? undefined : registry.peek(tenant)),
    sent: (config, entry, token) => void sent.set(config, { entry, token }),
    sentWith: (config) => sent.get(config),
  };
  const reporterFor = (config: InternalAxiosRequestConfig): Reporter => {
    const state = requestState(config);
    const tenant = state ? state.tenant : undefined;
    return (tenant === undefined ? undefined : registry.peek(tenant)?.reporter) ?? own;
  };
  const eject = install(instance, attachment, tenancy, reporterFor, detached.signal);
  let attached = true;
  const checked = (tenant: unknown, method: string): string =>
    checkTenant(tenant, `attachMultiTenantPaymentAuth: ${method}(tenant)`);
  const live = (): boolean => attached;

  return {
    getAccessToken(tenant) {
      let id: string;
      try {
        id = checked(tenant, 'getAccessToken');
      } catch (error) {
        return Promise.reject(error as Error);
      }
      if (!live()) return Promise.reject(detachedError());
      return registry
        .get(id)
        .manager.token()
        .then((token) => token.value);
    },
    invalidate(tenant) {
      registry.peek(checked(tenant, 'invalidate'))?.manager.invalidate();
    },
    status(tenant) {
      const entry = registry.peek(checked(tenant, 'status'));
      return entry ? statusOf(entry) : emptyStatus();
    },
    forget(tenant) {
      registry.delete(checked(tenant, 'forget'));
    },
    tenants: () => ({ cached: registry.size, maxTenants: registry.maxTenants, evicted: registry.evicted }),
    detach() {
      if (!attached) return;
      attached = false;
      eject();
      detached.abort(detachedError());
      registry.clear();
      attachment.certificate?.restore();
    },
  };
}
