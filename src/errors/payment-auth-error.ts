/**
 * Stable codes of {@link PaymentAuthError}. Branch on these, never on the message.
 *
 * - `CREDENTIALS_MISSING`: the credentials provider threw or returned no usable credentials, or no
 *   client assertion could be made (the private key, or a `clientAssertion` signer that failed).
 * - `CREDENTIALS_REJECTED`: the token endpoint rejected the client (`invalid_client`, or a 401).
 * - `TOKEN_REQUEST_REJECTED`: the token endpoint refused the grant for another reason
 *   (`invalid_scope`, `unauthorized_client`, `invalid_request`, `unsupported_grant_type`, other 4xx,
 *   and the 5xx that are not transient: 501, 505).
 * - `TOKEN_ENDPOINT_UNAVAILABLE`: the token endpoint could not be reached, or answered 429 or a
 *   transient 5xx, past the bounded retries (transient failures are retried; a certificate, DNS
 *   name or protocol error is not); or, with `retryAfterMs` set, the circuit breaker is open after
 *   repeated such failures and the request failed at once, without calling the token endpoint.
 * - `TOKEN_ENDPOINT_TIMEOUT`: the token acquisition (the credentials provider, the token store and
 *   the token endpoint together) passed its total deadline.
 * - `TOKEN_ENDPOINT_REDIRECT`: the token endpoint answered with a redirect, which is never followed.
 * - `TOKEN_RESPONSE_INVALID`: the token endpoint answered 2xx with a body that is not a valid token
 *   response (not JSON, not an object, too large, no `access_token`, unsupported `token_type`...).
 * - `BODY_NOT_REPLAYABLE`: a request got a 401 but its body is a stream that was already consumed,
 *   so it was not replayed.
 * - `DETACHED`: `detach()` was called while the request waited for a token.
 */
export type PaymentAuthErrorCode =
  | 'CREDENTIALS_MISSING'
  | 'CREDENTIALS_REJECTED'
  | 'TOKEN_REQUEST_REJECTED'
  | 'TOKEN_ENDPOINT_UNAVAILABLE'
  | 'TOKEN_ENDPOINT_TIMEOUT'
  | 'TOKEN_ENDPOINT_REDIRECT'
  | 'TOKEN_RESPONSE_INVALID'
  | 'BODY_NOT_REPLAYABLE'
  | 'DETACHED';

/** What a {@link PaymentAuthError} is built from. */
export interface PaymentAuthErrorInit {
  code: PaymentAuthErrorCode;
  /** `<what failed>: <detail>` — must never contain a secret or a token. */
  message: string;
  /** What the user can do about it. */
  hint?: string;
  /** HTTP status of the response that caused the failure, when there was one. */
  status?: number;
  /** The OAuth 2.0 `error` code of the token endpoint (RFC 6749 §5.2), when there was one. */
  oauthError?: string;
  /** A cleaned cause: never a raw error that carries credentials. */
  cause?: unknown;
  /** When asking again may help: the server's `Retry-After`, or the time until the next attempt. */
  retryAfterMs?: number;
  /** On a multi-tenant attachment: the tenant whose token could not be had. */
  tenant?: string;
}

const BRAND = Symbol.for('axios-payment-auth.PaymentAuthError');

/**
 * The error every failure of axios-payment-auth rejects with.
 *
 * It carries a stable {@link PaymentAuthError.code}, the HTTP `status` and OAuth `error` where
 * known, and a cleaned `cause`. Its message, `toJSON()` and `util.inspect` output never contain
 * the client secret, the refresh token or an access token.
 *
 * @example
 * ```ts
 * try { await api.get('/payments'); }
 * catch (err) {
 *   if (isPaymentAuthError(err) && err.code === 'CREDENTIALS_REJECTED') rotateSecret();
 * }
 * ```
 */
export class PaymentAuthError extends Error {
  override readonly name = 'PaymentAuthError';
  readonly code: PaymentAuthErrorCode;
  readonly status: number | undefined;
  readonly oauthError: string | undefined;
  readonly hint: string | undefined;
  /**
   * Milliseconds until the token endpoint is asked again, when that is known: the server's
   * `Retry-After`, or the time left of the breaker's cool-down (or of the pause after a rejection)
   * for an error the package answered at once, without a call.
   */
  readonly retryAfterMs: number | undefined;
  /** On a multi-tenant attachment: the tenant whose token could not be had (an id, never a secret). */
  readonly tenant: string | undefined;

  constructor(init: PaymentAuthErrorInit) {
    super(
      init.hint ? `${init.message}. ${init.hint}` : init.message,
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.code = init.code;
    this.status = init.status;
    this.oauthError = init.oauthError;
    this.hint = init.hint;
    this.retryAfterMs = init.retryAfterMs;
    this.tenant = init.tenant;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A plain, secret-free view for structured logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      oauthError: this.oauthError,
      retryAfterMs: this.retryAfterMs,
      ...(this.tenant === undefined ? {} : { tenant: this.tenant }),
    };
  }
}

/**
 * Whether `value` is a {@link PaymentAuthError}; true even when it comes from another copy of
 * the package (two versions in one `node_modules`), where `instanceof` is false.
 */
export function isPaymentAuthError(value: unknown): value is PaymentAuthError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
