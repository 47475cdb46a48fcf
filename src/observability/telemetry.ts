/** The two grants the package uses: client_credentials (RFC 6749 §4.4) and refresh_token (§6). */
export type GrantType = 'client_credentials' | 'refresh_token';

/** One HTTP call to the token endpoint, as telemetry sees it. Never a token or a secret. */
export interface TokenCallInfo {
  grantType: GrantType;
  /** The endpoint URL (no query string, no user info). */
  url: string;
  /** 0 for the first attempt, 1 for the first retry, … */
  resendCount: number;
}

/** How a token endpoint call ended. */
export interface TokenCallResult {
  /** HTTP status, when a response arrived. */
  status?: number;
  /** `PaymentAuthError` code or transport code, when it failed. */
  errorType?: string;
}

/**
 * How a token acquisition ended: a new token by client_credentials, by refresh, by
 * client_credentials after a failed refresh, or none.
 */
export type TokenOutcome = 'acquired' | 'refreshed' | 'fallback' | 'failed';

/**
 * The circuit breaker on the token endpoint: `closed` (calls go out), `open` (requests that need a
 * new token fail at once, no call), `half-open` (the cool-down has ended; one probe may go out).
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Instrumentation hooks. `createOpenTelemetry()` from `axios-payment-auth/opentelemetry`
 * implements them with `@opentelemetry/api`; implement them yourself for another system. Every
 * method must be cheap and must not throw (a throwing hook is caught and logged).
 */
export interface PaymentAuthTelemetry {
  /**
   * Runs one token endpoint call; `describe` turns its outcome into status and error type. The
   * package passes a `run` whose outcome is already that description (a response holds tokens, and
   * telemetry never sees them); `run` rejects with a `PaymentAuthError` when the call broke off.
   */
  traceTokenCall<T>(info: TokenCallInfo, run: () => Promise<T>, describe: (outcome: T) => TokenCallResult): Promise<T>;
  recordTokenOutcome(outcome: TokenOutcome): void;
  /** A 401 on a request that carried our token; `replayed` tells whether it was replayed. */
  recordUnauthorized(replayed: boolean): void;
  /** A retry of an API call, with its reason (`network`, `status 503`, …). */
  recordRetry(reason: string): void;
  recordIdempotencyKey(): void;
  /** Registers a reader of the seconds until the current token expires; returns the unregister function. */
  observeExpiry(read: () => number | undefined): () => void;
  /**
   * The breaker on the token endpoint changed state; `openForMs` on closing, how long it was not
   * closed. Optional, so that telemetry written before it still fits.
   */
  recordBreakerState?(state: BreakerState, openForMs?: number): void;
  /** A request failed at once, without a token call, because the breaker is open. Optional. */
  recordShortCircuit?(): void;
  /**
   * The same instruments with `attributes` added to every measurement and span: how a multi-tenant
   * attachment labels a tenant's telemetry when asked to (its `telemetryTenant` option). Optional:
   * without it, tenants are not told apart.
   */
  withAttributes?(attributes: Readonly<Record<string, string>>): PaymentAuthTelemetry;
}
