import pMemoize from 'p-memoize';
import type { CredentialSource } from './credential-source';
import { isPaymentAuthError } from '../errors/payment-auth-error';
import type { NormalizedOptions } from '../options/options';
import { fingerprint } from '../errors/redact';
import type { Reporter } from '../observability/reporter';
import type { GrantType } from '../observability/telemetry';
import { createFleetGate } from '../store/fleet-gate';
import { acquireShared, peekShared } from '../store/shared-flight';
import { untilAborted } from '../util/signals';
import { createTimerGroup, type TimerGroup } from '../util/timers';
import type { StoreErrorConsequence, StoreUnavailable } from '../store/store-unavailable';
import { tokenStoreKey, type StoredToken, type TokenStore } from '../store/token-store';
import { TokenAcquisition, type RefreshToken } from './acquisition';
import { isOutage, TokenEndpointBreaker, type BreakerStatus } from './breaker';
import { startDeadline } from './deadline';
import type { TokenEndpoint } from './endpoint';
import { acquisitionFailedError, detachedError, tokenTimeoutError, withRetryAfter, withTenant } from './errors';
import { isRejection, RejectionHold } from './rejection-hold';
import type { PaymentAuthError } from '../errors/payment-auth-error';

/** A cached access token. Times are epoch ms on the manager's clock. */
export interface AccessToken {
  readonly value: string;
  /** Increases by one with every new token: tells a 401 of an old token from one of the current. */
  readonly generation: number;
  /** When its token request was sent. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** From here on the token is still served, but a background renewal starts. */
  readonly refreshAt: number;
  /** How this process got it; `store` when it was adopted from the token store. */
  readonly source: GrantType | 'store';
  /** `DPoP`: sent as `Authorization: DPoP` with a proof of the key it is bound to (RFC 9449). */
  readonly type: 'Bearer' | 'DPoP';
  /** Set once the API answered a request sent with it with anything but 401. */
  confirmed: boolean;
}

/** How many dropped tokens are remembered: never adopted again, still scrubbed from error text. */
const RETIRED_KEPT = 8;
const STORE_KEY_PREFIX = 'token:v1:';
/** The fleet gate of the breaker: a lock beside the token's, under a key of its own. */
const BREAKER_KEY_PREFIX = 'breaker:v1:';

/**
 * While the breaker is open, the store is read in the background (for a token another process got)
 * at most this often, one read at a time: never on the path of a request answered at once.
 */
const OPEN_STORE_READ_INTERVAL_MS = 100;

/** An acquisition answered at once, without a token call (breaker open, rejection held). */
class ShortCircuit {
  constructor(readonly error: PaymentAuthError) {}
}

/** What a store call of the manager needs: the store, the key, the bounds and the error report. */
interface StoreAccess {
  store: TokenStore;
  key: string;
  storeTimeoutMs: number;
  timers: TimerGroup;
  onStoreError(error: StoreUnavailable, consequence: StoreErrorConsequence): void;
}

type ManagerOptions = Pick<
  NormalizedOptions,
  | 'tokenUrl'
  | 'tokenParams'
  | 'refreshUrl'
  | 'refreshWindowMs'
  | 'refreshTokenLifetimeMs'
  | 'defaultTokenLifetimeMs'
  | 'maxTokenLifetimeMs'
  | 'tokenTimeoutMs'
  | 'clock'
  | 'storeLockTtlMs'
  | 'storeTimeoutMs'
  | 'breaker'
> & {
  store: TokenStore;
  /** With DPoP: the thumbprint of the key tokens are bound to; tokens bound to another are never used. */
  dpopThumbprint?: () => Promise<string>;
  /** On a multi-tenant attachment: the tenant this manager holds the tokens of (part of every store key). */
  tenant?: string;
};

/**
 * Owns the token state of one attachment: the in-memory copy of the access token (the hot path
 * never leaves the process), the refresh token, and the one acquisition in flight (p-memoize with
 * `cache: false`: concurrent callers share it, and a failure is never cached).
 *
 * - No token or an expired one: callers wait for the shared acquisition.
 * - Inside the refresh window: the current token is served and one background renewal runs.
 * - An acquisition goes through the token store: a usable stored token is adopted; otherwise one
 *   holder of the store's lock fetches it (see `acquireShared`) and the others wait for it.
 */
export class TokenManager {
  #access: AccessToken | undefined;
  #refresh: RefreshToken | undefined;
  #generation = 0;
  #backgroundNotBefore = 0;
  /** After a 401, a stored token issued no later than the rejected one is stale: never adopted. */
  #issuedAfter = 0;
  readonly #retired: string[] = [];
  /** Refresh tokens whose new access token was rejected on its first use: never used again. */
  readonly #distrusted: string[] = [];
  readonly #owner = globalThis.crypto.randomUUID();
  readonly #detached = new AbortController();
  /** The timers of the acquisition in flight: they keep the process alive while a caller waits. */
  readonly #timers = createTimerGroup();
  readonly #renew: () => Promise<AccessToken>;
  readonly #acquisition: TokenAcquisition;
  readonly #breaker: TokenEndpointBreaker;
  #releaseGate: (() => void) | undefined;
  readonly #hold: RejectionHold;
  /** How the last acquisition reached the store: what the background reads while open use. */
  #storeAccess: StoreAccess | undefined;
  /** A background read of the store is in flight (breaker open). */
  #storeReading = false;
  #nextStoreReadAt = 0;
  /** The timers of background reads: nobody waits for them, they never keep the process alive. */
  readonly #backgroundTimers = createTimerGroup();
  /** With DPoP, once known: the thumbprint of this attachment's key. */
  #jkt: string | undefined;
  /** Acquisitions running now (a request's, or a background renewal). */
  #flights = 0;

  /**
   * @param createEndpoint builds the token endpoint client, given what it must clean server text
   *   of: {@link knownSecrets}.
   */
  constructor(
    private readonly options: ManagerOptions,
    private readonly credentials: CredentialSource,
    createEndpoint: (knownSecrets: () => readonly string[]) => TokenEndpoint,
    private readonly reporter: Reporter,
  ) {
    this.#acquisition = new TokenAcquisition(
      options,
      credentials,
      createEndpoint(() => this.knownSecrets()),
      reporter,
    );
    this.#breaker = new TokenEndpointBreaker(options.breaker, options.clock, reporter);
    this.#hold = new RejectionHold(options.breaker, options.clock);
    this.#renew = pMemoize(() => this.#acquire(), { cache: false, cacheKey: () => 'token' });
  }

  /** The token to send now: cached when valid, otherwise from the shared acquisition. */
  token(): Promise<AccessToken> {
    return this.tokenWaiter().promise;
  }

  /**
   * {@link token}, for a caller that may stop waiting (an aborted request): `release()` ends its
   * hold on the acquisition, whose timers then stop keeping the process alive once nobody waits.
   */
  tokenWaiter(): { promise: Promise<AccessToken>; release: () => void } {
    const none = (): void => undefined;
    if (this.#detached.signal.aborted) return { promise: Promise.reject(detachedError()), release: none };
    const cached = this.cachedToken();
    if (cached) return { promise: Promise.resolve(cached), release: none };
    // Held before the flight starts, so its first timers are already created keeping Node alive.
    const release = this.#timers.hold();
    const promise = this.#renew();
    promise.then(release, release);
    return { promise, release };
  }

  /**
   * The cached token if it can be sent now, without waiting; inside the refresh window this also
   * starts the one background renewal. Undefined means: wait for {@link token}.
   */
  cachedToken(): AccessToken | undefined {
    const access = this.#access;
    if (!access) return undefined;
    const now = this.options.clock();
    if (now >= access.expiresAt) return undefined;
    if (now >= access.refreshAt) this.#renewInBackground(now);
    return access;
  }

  /**
   * The token to replay a request with after it got a 401 with token generation `sent`. If that
   * token is still the current one it is dropped and renewed (once, however many 401s report it),
   * and no stored token issued before it is adopted (one that another attachment left in the store
   * was most likely revoked along with it); if a newer token exists already, that one is returned
   * without renewing.
   */
  tokenAfterUnauthorized(sent: number): Promise<AccessToken> {
    this.noteUnauthorized(sent);
    return this.token();
  }

  /** The first half of {@link tokenAfterUnauthorized}: drops the rejected token, waits for nothing. */
  noteUnauthorized(sent: number): void {
    const access = this.#access;
    if (access?.generation === sent) {
      this.reporter.log('debug', 'access token rejected with 401, renewing', { generation: sent });
      this.#issuedAfter = Math.max(this.#issuedAfter, access.issuedAt);
      if (access.source === 'refresh_token' && !access.confirmed && this.#refresh) {
        // The refresh grant answered 200 with a token the API rejects at once: asking it again
        // would give the same for as long as the refresh token lives. Authenticate from scratch.
        this.reporter.log(
          'warn',
          'a token from the refresh grant was rejected on its first use; renewing with client_credentials',
        );
        this.#distrust(this.#refresh.value);
      }
      this.invalidate();
    }
  }

  /** The API answered a request sent with token generation `sent` with something other than 401. */
  confirm(sent: number): void {
    const access = this.#access;
    if (access !== undefined && access.generation === sent) access.confirmed = true;
  }

  /** The token state now, for `status()`: no token values, only whether and for how long. */
  snapshot(): {
    hasToken: boolean;
    expiresInMs: number | undefined;
    refreshTokenExpiresInMs: number | undefined;
    breaker: BreakerStatus;
  } {
    const now = this.options.clock();
    const access = this.#access && now < this.#access.expiresAt ? this.#access : undefined;
    return {
      hasToken: access !== undefined,
      expiresInMs: access ? Math.round(access.expiresAt - now) : undefined,
      refreshTokenExpiresInMs:
        this.#refresh && now < this.#refresh.expiresAt ? Math.round(this.#refresh.expiresAt - now) : undefined,
      breaker: this.#breaker.status(now),
    };
  }

  /** Forgets the cached access token (the refresh token is kept); it is never adopted again. */
  invalidate(): void {
    this.#retire(this.#access?.value);
    this.#access = undefined;
  }

  /** Aborts (with `DETACHED`) at {@link detach}: for waits outside the manager, such as retry back-offs. */
  get detachedSignal(): AbortSignal {
    return this.#detached.signal;
  }

  /** Ends every pending wait with `DETACHED` and stops using every token. */
  detach(): void {
    if (this.#detached.signal.aborted) return;
    this.#detached.abort(detachedError());
    // Forgotten for use, still known for cleaning: a request in flight at detach() may get an
    // answer that quotes its token, and its error is cleaned against knownSecrets().
    this.#retire(this.#access?.value);
    this.#retire(this.#refresh?.value);
    this.#access = undefined;
    this.#refresh = undefined;
    this.#distrusted.length = 0;
    if (this.#breaker.holdsGate) this.#releaseGate?.();
  }

  /**
   * What text from outside (server messages, API errors) must be cleaned of: every form of the
   * client secret seen so far, the tokens held now and the last few dropped ones.
   */
  knownSecrets(): string[] {
    const tokens = [this.#access?.value, this.#refresh?.value, ...this.#retired].filter(
      (t): t is string => t !== undefined,
    );
    return [...this.credentials.knownSecrets(), ...tokens];
  }

  #distrust(refreshToken: string): void {
    this.#retire(refreshToken);
    this.#refresh = undefined;
    if (!this.#distrusted.includes(refreshToken)) this.#distrusted.unshift(refreshToken);
    this.#distrusted.length = Math.min(this.#distrusted.length, RETIRED_KEPT);
  }

  #retire(token: string | undefined): void {
    if (token === undefined || this.#retired.includes(token)) return;
    this.#retired.unshift(token);
    this.#retired.length = Math.min(this.#retired.length, RETIRED_KEPT);
  }

  #refreshAt(token: StoredToken): number {
    return token.expiresAt - Math.min(this.options.refreshWindowMs, (token.expiresAt - token.issuedAt) / 2);
  }

  /**
   * One background renewal at a time, and never per request: after a renewal that failed, the next
   * waits for the breaker's backoff (token endpoint failures, with jitter) and at least one
   * cool-down (any failure: a credentials provider or a store that failed too).
   */
  #renewInBackground(now: number): void {
    if (now < this.#backgroundNotBefore || !this.#breaker.allowsBackground(now)) return;
    this.#backgroundNotBefore = now + Math.min(this.options.breaker.coolDownMs, this.options.refreshWindowMs / 2);
    this.#renew().catch(() => {
      // Reported by #acquire; requests keep using the still-valid token.
    });
  }

  /**
   * Whether a stored token may still be sent: not dropped, not older than a rejected one, not
   * expired, and with DPoP bound to this attachment's key (a store that mixed keys up is caught here).
   */
  #stillValid(token: StoredToken): boolean {
    return (
      (token.tokenType !== 'DPoP' || (token.jkt !== undefined && token.jkt === this.#jkt)) &&
      !this.#retired.includes(token.accessToken) &&
      token.issuedAt > this.#issuedAfter &&
      this.options.clock() < token.expiresAt
    );
  }

  /**
   * Whether a stored token that was not adopted (it is due for renewal) is worth serving while the
   * token endpoint fails: it still works, and it is not the one this process holds already.
   */
  #isFallbackToken(token: StoredToken | undefined): token is StoredToken {
    return token !== undefined && token.accessToken !== this.#access?.value && this.#stillValid(token);
  }

  /**
   * Whether work of this manager is under way: an acquisition (someone may be waiting for it) or a
   * background read of the store. A tenant registry never evicts a busy manager.
   */
  get busy(): boolean {
    return this.#flights > 0 || this.#storeReading;
  }

  /**
   * A 401 answered a request sent with `token`, a token of another manager of the same tenant (one
   * evicted since, whose state is gone): that token is never adopted here, nor any stored token
   * issued no later than it, and if it is this manager's current token, it is dropped.
   */
  noteUnauthorizedElsewhere(token: Pick<AccessToken, 'value' | 'issuedAt'>): void {
    if (this.#access?.value === token.value) return this.noteUnauthorized(this.#access.generation);
    this.#issuedAfter = Math.max(this.#issuedAfter, token.issuedAt);
    this.#retire(token.value);
  }

  async #acquire(): Promise<AccessToken> {
    this.#flights += 1;
    try {
      return await this.#acquireOnce();
    } finally {
      this.#flights -= 1;
    }
  }

  async #acquireOnce(): Promise<AccessToken> {
    const { clock, tokenTimeoutMs } = this.options;
    const deadline = startDeadline(tokenTimeoutMs, this.#timers, this.#detached.signal, tokenTimeoutError);
    const started = clock();
    let latest: StoredToken | undefined;
    try {
      if (deadline.signal.aborted) throw deadline.signal.reason;
      if (this.#breaker.isOpen()) {
        // Answered at once: no credentials provider call, no store call on this path (a store
        // that hangs would hold it). A token another process got meanwhile is looked for in the
        // background, and served from the next request on.
        this.#readStoreInBackground();
        throw new ShortCircuit(this.#breaker.openError());
      }
      // The provider is inside the deadline: one that never answers fails the acquisition in time.
      const credentials = await untilAborted(this.credentials.get(), deadline.signal);
      // DPoP: tokens are stored under the key's thumbprint; a fleet shares them if it shares the key.
      if (this.options.dpopThumbprint) this.#jkt = await untilAborted(this.options.dpopThumbprint(), deadline.signal);
      const key = tokenStoreKey(
        STORE_KEY_PREFIX,
        this.options.tokenUrl,
        credentials.clientId,
        this.options.tokenParams,
        this.#jkt,
        this.options.tenant,
      );
      const storeAccess: StoreAccess = {
        store: this.options.store,
        key,
        storeTimeoutMs: this.options.storeTimeoutMs,
        timers: this.#timers,
        // A store's error may quote what it read or wrote: cleaned before it is logged or handed on.
        onStoreError: (error, consequence) =>
          this.reporter.storeError(error.cleanedOf(this.knownSecrets()), consequence),
      };
      this.#storeAccess = storeAccess;
      const isUsable = (t: StoredToken): boolean => this.#stillValid(t) && clock() < this.#refreshAt(t);
      // The breaker's gate is not bound to this acquisition's deadline: it is kept after a failure.
      const gateConfig = {
        ...storeAccess,
        key: tokenStoreKey(
          BREAKER_KEY_PREFIX,
          this.options.tokenUrl,
          credentials.clientId,
          this.options.tokenParams,
          undefined,
          this.options.tenant,
        ),
        owner: this.#owner,
      };
      const gate = createFleetGate({ ...gateConfig, signal: this.#detached.signal });
      // At detach(), a gate this attachment holds is given back: the fleet need not wait for its TTL.
      this.#releaseGate = () => void createFleetGate({ ...gateConfig, signal: new AbortController().signal }).release();
      const admit = async (): Promise<'call' | 'probe'> => {
        // Checked only once the store had no usable token: another attachment's token ends the pause.
        const held = this.#hold.check(credentials);
        if (held) throw new ShortCircuit(held);
        return this.#breaker.admit(gate, deadline.remainingMs()).catch((error: PaymentAuthError) => {
          throw new ShortCircuit(error);
        });
      };
      let admitted: 'call' | 'probe' | undefined;
      if (this.#breaker.needsGate()) {
        // Once a call has failed, the gate comes before the store's token lock: a process that
        // finds it held (another is probing, or cooling down after a failed probe) fails at once,
        // instead of waiting for that probe behind the lock and calling again after it.
        latest = await peekShared({ ...storeAccess, signal: deadline.signal });
        if (latest && isUsable(latest)) return this.#adopt(latest, undefined, started);
        admitted = await admit();
      }
      let fetching = false;
      let fetched: { grant: GrantType; fallback: boolean } | undefined;
      const token = await acquireShared({
        ...storeAccess,
        owner: this.#owner,
        lockTtlMs: this.options.storeLockTtlMs,
        // Half the acquisition's budget at most: the other half is for fetching in process.
        maxLockWaitMs: Math.min(this.options.storeLockTtlMs + 1000, Math.floor(deadline.remainingMs() / 2)),
        signal: deadline.signal,
        clock,
        isUsable,
        fetch: async (stored) => {
          fetching = true;
          latest = stored ?? latest;
          admitted ??= await admit();
          try {
            const acquired = await this.#acquisition.fetch(
              credentials,
              this.#refreshTokenFor(stored),
              deadline,
              admitted === 'probe',
            );
            this.#hold.clear();
            await this.#breaker.succeeded(gate);
            fetched = { grant: acquired.grant, fallback: acquired.fallback };
            return acquired.token;
          } catch (error) {
            if (isOutage(error) && !this.#detached.signal.aborted) {
              await this.#breaker.failed(error, gate);
              // The failure that opened the breaker says, as the ones after it do, when to try again.
              const { retryInMs } = this.#breaker.status();
              if (retryInMs !== undefined) throw withRetryAfter(error, retryInMs);
            } else {
              await this.#breaker.released(gate);
              if (isRejection(error)) {
                this.#hold.rejected(credentials, error);
                const pauseMs = this.#hold.retryInMs();
                if (pauseMs !== undefined) throw withRetryAfter(error, pauseMs);
              }
            }
            throw error;
          }
        },
      }).finally(async () => {
        // Admitted before the lock, but a token in the store (or a failure) came first: no call.
        if (admitted !== undefined && !fetching) await this.#breaker.released(gate);
      });
      if (this.#detached.signal.aborted) throw detachedError();
      return this.#adopt(token, fetched, started);
    } catch (error) {
      const shortCircuit = error instanceof ShortCircuit && !this.#detached.signal.aborted ? error.error : undefined;
      const plain =
        shortCircuit ??
        (this.#detached.signal.aborted
          ? detachedError()
          : isPaymentAuthError(error)
            ? error
            : deadline.signal.aborted
              ? tokenTimeoutError()
              : acquisitionFailedError(error));
      const { tenant } = this.options;
      const failure = tenant === undefined ? plain : withTenant(plain, tenant);
      if (shortCircuit) this.reporter.shortCircuit(failure);
      else if (failure.code !== 'DETACHED') this.reporter.authError(failure);
      // The token endpoint is down, but the store holds a token that still works (due for renewal,
      // so not adopted before): it is served until it expires, as this process's own would be.
      if (isOutage(failure) && this.#isFallbackToken(latest)) return this.#adopt(latest, undefined, started);
      throw failure;
    } finally {
      deadline.end();
    }
  }

  /**
   * While the breaker is open: one bounded read of the store in the background, at most every
   * {@link OPEN_STORE_READ_INTERVAL_MS} and one at a time. A token another process got (or one
   * still valid) is adopted; the next request is served with it, and the breaker closes.
   */
  #readStoreInBackground(): void {
    const access = this.#storeAccess;
    const now = this.options.clock();
    if (!access || this.#storeReading || now < this.#nextStoreReadAt || this.#detached.signal.aborted) return;
    this.#storeReading = true;
    this.#nextStoreReadAt = now + OPEN_STORE_READ_INTERVAL_MS;
    void peekShared({ ...access, timers: this.#backgroundTimers, signal: this.#detached.signal })
      .then(
        (stored) => {
          if (this.#detached.signal.aborted || !stored || !this.#stillValid(stored)) return;
          const current = this.#access;
          if (current && this.options.clock() < current.expiresAt) return;
          this.#adopt(stored, undefined, now);
        },
        () => undefined, // detach()
      )
      .finally(() => {
        this.#storeReading = false;
      });
  }

  /** The refresh token to use: the newest of the store's and ours, unless distrusted. */
  #refreshTokenFor(latest: StoredToken | undefined): RefreshToken | undefined {
    // The newest refresh token wins: another process may have renewed it.
    const shared =
      latest?.refreshToken && latest.refreshExpiresAt !== undefined
        ? { value: latest.refreshToken, expiresAt: latest.refreshExpiresAt }
        : undefined;
    const candidate =
      shared && (!this.#refresh || shared.expiresAt >= this.#refresh.expiresAt) ? shared : this.#refresh;
    // A refresh token whose last token was rejected on its first use is not used again.
    return candidate && !this.#distrusted.includes(candidate.value) ? candidate : undefined;
  }

  /** Makes a stored token the current one; `fetched` is set when this process fetched it. */
  #adopt(
    token: StoredToken,
    fetched: { grant: GrantType; fallback: boolean } | undefined,
    started: number,
  ): AccessToken {
    this.#retire(this.#access?.value);
    const access: AccessToken = {
      value: token.accessToken,
      generation: ++this.#generation,
      issuedAt: token.issuedAt,
      expiresAt: token.expiresAt,
      refreshAt: this.#refreshAt(token),
      source: fetched?.grant ?? 'store',
      type: token.tokenType ?? 'Bearer',
      confirmed: false,
    };
    this.#access = access;
    if (token.refreshToken !== this.#refresh?.value) this.#retire(this.#refresh?.value);
    const keep =
      token.refreshToken && token.refreshExpiresAt !== undefined && !this.#distrusted.includes(token.refreshToken);
    this.#refresh = keep ? { value: token.refreshToken!, expiresAt: token.refreshExpiresAt! } : undefined;
    this.#backgroundNotBefore = 0;
    const fields = {
      fingerprint: fingerprint(access.value),
      generation: access.generation,
      expiresInMs: token.expiresAt - token.issuedAt,
      ...(this.options.tenant === undefined ? {} : { tenant: this.options.tenant }),
    };
    if (fetched)
      this.reporter.tokenIssued(
        { grant: fetched.grant, ...fields, durationMs: Math.max(0, Math.round(this.options.clock() - started)) },
        fetched.fallback,
      );
    else {
      this.reporter.log('debug', 'token adopted from the token store', fields);
      // Issued after this process's breaker opened: another process got through, the endpoint works.
      this.#breaker.recovered(token.issuedAt);
    }
    return access;
  }
}
