import { isPaymentAuthError, type PaymentAuthError } from '../errors/payment-auth-error';
import type { BreakerPolicy } from '../options/breaker-options';
import { sameCredentials, type Credentials } from './credentials';
import { heldRejectionError } from './errors';

/**
 * Whether the token endpoint refused, rather than failed: the credentials or the grant were
 * rejected, it redirected, or it answered 2xx without a usable token. Asking again with the same
 * request gives the same answer.
 */
export function isRejection(error: unknown): error is PaymentAuthError {
  return (
    isPaymentAuthError(error) &&
    (error.code === 'CREDENTIALS_REJECTED' ||
      error.code === 'TOKEN_REQUEST_REJECTED' ||
      error.code === 'TOKEN_ENDPOINT_REDIRECT' ||
      error.code === 'TOKEN_RESPONSE_INVALID')
  );
}

/**
 * Bounds how often a rejected configuration is sent again. A rejection is not an outage and never
 * opens the breaker, but a server that answers every request with `invalid_client` must not get
 * one token call per API request either: from the second rejection in a row on, acquisitions
 * with the same credentials fail at once with the same error for `coolDownMs`, doubling with each
 * further rejection up to `maxCoolDownMs` (a single rejection is asked again at once: it may be a
 * passing fault). Other credentials (a provider that returns a rotated secret) are
 * sent at once; a token obtained ends the pause.
 */
export class RejectionHold {
  #held: { credentials: Credentials; error: PaymentAuthError; until: number } | undefined;
  #inARow = 0;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly clock: () => number,
  ) {}

  /** The error to answer at once, when these credentials were rejected moments ago. */
  check(credentials: Credentials, now = this.clock()): PaymentAuthError | undefined {
    const held = this.#held;
    if (!held || now >= held.until || !this.#same(credentials)) return undefined;
    return heldRejectionError(held.error, Math.ceil(held.until - now));
  }

  /** The token endpoint rejected `credentials` with `error` ({@link isRejection}). */
  rejected(credentials: Credentials, error: PaymentAuthError, now = this.clock()): void {
    if (!this.policy.enabled) return;
    this.#inARow = this.#same(credentials) ? this.#inARow + 1 : 1;
    const { coolDownMs, maxCoolDownMs } = this.policy;
    // A single rejection may be a passing fault (a gateway's bad moment): the next acquisition asks
    // again at once. From the second in a row on, the pause starts and doubles.
    const pauseMs = this.#inARow < 2 ? 0 : Math.min(maxCoolDownMs, coolDownMs * 2 ** Math.min(this.#inARow - 2, 30));
    this.#held = {
      credentials,
      error,
      until: now + pauseMs,
    };
  }

  /** A token was obtained: nothing is held any more. */
  clear(): void {
    this.#held = undefined;
    this.#inARow = 0;
  }

  /** Until the pause ends, while there is one. */
  retryInMs(now = this.clock()): number | undefined {
    return this.#held && now < this.#held.until ? Math.ceil(this.#held.until - now) : undefined;
  }

  #same(credentials: Credentials): boolean {
    return this.#held !== undefined && sameCredentials(this.#held.credentials, credentials);
  }
}
