import { isPaymentAuthError, type PaymentAuthError } from '../errors/payment-auth-error';
import type { BreakerPolicy } from '../options/breaker-options';
import type { Reporter } from '../observability/reporter';
import type { BreakerState } from '../observability/telemetry';
import type { FleetGate } from '../store/fleet-gate';
import { breakerOpenError, isLocalFailure } from './errors';

/**
 * Whether a failed call of the token endpoint means it is down or overloaded (after its retries:
 * 429, a transient 5xx, a connection that failed, no answer in time), not that it refused, nor that
 * this side could not make the call (an untrusted certificate, a signer that did not answer).
 */
export function isOutage(error: unknown): error is PaymentAuthError {
  return (
    isPaymentAuthError(error) &&
    (error.code === 'TOKEN_ENDPOINT_UNAVAILABLE' || error.code === 'TOKEN_ENDPOINT_TIMEOUT') &&
    !isLocalFailure(error)
  );
}

/** What `status()` shows of the breaker. */
export interface BreakerStatus {
  state: BreakerState;
  /** Failed token acquisitions in a row (a fleet's failed probes seen through the store count too). */
  consecutiveFailures: number;
  /** Until the next token call may go out (open), or 0 once it may (half-open); undefined when closed. */
  retryInMs: number | undefined;
  /** Since the breaker opened; undefined when closed. */
  openForMs: number | undefined;
}

/**
 * The circuit breaker on the token endpoint of one attachment.
 *
 * - **Closed**: calls go out. Each failed acquisition (an {@link isOutage}) counts; a failed
 *   background renewal is not tried again before a backoff with jitter ({@link allowsBackground}).
 *   After a failure, a call also takes the {@link FleetGate} first: finding it held, a process
 *   opens at once, as the fleet has (its calls then add nothing to an outage's load).
 * - **Open** after `failureThreshold` failures in a row, or at once on a `Retry-After`: requests
 *   that need a new token fail at once ({@link isOpen}); a token another process stored meanwhile
 *   is still taken ({@link recovered}).
 * - **Half-open** once the cool-down has passed: one probe — a single token call — goes out, for
 *   the whole fleet that shares the store ({@link admit} takes the {@link FleetGate} for the next
 *   cool-down). Its success closes the breaker; its failure opens it again for a cool-down twice as
 *   long (jittered, up to `maxCoolDownMs`). A process that finds the gate held by another stays
 *   open and waits longer: another process is probing, or cooling down after a failed probe.
 *
 * Rejections (4xx) are not outages and never open it (see `RejectionHold`). Times are on the
 * manager's clock; no timer is involved.
 */
export class TokenEndpointBreaker {
  #failures = 0;
  /** No token call before this: for every call while open, for background renewals always. */
  #nextAttemptAt = 0;
  #openedAt: number | undefined;
  /** When the failures in a row began: a token issued after it shows the endpoint worked since. */
  #firstFailureAt: number | undefined;
  /** Whether this attachment holds the fleet gate (taken, and not given back, as far as it knows). */
  #gateHeld = false;
  /** The failures in a row when the breaker opened: its cool-downs double from there. */
  #openedAtFailures: number | undefined;
  #last: PaymentAuthError | undefined;
  /** The cool-down the fleet gate was taken for by the probe in flight; undefined when none is. */
  #probeCoolDownMs: number | undefined;

  constructor(
    private readonly policy: BreakerPolicy,
    private readonly clock: () => number,
    private readonly reporter: Pick<Reporter, 'breakerState'>,
    private readonly random: () => number = Math.random,
  ) {}

  /** Whether this attachment may hold the fleet gate now: `detach()` gives it back. */
  get holdsGate(): boolean {
    return this.#gateHeld && (this.#probeCoolDownMs !== undefined || this.clock() < this.#nextAttemptAt);
  }

  /**
   * Whether the next token call needs the fleet gate ({@link admit} takes it): once a call has
   * failed, and not while open (nothing is called then). The manager asks for it before it waits
   * on the store's token lock: a process that finds the gate held must fail at once, not wait
   * for another process's probe behind that lock and then take the gate after it.
   */
  needsGate(now = this.clock()): boolean {
    return this.policy.enabled && this.#failures > 0 && this.state(now) !== 'open';
  }

  async #take(gate: FleetGate, ttlMs: number): Promise<boolean> {
    this.#gateHeld = await gate.take(ttlMs);
    return this.#gateHeld;
  }

  async #release(gate: FleetGate): Promise<void> {
    this.#gateHeld = false;
    await gate.release();
  }

  state(now = this.clock()): BreakerState {
    if (this.#openedAt === undefined) return 'closed';
    return now < this.#nextAttemptAt ? 'open' : 'half-open';
  }

  status(now = this.clock()): BreakerStatus {
    const state = this.state(now);
    return {
      state,
      consecutiveFailures: this.#failures,
      retryInMs: state === 'closed' ? undefined : Math.max(0, Math.ceil(this.#nextAttemptAt - now)),
      openForMs: this.#openedAt === undefined ? undefined : Math.max(0, Math.round(now - this.#openedAt)),
    };
  }

  /** Whether an acquisition must fail at once, without a token call. */
  isOpen(now = this.clock()): boolean {
    return this.state(now) === 'open';
  }

  /** Whether a background renewal may start: not before the backoff of the last failure ends. */
  allowsBackground(now = this.clock()): boolean {
    return now >= this.#nextAttemptAt;
  }

  /** The error of a request answered at once while the breaker is open. */
  openError(now = this.clock()): PaymentAuthError {
    return breakerOpenError(this.#failures, Math.max(0, Math.ceil(this.#nextAttemptAt - now)), this.#last);
  }

  /**
   * Before a token call. `call` while closed; but once a call has failed, only for the holder of
   * the fleet gate (another process may have opened its breaker meanwhile). While half-open,
   * `probe` (a single call) for the holder of the gate. Rejects with {@link openError} while
   * open, or when another process holds the gate: it is calling, or cooling down after a failure.
   */
  async admit(gate: FleetGate, callBudgetMs = 0): Promise<'call' | 'probe'> {
    const state = this.state();
    if (state === 'open') throw this.openError();
    // Half-open needs a failure with the breaker on: what is left is closed and untroubled.
    if (this.#failures === 0 || !this.policy.enabled) return 'call';
    const coolDownMs = this.#coolDownMs(this.#failures + 1);
    // Held for the call itself too (at most its budget): a slow probe must not let the gate expire
    // under it, or another process would start a second call while this one is in flight. Once
    // the call has ended, {@link failed} takes it for the cool-down from then, {@link succeeded}
    // gives it back.
    if (!(await this.#take(gate, coolDownMs + Math.max(0, callBudgetMs)))) {
      const now = this.clock();
      this.#failures += 1;
      this.#firstFailureAt ??= now;
      if (this.#openedAt === undefined) this.#open(now, { consecutiveFailures: this.#failures, gateHeld: true });
      this.#nextAttemptAt = now + this.#coolDownMs(this.#failures);
      throw this.openError(now);
    }
    this.#probeCoolDownMs = coolDownMs;
    if (state === 'closed') return 'call';
    this.reporter.breakerState('half-open', 'token endpoint breaker half-open: one call tests the token endpoint', {
      consecutiveFailures: this.#failures,
    });
    return 'probe';
  }

  /** A token call succeeded: the breaker closes and the gate is given back. */
  async succeeded(gate: FleetGate): Promise<void> {
    const probing = this.#probeCoolDownMs !== undefined;
    this.#close('the token endpoint answered');
    if (probing) await this.#release(gate);
  }

  /**
   * A token from the store, issued at `issuedAt` (by another process): if it was issued after the
   * failures in a row began, the token endpoint has worked since: the count starts again, and an
   * open breaker closes.
   */
  recovered(issuedAt: number): void {
    if (issuedAt > (this.#firstFailureAt ?? Infinity)) this.#close('another process got a token');
  }

  /** A token acquisition failed for an outage ({@link isOutage}). */
  async failed(error: PaymentAuthError, gate: FleetGate): Promise<void> {
    const now = this.clock();
    this.#failures += 1;
    this.#firstFailureAt ??= now;
    this.#last = error;
    const retryAfterMs =
      error.retryAfterMs === undefined ? undefined : Math.min(error.retryAfterMs, this.policy.maxCoolDownMs);
    const probeCoolDownMs = this.#probeCoolDownMs;
    this.#probeCoolDownMs = undefined;
    const opens =
      this.#openedAt === undefined &&
      this.policy.enabled &&
      (this.#failures >= this.policy.failureThreshold || (retryAfterMs ?? 0) > 0);
    if (opens) this.#openedAtFailures = this.#failures;
    // A probe's cool-down is the one its gate was taken for; the first one starts afresh.
    const planned = opens || probeCoolDownMs === undefined ? this.#coolDownMs(this.#failures) : probeCoolDownMs;
    const coolDownMs = Math.max(planned, retryAfterMs ?? 0);
    this.#nextAttemptAt = now + coolDownMs;
    if (!opens && this.#openedAt === undefined) {
      // Closed: only background renewals wait; the others of the fleet may call again.
      if (probeCoolDownMs !== undefined) await this.#release(gate);
      return;
    }
    if (opens) {
      // The fleet cools down with this process: another process that would call finds the gate held.
      await this.#take(gate, coolDownMs);
      this.#open(now, {
        consecutiveFailures: this.#failures,
        retryInMs: coolDownMs,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      return;
    }
    // The gate was taken when the probe went out, for the probe's budget and its cool-down: it is
    // taken again for the cool-down counted from this failure (longer if the server asked for a
    // longer pause), so that the fleet's next call comes one cool-down after this one ended.
    if (probeCoolDownMs !== undefined) await this.#take(gate, coolDownMs);
    this.reporter.breakerState('open', 'token endpoint breaker open again: the probe failed', {
      consecutiveFailures: this.#failures,
      retryInMs: coolDownMs,
    });
  }

  /** A probe ended with neither success nor outage (a rejection, `detach()`): the gate is given back. */
  async released(gate: FleetGate): Promise<void> {
    if (this.#probeCoolDownMs === undefined) return;
    this.#probeCoolDownMs = undefined;
    await this.#release(gate);
  }

  #open(now: number, fields: Record<string, unknown>): void {
    this.#openedAt = now;
    this.#openedAtFailures ??= this.#failures;
    this.reporter.breakerState('open', 'token endpoint breaker open: requests that need a token fail at once', fields);
  }

  #close(reason: string): void {
    const openedAt = this.#openedAt;
    this.#failures = 0;
    this.#nextAttemptAt = 0;
    this.#openedAt = undefined;
    this.#openedAtFailures = undefined;
    this.#firstFailureAt = undefined;
    this.#last = undefined;
    this.#probeCoolDownMs = undefined;
    if (openedAt === undefined) return;
    const openForMs = Math.max(0, Math.round(this.clock() - openedAt));
    this.reporter.breakerState('closed', `token endpoint breaker closed: ${reason}`, { openForMs }, openForMs);
  }

  /**
   * The cool-down after `failures` failures in a row: `coolDownMs` for the first failure and again
   * for the one that opened the breaker, doubling with each further one up to `maxCoolDownMs`, then
   * jittered into its upper half so that a fleet does not probe in step.
   */
  #coolDownMs(failures: number): number {
    const { coolDownMs, maxCoolDownMs } = this.policy;
    const exponent = Math.min(Math.max(0, failures - (this.#openedAtFailures ?? 1)), 30);
    const ceiling = Math.min(maxCoolDownMs, coolDownMs * 2 ** exponent);
    return Math.ceil(ceiling * (0.5 + this.random() / 2));
  }
}
