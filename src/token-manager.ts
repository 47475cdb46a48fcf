import pMemoize from 'p-memoize';
import type { Credentials } from './client-auth';
import type { CredentialSource } from './credentials';
import { isPaymentAuthError, PaymentAuthError } from './errors';
import type { NormalizedOptions } from './options';
import { fingerprint } from './redact';
import { timerDelay } from './sleep';
import type { Reporter } from './reporter';
import { tokenTimeoutError, type Deadline, type TokenEndpoint } from './token-endpoint';
import type { TokenGrant } from './wire';

/** A cached access token. Times are epoch ms on the manager's clock. */
export interface AccessToken {
  readonly value: string;
  /** Increases by one with every new token: tells a 401 of an old token from one of the current. */
  readonly generation: number;
  readonly expiresAt: number;
  /** From here on the token is still served, but a background renewal starts. */
  readonly refreshAt: number;
}

interface RefreshToken {
  readonly value: string;
  readonly expiresAt: number;
}

/** Shortest lifetime a token is given, whatever `expires_in` says (0, negative, 5e-324...). */
const MIN_TOKEN_LIFETIME_MS = 1000;
/** A failed background renewal is not tried again for this long (requests keep the valid token). */
const BACKGROUND_RETRY_MS = 5000;
/** How many dropped tokens are still scrubbed from error text. */
const RETIRED_KEPT = 4;

type ManagerOptions = Pick<
  NormalizedOptions,
  'refreshUrl' | 'refreshWindowMs' | 'refreshTokenLifetimeMs' | 'defaultTokenLifetimeMs' | 'maxTokenLifetimeMs' | 'tokenTimeoutMs' | 'clock'
>;

function detachedError(): PaymentAuthError {
  return new PaymentAuthError({ code: 'DETACHED', message: 'Payment auth was detached while a token was pending', hint: 'detach() ends every pending token wait' });
}

/**
 * Owns the token state of one attachment: the cached access token, the refresh token, and the one
 * token acquisition in flight (p-memoize with `cache: false`: concurrent callers share it, and a
 * failure is never cached).
 *
 * - No token or an expired one: callers wait for the shared acquisition.
 * - Inside the refresh window: the current token is served and one background renewal runs.
 * - A renewal uses the refresh token while it is valid; any refresh failure falls back to one
 *   client_credentials exchange (with bounded retries) inside the same total deadline.
 */
export class TokenManager {
  #access: AccessToken | undefined;
  #refresh: RefreshToken | undefined;
  #generation = 0;
  #backgroundNotBefore = 0;
  /** Recently dropped tokens, still scrubbed from server text (a server may echo an old one). */
  readonly #retired: string[] = [];
  readonly #detached = new AbortController();
  readonly #renew: () => Promise<AccessToken>;

  constructor(
    private readonly options: ManagerOptions,
    private readonly credentials: CredentialSource,
    private readonly endpoint: TokenEndpoint,
    private readonly reporter: Reporter,
  ) {
    this.#renew = pMemoize(() => this.#acquire(), { cache: false, cacheKey: () => 'token' });
  }

  /** The token to send now: cached when valid, otherwise from the shared acquisition. */
  token(): Promise<AccessToken> {
    if (this.#detached.signal.aborted) return Promise.reject(detachedError());
    const access = this.#access;
    if (access) {
      const now = this.options.clock();
      if (now < access.expiresAt) {
        if (now >= access.refreshAt) this.#renewInBackground(now);
        return Promise.resolve(access);
      }
    }
    return this.#renew();
  }

  /**
   * The token to replay a request with after it got a 401 with token generation `sent`. If that
   * token is still the current one it is dropped and renewed (once, however many 401s report it);
   * if a newer token exists already, that one is returned without renewing.
   */
  tokenAfterUnauthorized(sent: number): Promise<AccessToken> {
    if (this.#access?.generation === sent) {
      this.#retire(this.#access);
      this.#access = undefined;
      this.reporter.log('debug', 'access token rejected with 401, renewing', { generation: sent });
    }
    return this.token();
  }

  /** The tokens held now and the last few dropped ones, so text from outside can be cleaned of them. */
  liveTokens(): string[] {
    return [this.#access?.value, this.#refresh?.value, ...this.#retired].filter((t): t is string => t !== undefined);
  }

  #retire(token: { value: string } | undefined): void {
    if (!token) return;
    this.#retired.unshift(token.value);
    this.#retired.length = Math.min(this.#retired.length, RETIRED_KEPT);
  }

  /** Forgets the cached access token (the refresh token is kept). */
  invalidate(): void {
    this.#retire(this.#access);
    this.#access = undefined;
  }

  /** Ends every pending wait with `DETACHED` and forgets all tokens. */
  detach(): void {
    if (this.#detached.signal.aborted) return;
    this.#detached.abort(detachedError());
    this.#access = undefined;
    this.#refresh = undefined;
    this.#retired.length = 0;
  }

  #renewInBackground(now: number): void {
    if (now < this.#backgroundNotBefore) return;
    this.#backgroundNotBefore = now + Math.min(BACKGROUND_RETRY_MS, this.options.refreshWindowMs / 2);
    this.#renew().catch(() => {
      // Reported by #acquire; requests keep using the still-valid token.
    });
  }

  async #acquire(): Promise<AccessToken> {
    const { clock, tokenTimeoutMs } = this.options;
    const startedAt = clock();
    const endAt = performance.now() + tokenTimeoutMs;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timerDelay(tokenTimeoutMs));
    (timer as { unref?: () => void }).unref?.();
    const deadline: Deadline = {
      signal: AbortSignal.any([this.#detached.signal, timeout.signal]),
      remainingMs: () => endAt - performance.now(),
    };
    try {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      const credentials = await this.credentials.get();
      const refreshed = await this.#tryRefresh(credentials, deadline);
      const grant = refreshed ?? (await this.#clientCredentials(credentials, deadline));
      if (this.#detached.signal.aborted) throw detachedError();
      return this.#store(grant, refreshed ? 'refresh_token' : 'client_credentials', startedAt);
    } catch (error) {
      const failure = isPaymentAuthError(error) ? error
        : this.#detached.signal.aborted ? detachedError()
        : deadline.signal.aborted ? tokenTimeoutError()
        : new PaymentAuthError({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', message: `Token acquisition failed: ${error instanceof Error ? error.name : typeof error}` });
      if (failure.code !== 'DETACHED') this.reporter.authError(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Tries the refresh grant when a refresh token is valid; undefined means "fall back". */
  async #tryRefresh(credentials: Credentials, deadline: Deadline): Promise<TokenGrant | undefined> {
    const refresh = this.#refresh;
    if (!this.options.refreshUrl || !refresh) return undefined;
    if (this.options.clock() >= refresh.expiresAt - Math.min(this.options.refreshWindowMs, 60_000)) {
      this.#retire(this.#refresh);
      this.#refresh = undefined;
      return undefined;
    }
    // The refresh gets at most half the budget, so the fallback always has time left.
    const half = Math.max(1, Math.floor(deadline.remainingMs() / 2));
    const signal = AbortSignal.any([deadline.signal, AbortSignal.timeout(timerDelay(half))]);
    try {
      return await this.endpoint.refresh(credentials, refresh.value, { signal, remainingMs: () => Math.min(half, deadline.remainingMs()) });
    } catch (error) {
      if (deadline.signal.aborted) throw error;
      this.#retire(this.#refresh);
      this.#refresh = undefined;
      this.reporter.log('warn', 'refresh failed, falling back to client_credentials', {
        code: isPaymentAuthError(error) ? error.code : undefined,
        status: isPaymentAuthError(error) ? error.status : undefined,
      });
      return undefined;
    }
  }

  /** client_credentials; a rejected secret is re-read once from a provider (rotation, RFC 9700 §2.5). */
  async #clientCredentials(credentials: Credentials, deadline: Deadline): Promise<TokenGrant> {
    try {
      return await this.endpoint.clientCredentials(credentials, deadline);
    } catch (error) {
      if (!this.credentials.dynamic || !isPaymentAuthError(error) || error.code !== 'CREDENTIALS_REJECTED') throw error;
      const fresh = await this.credentials.get();
      if (fresh.clientId === credentials.clientId && fresh.clientSecret === credentials.clientSecret) throw error;
      this.reporter.log('info', 'credentials rejected, retrying with the credentials provider\'s new value');
      return this.endpoint.clientCredentials(fresh, deadline);
    }
  }

  #store(grant: TokenGrant, kind: 'client_credentials' | 'refresh_token', startedAt: number): AccessToken {
    const { defaultTokenLifetimeMs, maxTokenLifetimeMs, refreshWindowMs, refreshTokenLifetimeMs, clock } = this.options;
    const requested = grant.expiresInS === undefined ? defaultTokenLifetimeMs : grant.expiresInS * 1000;
    const lifetime = Math.min(Math.max(requested, MIN_TOKEN_LIFETIME_MS), maxTokenLifetimeMs);
    const expiresAt = startedAt + lifetime;
    this.#retire(this.#access);
    const access: AccessToken = {
      value: grant.accessToken,
      generation: ++this.#generation,
      expiresAt,
      refreshAt: expiresAt - Math.min(refreshWindowMs, lifetime / 2),
    };
    this.#access = access;
    if (grant.refreshToken) {
      if (this.#refresh?.value !== grant.refreshToken) this.#retire(this.#refresh);
      const refreshLifetime = grant.refreshExpiresInS === undefined ? refreshTokenLifetimeMs : Math.max(0, grant.refreshExpiresInS * 1000);
      this.#refresh = { value: grant.refreshToken, expiresAt: startedAt + refreshLifetime };
    } else if (kind === 'client_credentials') {
      // RFC 6749 §4.4.3: no refresh token; renewals authenticate again.
      this.#retire(this.#refresh);
      this.#refresh = undefined;
    } // A refresh response without a refresh_token keeps the old one (the Payment API's behaviour).
    this.#backgroundNotBefore = 0;
    this.reporter.tokenIssued({
      grant: kind,
      fingerprint: fingerprint(access.value),
      generation: access.generation,
      expiresInMs: lifetime,
      durationMs: Math.max(0, Math.round(clock() - startedAt)),
    });
    return access;
  }
}
