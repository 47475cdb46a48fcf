import type { PaymentAuthError } from '../errors/payment-auth-error';
import { isThenable } from '../util/objects';
import { describeThrown } from '../util/thrown';
import type { PaymentAuthLogger, TokenEvent } from './hooks';
import type { StoreErrorConsequence, StoreUnavailable } from '../store/store-unavailable';
import type { BreakerState, PaymentAuthTelemetry, TokenCallInfo, TokenCallResult, TokenOutcome } from './telemetry';

type Level = keyof PaymentAuthLogger;

/** Counts of one attachment since it was attached, for `status()`. */
export interface PaymentAuthCounts {
  /** Tokens obtained with client_credentials (fallbacks included). */
  tokensAcquired: number;
  /** Tokens obtained with the refresh token. */
  tokensRefreshed: number;
  /** client_credentials exchanges after a failed refresh. */
  fallbacks: number;
  /** Token acquisitions that failed. */
  failures: number;
  /** 401s on requests that carried our token. */
  unauthorized: number;
  /** Requests replayed after a 401. */
  replays: number;
  /** Retries of API calls. */
  retries: number;
  /** Idempotency keys generated. */
  idempotencyKeys: number;
  /**
   * Token acquisitions answered at once, without a token call: the breaker was open, or the same
   * credentials had just been rejected. Not in `failures`, and not reported to `onAuthError`.
   */
  shortCircuited: number;
}

/** The last failure, without secrets. */
export interface LastAuthError {
  code: string;
  message: string;
  /** Epoch ms. */
  at: number;
}

/**
 * The event hub of one attachment: lifecycle events go to the logger, the hooks, the counters of
 * `status()` and the telemetry. Nothing here throws into a request: a throwing logger, hook or
 * telemetry is caught.
 */
export interface Reporter {
  log(level: Level, message: string, fields?: Record<string, unknown>): void;
  tokenIssued(event: TokenEvent, fallback: boolean): void;
  authError(error: PaymentAuthError): void;
  /** An acquisition answered at once with `error`, without a token call (logged at debug only). */
  shortCircuit(error: PaymentAuthError): void;
  /** The breaker changed state: a log line (warn on open, info otherwise) and the telemetry. */
  breakerState(state: BreakerState, message: string, fields: Record<string, unknown>, openForMs?: number): void;
  /**
   * A store call failed or did not answer; `consequence` says what the package does instead
   * (`fetching in process` only where it does fetch). Every one reaches `onStoreError` and
   * `lastError`; the logger's warning is given once per {@link STORE_WARNING_INTERVAL_MS} and
   * consequence, with how many were left out since.
   */
  storeError(error: StoreUnavailable, consequence: StoreErrorConsequence): void;
  unauthorized(replayed: boolean): void;
  retry(reason: string): void;
  idempotencyKey(): void;
  traceTokenCall<T>(info: TokenCallInfo, run: () => Promise<T>, describe: (outcome: T) => TokenCallResult): Promise<T>;
  /** Calls a user hook; a throw is logged, never passed on. */
  hook<T>(name: string, hook: ((arg: T) => void) | undefined, arg: T): void;
  /**
   * Registers `read` with the telemetry's `observeExpiry`; returns what unregisters it. Neither
   * throws: a telemetry that throws, rejects or returns no function is logged, never passed on.
   */
  observeExpiry(read: () => number | undefined): () => void;
  readonly counts: Readonly<PaymentAuthCounts>;
  readonly lastError: LastAuthError | undefined;
}

/**
 * At most one store warning per consequence in this long: a store that stays down while every
 * request is answered at once must not write a line per request (the hook still gets each one).
 */
export const STORE_WARNING_INTERVAL_MS = 30_000;

/** What the reporter reads of the normalized options. */
interface ReporterOptions {
  logger: PaymentAuthLogger | undefined;
  onTokenAcquired: ((event: TokenEvent) => void) | undefined;
  onTokenRefreshed: ((event: TokenEvent) => void) | undefined;
  onAuthError: ((error: PaymentAuthError) => void) | undefined;
  onStoreError: ((error: Error) => void) | undefined;
  telemetry: PaymentAuthTelemetry | undefined;
  clock: () => number;
}

/** Counts of nothing yet. */
export function zeroCounts(): PaymentAuthCounts {
  return {
    tokensAcquired: 0,
    tokensRefreshed: 0,
    fallbacks: 0,
    failures: 0,
    unauthorized: 0,
    replays: 0,
    retries: 0,
    idempotencyKeys: 0,
    shortCircuited: 0,
  };
}

/** Builds the reporter; with no logger, hooks or telemetry it only counts (nothing is printed). */
export function createReporter(options: ReporterOptions): Reporter {
  const { logger, telemetry } = options;
  const counts = zeroCounts();
  let lastError: LastAuthError | undefined;
  /** Per consequence: when its store warning was last given, and how many were left out since. */
  const storeWarnings = new Map<string, { at: number; leftOut: number }>();
  // A broken logger, hook or telemetry must not break the request it was about; an `async` one that
  // rejects is caught too (an unhandled rejection would end the process).
  const log = (level: Level, message: string, fields?: Record<string, unknown>): void => {
    if (!logger) return;
    try {
      const logged: unknown = logger[level](`axios-payment-auth: ${message}`, fields);
      if (isThenable(logged)) logged.then(undefined, () => undefined);
    } catch {
      // Nowhere left to say it.
    }
  };
  const guarded = (what: string, run: () => unknown): void => {
    const failed =
      (how: string) =>
      (error: unknown): void =>
        log('warn', `${what} ${how}`, { error: describeThrown(error) });
    try {
      const result = run();
      if (isThenable(result)) result.then(undefined, failed('rejected'));
    } catch (error) {
      failed('threw')(error);
    }
  };
  const call = <T>(name: string, hook: ((arg: T) => void) | undefined, arg: T): void => {
    if (hook) guarded(`${name} hook`, () => hook(arg));
  };
  const measure = (name: keyof PaymentAuthTelemetry, record: (t: PaymentAuthTelemetry) => unknown): void => {
    if (telemetry) guarded(`telemetry ${name}`, () => record(telemetry));
  };
  const outcome = (value: TokenOutcome): void => measure('recordTokenOutcome', (t) => t.recordTokenOutcome(value));

  return {
    log,
    hook: call,
    observeExpiry(read) {
      let unregister: unknown;
      measure('observeExpiry', (t) => (unregister = t.observeExpiry(read)));
      return () => {
        if (typeof unregister === 'function')
          guarded('telemetry observeExpiry unregister', unregister as () => unknown);
        unregister = undefined;
      };
    },
    counts,
    get lastError() {
      return lastError;
    },
    tokenIssued(event, fallback) {
      if (event.grant === 'refresh_token') counts.tokensRefreshed += 1;
      else counts.tokensAcquired += 1;
      if (fallback) counts.fallbacks += 1;
      outcome(event.grant === 'refresh_token' ? 'refreshed' : fallback ? 'fallback' : 'acquired');
      log('debug', event.grant === 'refresh_token' ? 'token refreshed' : 'token acquired', { ...event, fallback });
      if (event.grant === 'refresh_token') call('onTokenRefreshed', options.onTokenRefreshed, event);
      else call('onTokenAcquired', options.onTokenAcquired, event);
    },
    authError(error) {
      counts.failures += 1;
      lastError = { code: error.code, message: error.message, at: options.clock() };
      outcome('failed');
      log('error', 'token acquisition failed', {
        code: error.code,
        status: error.status,
        oauthError: error.oauthError,
        message: error.message,
      });
      call('onAuthError', options.onAuthError, error);
    },
    shortCircuit(error) {
      counts.shortCircuited += 1;
      measure('recordShortCircuit', (t) => t.recordShortCircuit?.());
      log('debug', 'token acquisition answered at once, without a token call', {
        code: error.code,
        retryAfterMs: error.retryAfterMs,
      });
    },
    breakerState(state, message, fields, openForMs) {
      log(state === 'open' ? 'warn' : 'info', message, { state, ...fields });
      measure('recordBreakerState', (t) => t.recordBreakerState?.(state, openForMs));
    },
    storeError(error, consequence) {
      const now = options.clock();
      lastError = { code: 'TOKEN_STORE_UNAVAILABLE', message: error.message, at: now };
      const last = storeWarnings.get(consequence);
      if (last && now - last.at < STORE_WARNING_INTERVAL_MS) last.leftOut += 1;
      else {
        storeWarnings.set(consequence, { at: now, leftOut: 0 });
        log('warn', `token store unavailable, ${consequence}`, {
          operation: error.operation,
          message: error.message,
          ...(last?.leftOut ? { leftOut: last.leftOut } : {}),
        });
      }
      call('onStoreError', options.onStoreError, error);
    },
    unauthorized(replayed) {
      counts.unauthorized += 1;
      if (replayed) counts.replays += 1;
      measure('recordUnauthorized', (t) => t.recordUnauthorized(replayed));
      log('debug', replayed ? '401 received, replaying the request once' : '401 received, not replayed');
    },
    retry(reason) {
      counts.retries += 1;
      measure('recordRetry', (t) => t.recordRetry(reason));
    },
    idempotencyKey() {
      counts.idempotencyKeys += 1;
      measure('recordIdempotencyKey', (t) => t.recordIdempotencyKey());
    },
    traceTokenCall(info, run, describe) {
      if (!telemetry) return run();
      // The acquisition waits for the call itself, not for the hook: a hook that never settles,
      // throws, forgets to return or never calls \`run\` can neither hold nor fail a token call.
      let call: ReturnType<typeof run> | undefined;
      const once = (): ReturnType<typeof run> => (call ??= run());
      // The telemetry sees what the call came to (status, error type), never its outcome: a
      // token response holds the tokens.
      let summary: Promise<TokenCallResult> | undefined;
      const described = (): Promise<TokenCallResult> => (summary ??= once().then(describe));
      try {
        const traced: unknown = telemetry.traceTokenCall(info, described, (result) => result);
        if (isThenable(traced)) traced.then(undefined, () => undefined);
      } catch (error) {
        log('warn', 'telemetry traceTokenCall threw', { error: describeThrown(error) });
      }
      return once();
    },
  };
}
