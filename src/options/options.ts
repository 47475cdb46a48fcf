import type { PaymentAuthError } from '../errors/payment-auth-error';
import type { BreakerOptions, BreakerPolicy } from './breaker-options';
import type { IdempotencyOptions } from './idempotency-options';
import type { RetryOptions, RetryPolicy } from './retry-options';
import type { TokenStore } from '../store/token-store';
import type { PaymentAuthLogger, TokenEvent } from '../observability/hooks';
import type { PaymentAuthTelemetry } from '../observability/telemetry';

import type { ClientAuthMethod, ClientAuthPolicy, TlsClientOptions } from './client-auth-options';
import type { DpopKeyOptions, DpopPolicy } from './dpop-options';

export type { ClientAuthMethod, TlsClientOptions } from './client-auth-options';
export type { DpopAlgorithm, DpopKeyOptions } from './dpop-options';

/** Encoding of the token request body: the standard form encoding, or JSON for providers that want it. */
export type TokenRequestFormat = 'form' | 'json';

/** Options of {@link attachPaymentAuth}. Every one is optional. */
export interface PaymentAuthOptions {
  /**
   * Absolute URL of the token endpoint.
   * @default `/api/v1/oauth2/token` at the API root of the instance's `baseURL`: its path up to
   * `/api/v1` (`https://host/api/v1/payments` → `https://host/api/v1/oauth2/token`), `/api` alone
   * counting too; any other path is a gateway prefix and is kept (`https://gw/pay` →
   * `https://gw/pay/api/v1/oauth2/token`)
   */
  tokenUrl?: string;
  /**
   * Absolute URL of the refresh endpoint, or `false` to never use refresh tokens (always
   * authenticate with client_credentials again).
   * @default `/api/v1/oauth2/refresh`, resolved like `tokenUrl`; with `tokenUrl` set, on the token
   * URL's server (never the API's): beside a `…/oauth2/token` URL, else the token URL itself (the
   * refresh grant of RFC 6749 §6)
   */
  refreshUrl?: string | false;
  /**
   * How the client authenticates at the token endpoint: `client_secret_basic`,
   * `client_secret_post` (RFC 6749 §2.3.1), `private_key_jwt` (RFC 7523), `tls_client_auth` or
   * `self_signed_tls_client_auth` (RFC 8705). See docs/client-authentication.md.
   * @default 'private_key_jwt' for credentials with `privateKey` or `clientAssertion`, else 'client_secret_basic'
   */
  clientAuthMethod?: ClientAuthMethod;
  /**
   * The authorization server's issuer identifier (RFC 8414 `issuer`, exactly as it publishes it).
   * With `private_key_jwt` it is the `aud` of each client assertion, as FAPI 2.0 and
   * draft-ietf-oauth-rfc7523bis ask.
   * @default none
   */
  issuer?: string;
  /**
   * The `aud` of `private_key_jwt` client assertions, when the server wants another value than
   * the default.
   * @default `issuer` when set, else the token endpoint URL (RFC 7523 §3)
   */
  assertionAudience?: string;
  /**
   * How far the authorization server's clock is ahead of this one (negative: behind), in ms, for
   * the times of `private_key_jwt` assertions. When set, nothing is learned; when not, the offset
   * is learned from the token endpoint's `Date` header (within ±10 min), and an assertion
   * rejected for its times is sent again once with the corrected clock.
   * @default learned
   */
  clockSkewMs?: number;
  /**
   * A client certificate for mutual TLS (RFC 8705): with `tls_client_auth` or
   * `self_signed_tls_client_auth` it authenticates the client; with any method it makes
   * certificate-bound tokens work. The package puts it on an `https.Agent` that both the token
   * calls and the instance's API calls use (set as the instance's `httpsAgent`; one already there
   * must carry the same certificate). Node only. Without it, a TLS method takes the certificate
   * of the instance's `httpsAgent`.
   * @default none
   */
  tls?: TlsClientOptions;
  /**
   * Sender-constrained tokens with DPoP (RFC 9449): token and refresh calls carry a proof signed
   * with a key of this client, the token the server issues is bound to that key, and every API
   * request sends `Authorization: DPoP <token>` with a new proof for its method and URL (server
   * nonces are handled). `true` generates an ES256 key pair per attachment (its tokens are this
   * process's alone); `{ privateKey }` uses the caller's, which every process sharing a token
   * store must hold to share its tokens. See docs/dpop.md.
   * @default false (Bearer tokens)
   */
  dpop?: boolean | DpopKeyOptions;
  /**
   * Body encoding of token and refresh requests.
   * @default 'form' (`application/x-www-form-urlencoded`, RFC 6749 §4.4.2)
   */
  tokenRequestFormat?: TokenRequestFormat;
  /** `scope` of the client_credentials request; an array is joined with spaces. @default none */
  scope?: string | readonly string[];
  /** Extra fields of the client_credentials request, e.g. `{ audience: '...' }`. @default none */
  tokenParams?: Readonly<Record<string, string>>;
  /**
   * How long before expiry a token is renewed in the background while still being served. Capped
   * at half the token's lifetime, so short-lived tokens are still reused.
   * @default 60_000
   */
  refreshWindowMs?: number;
  /**
   * Lifetime of a refresh token when the response does not say (`refresh_expires_in`).
   * @default 86_400_000 (24 h)
   */
  refreshTokenLifetimeMs?: number;
  /**
   * Lifetime of an access token whose response has no `expires_in`.
   * @default 900_000 (15 min, the Payment API's lifetime)
   */
  defaultTokenLifetimeMs?: number;
  /**
   * Upper bound of an access token's lifetime, whatever `expires_in` says.
   * @default 86_400_000 (24 h)
   */
  maxTokenLifetimeMs?: number;
  /**
   * Total deadline of one token acquisition: the refresh attempt, the fallback and their retries.
   * @default 10_000
   */
  tokenTimeoutMs?: number;
  /**
   * Retries of a token request after a network error, a 5xx or a 429.
   * @default 2
   */
  tokenRetries?: number;
  /**
   * Longest `Retry-After` the token requests obey; a longer one fails at once.
   * @default 10_000
   */
  maxRetryAfterMs?: number;
  /**
   * Further origins (`https://host[:port]`) that receive the bearer token, besides the origin of
   * the instance's `baseURL`.
   * @default []
   */
  apiOrigins?: readonly string[];
  /**
   * Allow `http:` token and API URLs on hosts other than loopback. Bearer tokens and client
   * secrets then cross the network in clear text.
   * @default false
   */
  allowInsecureHttp?: boolean;
  /**
   * Allow attaching in a browser. Client secrets belong on servers; use this only behind a
   * proxy that holds the secret.
   * @default false
   */
  dangerouslyAllowBrowser?: boolean;
  /**
   * The circuit breaker on the token endpoint. After `failureThreshold` failed acquisitions in a
   * row (each after its retries: 5xx, 429, timeouts, connection errors), requests that need a new
   * token fail at once with `TOKEN_ENDPOINT_UNAVAILABLE` (and `retryAfterMs`) instead of calling
   * an authorization server that is down; after a cool-down, one probe goes out — one for the
   * whole fleet when a `store` is shared — and its success closes the breaker. A still-valid token
   * keeps being served meanwhile. Rejections (4xx) never open it, but the same rejected
   * credentials are sent again only after the same growing pause. `false` turns both off
   * (background renewals still back off). See docs/reliability.md.
   * @default { failureThreshold: 2, coolDownMs: 1_000, maxCoolDownMs: 30_000 }
   */
  breaker?: false | BreakerOptions;
  /**
   * Retries of API calls (through axios-retry): network errors, 429, 5xx except 501 and 505, and 409 on
   * keyed requests; only idempotent methods and requests with an idempotency key; `Retry-After`
   * obeyed up to a cap. A number sets the retry count; `false` turns retries off (use it when the
   * instance already has axios-retry).
   * @default { retries: 2, baseDelayMs: 500, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 }
   */
  retry?: false | number | RetryOptions;
  /**
   * Idempotency keys (UUID v4) for in-scope POST and PATCH requests that have none, kept across
   * the 401 replay and every retry. `false` turns them off.
   * @default { headerName: 'Idempotency-Key' }
   */
  idempotency?: false | IdempotencyOptions;
  /**
   * Where tokens are shared: a `MemoryTokenStore` shared by several attachments of one process,
   * or a `RedisTokenStore` (from `axios-payment-auth/redis`) shared by a fleet, with fleet-wide
   * single flight. Each process still keeps an in-memory copy for the hot path.
   * @default a MemoryTokenStore of this attachment alone
   */
  store?: TokenStore;
  /**
   * Deadline of each token store call; a store that errs or is slower falls back to fetching in
   * process (reported through `onStoreError` and the logger).
   * @default 500
   */
  storeTimeoutMs?: number;
  /**
   * Lifetime of the store's fetch lock: a process that dies holding it delays the others by at
   * most this long.
   * @default 5_000
   */
  storeLockTtlMs?: number;
  /** Called when the token store failed or timed out (requests go on in process). @default none */
  onStoreError?: (error: Error) => void;
  /**
   * Instrumentation: `createOpenTelemetry()` from `axios-payment-auth/opentelemetry`, or your own
   * `PaymentAuthTelemetry`. @default none (no instrumentation code runs)
   */
  telemetry?: PaymentAuthTelemetry;
  /** Structured logger for lifecycle events (debug, info, warn, error). @default none (silent) */
  logger?: PaymentAuthLogger;
  /** Called when a token was obtained with client_credentials. @default none */
  onTokenAcquired?: (event: TokenEvent) => void;
  /** Called when a token was obtained with the refresh token. @default none */
  onTokenRefreshed?: (event: TokenEvent) => void;
  /** Called when a token acquisition failed (also in the background). @default none */
  onAuthError?: (error: PaymentAuthError) => void;
  /**
   * Clock in epoch milliseconds, for tests. The default follows a monotonic clock from the
   * moment the module loaded, so wall-clock jumps do not stretch a token's life.
   * @default monotonic epoch ms
   */
  clock?: () => number;
}

/** Options after validation, with defaults applied and URLs resolved. */
export interface NormalizedOptions {
  tokenUrl: string;
  refreshUrl: string | undefined;
  /** The method as set, undefined to let the credentials decide; with the other client auth options. */
  clientAuth: ClientAuthPolicy;
  /** DPoP when on: the caller's key, or none to generate one. */
  dpop: DpopPolicy | undefined;
  tokenRequestFormat: TokenRequestFormat;
  tokenParams: Record<string, string>;
  refreshWindowMs: number;
  refreshTokenLifetimeMs: number;
  defaultTokenLifetimeMs: number;
  maxTokenLifetimeMs: number;
  tokenTimeoutMs: number;
  tokenRetries: number;
  maxRetryAfterMs: number;
  breaker: BreakerPolicy;
  apiOrigins: ReadonlySet<string>;
  retry: RetryPolicy | undefined;
  store: TokenStore | undefined;
  storeTimeoutMs: number;
  storeLockTtlMs: number;
  onStoreError: ((error: Error) => void) | undefined;
  telemetry: PaymentAuthTelemetry | undefined;
  idempotencyHeader: string | undefined;
  logger: PaymentAuthLogger | undefined;
  onTokenAcquired: ((event: TokenEvent) => void) | undefined;
  onTokenRefreshed: ((event: TokenEvent) => void) | undefined;
  onAuthError: ((error: PaymentAuthError) => void) | undefined;
  clock: () => number;
  /** The wall clock of signed assertions: `clock` when set, else `Date.now`. */
  wallClock: () => number;
}

export const DEFAULTS = {
  clientAuthMethod: 'client_secret_basic',
  tokenRequestFormat: 'form',
  refreshWindowMs: 60_000,
  refreshTokenLifetimeMs: 86_400_000,
  defaultTokenLifetimeMs: 900_000,
  maxTokenLifetimeMs: 86_400_000,
  tokenTimeoutMs: 10_000,
  tokenRetries: 2,
  maxRetryAfterMs: 10_000,
  storeTimeoutMs: 500,
  storeLockTtlMs: 5_000,
} as const;

/** The Payment API's endpoint paths. */
export const TOKEN_PATH = '/api/v1/oauth2/token';
export const REFRESH_PATH = '/api/v1/oauth2/refresh';
