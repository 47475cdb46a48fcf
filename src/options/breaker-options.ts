import { MAX_TIMER_MS } from '../util/timers';
import { isOptionsObject, keysOf, ownOptions, shown, unknownKeys, shownNames } from '../util/objects';

/**
 * Options of the circuit breaker on the token endpoint (`breaker` option): how the package stops
 * calling an authorization server that is failing, and how it tries again.
 */
export interface BreakerOptions {
  /**
   * Consecutive failed token acquisitions (each after its own retries: 5xx, 429, timeouts,
   * connection errors) that open the breaker. A failure whose response carried `Retry-After`
   * opens it at once, for at least that long.
   * @default 2
   */
  failureThreshold?: number;
  /**
   * The first cool-down: while the breaker is open, requests that need a new token fail at once
   * with `TOKEN_ENDPOINT_UNAVAILABLE`; after the cool-down one probe (a single token call) goes
   * out. Each failed probe doubles it (with jitter) up to `maxCoolDownMs`. Also the first delay
   * before a failed background renewal is tried again.
   * @default 1_000
   */
  coolDownMs?: number;
  /**
   * The longest cool-down, and the longest `Retry-After` of the token endpoint that is obeyed.
   * @default 30_000
   */
  maxCoolDownMs?: number;
}

/** The breaker after defaults; `failureThreshold` is `Infinity` with `breaker: false`. */
export interface BreakerPolicy {
  /** False with `breaker: false`: never open, never hold a rejection; background renewals still back off. */
  enabled: boolean;
  failureThreshold: number;
  coolDownMs: number;
  maxCoolDownMs: number;
}

const BREAKER_OPTION_KEYS = keysOf<BreakerOptions>({ failureThreshold: true, coolDownMs: true, maxCoolDownMs: true });

export const BREAKER_DEFAULTS = { failureThreshold: 2, coolDownMs: 1000, maxCoolDownMs: 30_000 } as const;

const isInteger = (n: unknown): n is number => Number.isInteger(n);

function fail(message: string): never {
  throw new TypeError(`attachPaymentAuth: ${message}`);
}

/** Validates the `breaker` option: `undefined` gives the defaults, `false` turns the breaker off. */
export function normalizeBreaker(value: unknown): BreakerPolicy {
  if (value === false) return { enabled: false, ...BREAKER_DEFAULTS, failureThreshold: Infinity };
  if (value !== undefined && !isOptionsObject(value))
    fail(`breaker must be false or an options object, got ${shown(value)}`);
  const options = ownOptions((value ?? {}) as BreakerOptions);
  const unknown = unknownKeys(options, BREAKER_OPTION_KEYS);
  if (unknown.length) fail(`unknown breaker option${unknown.length > 1 ? 's' : ''} ${shownNames(unknown)}`);
  const int = (key: keyof BreakerOptions, min: number, max: number): number => {
    const n: unknown = options[key] === undefined ? BREAKER_DEFAULTS[key] : options[key];
    if (!isInteger(n) || n < min || n > max)
      fail(`breaker.${key} must be an integer from ${min} to ${max}, got ${shown(n)}`);
    return n;
  };
  const coolDownMs = int('coolDownMs', 1, MAX_TIMER_MS);
  const maxCoolDownMs = int('maxCoolDownMs', 1, MAX_TIMER_MS);
  if (maxCoolDownMs < coolDownMs)
    fail(`breaker.maxCoolDownMs (${maxCoolDownMs}) must not be below breaker.coolDownMs (${coolDownMs})`);
  return { enabled: true, failureThreshold: int('failureThreshold', 1, 1000), coolDownMs, maxCoolDownMs };
}
