import { sameCredentials, type Credentials } from './credentials';
import type { CredentialSource } from './credential-source';
import { isPaymentAuthError } from '../errors/payment-auth-error';
import type { NormalizedOptions } from '../options/options';
import type { Reporter } from '../observability/reporter';
import { untilAborted } from '../util/signals';
import type { StoredToken } from '../store/token-store';
import { isOutage } from './breaker';
import { startDeadline, type Deadline } from './deadline';
import type { TokenEndpoint } from './endpoint';
import type { GrantType } from '../observability/telemetry';
import type { TokenGrant } from './token-response';

/** Shortest lifetime a token is given, whatever `expires_in` says (0, negative, 5e-324...). */
const MIN_TOKEN_LIFETIME_MS = 1000;
/** Longest lifetime a refresh token is given, whatever `refresh_expires_in` says (1e306...). */
export const MAX_REFRESH_TOKEN_LIFETIME_MS = 366 * 24 * 3600 * 1000;

export type AcquisitionOptions = Pick<
  NormalizedOptions,
  | 'refreshWindowMs'
  | 'refreshTokenLifetimeMs'
  | 'defaultTokenLifetimeMs'
  | 'maxTokenLifetimeMs'
  | 'clock'
  | 'tokenUrl'
  | 'refreshUrl'
>;

/** A refresh token and when it stops being valid (epoch ms). */
export interface RefreshToken {
  readonly value: string;
  readonly expiresAt: number;
}

/** A token fresh from the token endpoint, and how it was obtained. */
export interface Acquired {
  token: StoredToken;
  grant: GrantType;
  /** client_credentials after a refresh that failed. */
  fallback: boolean;
}

/**
 * One trip to the token endpoint: the refresh grant while the refresh token is valid (one attempt,
 * at most half the budget), and on any failure one client_credentials exchange (with its retries).
 * Lifetimes count from when the request was sent and are clamped.
 */
export class TokenAcquisition {
  constructor(
    private readonly options: AcquisitionOptions,
    private readonly credentials: CredentialSource,
    private readonly endpoint: TokenEndpoint,
    private readonly reporter: Reporter,
  ) {}

  /**
   * Set when a probe found the refresh endpoint down and it is another endpoint than the token
   * endpoint: the next probe asks the token endpoint instead, so that one endpoint staying down
   * (a gateway without the refresh route) does not keep the breaker open.
   */
  #probeSkipsRefresh = false;

  /**
   * @param probe the breaker's probe of an endpoint that was failing: one call, without retries —
   *   the refresh grant while a refresh token is valid, or client_credentials — and no fallback
   *   after a refresh that failed for an outage (a rejected refresh token still falls back: the
   *   endpoint answered). Where the two endpoints differ, probes after a refresh outage alternate.
   */
  async fetch(
    credentials: Credentials,
    refresh: RefreshToken | undefined,
    deadline: Deadline,
    probe = false,
  ): Promise<Acquired> {
    const issuedAt = this.options.clock();
    const skipRefresh = probe && this.#probeSkipsRefresh;
    this.#probeSkipsRefresh = false;
    const refreshed = skipRefresh ? undefined : await this.#tryRefresh(credentials, refresh, deadline, probe);
    if (refreshed)
      return { grant: 'refresh_token', fallback: false, token: this.#toStored(refreshed, issuedAt, refresh) };
    const fallback = this.#usable(refresh);
    return {
      grant: 'client_credentials',
      fallback,
      token: this.#toStored(await this.#clientCredentials(credentials, deadline, probe), issuedAt, undefined),
    };
  }

  /** Whether a refresh token can still be used now (not within a minute of its end). */
  #usable(refresh: RefreshToken | undefined): refresh is RefreshToken {
    return (
      refresh !== undefined &&
      this.endpoint.refresh !== undefined &&
      this.options.clock() < refresh.expiresAt - Math.min(this.options.refreshWindowMs, 60_000)
    );
  }

  async #tryRefresh(
    credentials: Credentials,
    refresh: RefreshToken | undefined,
    deadline: Deadline,
    probe: boolean,
  ): Promise<TokenGrant | undefined> {
    const refreshGrant = this.endpoint.refresh;
    if (!refreshGrant || !this.#usable(refresh)) return undefined;
    const half = startDeadline(Math.max(1, Math.floor(deadline.remainingMs() / 2)), deadline.timers, deadline);
    try {
      return await refreshGrant(credentials, refresh.value, half);
    } catch (error) {
      // A probe makes one call: after a refresh outage it fails, and where the token endpoint is
      // another one, the next probe asks that one.
      if (probe && isOutage(error)) this.#probeSkipsRefresh = this.options.refreshUrl !== this.options.tokenUrl;
      if (deadline.signal.aborted || (probe && isOutage(error))) throw error;
      this.reporter.log('warn', 'refresh failed, falling back to client_credentials', {
        code: isPaymentAuthError(error) ? error.code : undefined,
        status: isPaymentAuthError(error) ? error.status : undefined,
      });
      return undefined;
    } finally {
      half.end();
    }
  }

  /** client_credentials; a rejected secret is re-read once from a provider (rotation, RFC 9700 §2.5). */
  async #clientCredentials(credentials: Credentials, deadline: Deadline, probe: boolean): Promise<TokenGrant> {
    const retries = probe ? 0 : undefined;
    try {
      return await this.endpoint.clientCredentials(credentials, deadline, retries);
    } catch (error) {
      if (!this.credentials.dynamic || !isPaymentAuthError(error) || error.code !== 'CREDENTIALS_REJECTED') throw error;
      const fresh = await untilAborted(this.credentials.get(), deadline.signal);
      if (sameCredentials(fresh, credentials)) throw error;
      this.reporter.log('info', "credentials rejected, retrying with the credentials provider's new value");
      return this.endpoint.clientCredentials(fresh, deadline, retries);
    }
  }

  #toStored(grant: TokenGrant, issuedAt: number, usedRefresh: RefreshToken | undefined): StoredToken {
    const { defaultTokenLifetimeMs, maxTokenLifetimeMs, refreshTokenLifetimeMs } = this.options;
    const requested = grant.expiresInS === undefined ? defaultTokenLifetimeMs : grant.expiresInS * 1000;
    const lifetime = Math.min(Math.max(requested, MIN_TOKEN_LIFETIME_MS), maxTokenLifetimeMs);
    const token: StoredToken = { accessToken: grant.accessToken, issuedAt, expiresAt: issuedAt + lifetime };
    if (grant.tokenType === 'DPoP') {
      token.tokenType = 'DPoP';
      token.jkt = grant.jkt;
    }
    if (grant.refreshToken) {
      // A new refresh token replaces the old one (RFC 6749 §6).
      token.refreshToken = grant.refreshToken;
      const sent = grant.refreshExpiresInS === undefined ? refreshTokenLifetimeMs : grant.refreshExpiresInS * 1000;
      token.refreshExpiresAt = issuedAt + Math.min(Math.max(sent, 0), MAX_REFRESH_TOKEN_LIFETIME_MS);
    } else if (usedRefresh) {
      // A refresh response without one keeps the old one (the Payment API's behaviour).
      token.refreshToken = usedRefresh.value;
      token.refreshExpiresAt = usedRefresh.expiresAt;
    } // A client_credentials response without one (RFC 6749 §4.4.3): renewals authenticate again.
    return token;
  }
}
