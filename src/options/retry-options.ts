import { isOptionsObject, keysOf, ownOptions, shown, unknownKeys, shownNames } from '../util/objects';
import { MAX_TIMER_MS } from '../util/timers';

/** What {@link RetryOptions.onRetry} receives. */
export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  /** `network`, `status 503`, `status 429`, … */
  reason: string;
  method: string;
  /** Path of the request, without the query string. */
  path: string;
  /** How long the retry waits. */
  delayMs: number;
}

/** Options of the retries of API calls (`retry` option). */
export interface RetryOptions {
  /** Retries after the first attempt. @default 2 */
  retries?: number;
  /** Delay ceiling of the first retry; doubles with each retry (full jitter). @default 500 */
  baseDelayMs?: number;
  /** Largest backoff delay. @default 5_000 */
  maxDelayMs?: number;
  /** Longest `Retry-After` obeyed; a longer one is not retried. @default 30_000 */
  maxRetryAfterMs?: number;
  /** Called before each retry. @default none */
  onRetry?: (event: RetryEvent) => void;
}

/** Retry options after defaults. */
export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxRetryAfterMs: number;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

const RETRY_OPTION_KEYS = keysOf<RetryOptions>({
  retries: true,
  baseDelayMs: true,
  maxDelayMs: true,
  maxRetryAfterMs: true,
  onRetry: true,
});

/** The most retries a request or a token call may be given (a count past it is a mistake). */
export const MAX_RETRIES = 100;

export const RETRY_DEFAULTS = { retries: 2, baseDelayMs: 500, maxDelayMs: 5000, maxRetryAfterMs: 30_000 } as const;

/** Validates the `retry` option; `undefined` means retries are off. */
export function normalizeRetry(value: unknown): RetryPolicy | undefined {
  if (value === false) return undefined;
  const options: RetryOptions =
    typeof value === 'number'
      ? { retries: value }
      : value === undefined || value === true
        ? {}
        : (value as RetryOptions);
  if (!isOptionsObject(options))
    throw new TypeError('attachPaymentAuth: retry must be false, a number or an options object');
  const given = ownOptions(options as RetryOptions);
  const int = (key: keyof typeof RETRY_DEFAULTS, min: number, max: number): number => {
    // Only a missing field takes the default: null (a missing environment variable, parsed) is a mistake.
    const n: unknown = given[key] === undefined ? RETRY_DEFAULTS[key] : given[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      throw new TypeError(
        `attachPaymentAuth: retry.${key} must be an integer >= ${min} and <= ${max}, got ${shown(n)}`,
      );
    return n;
  };
  const unknown = unknownKeys(given, RETRY_OPTION_KEYS);
  if (unknown.length) throw new TypeError(`attachPaymentAuth: unknown retry option ${shownNames(unknown)}`);
  if (given.onRetry !== undefined && typeof given.onRetry !== 'function')
    throw new TypeError('attachPaymentAuth: retry.onRetry must be a function');
  const policy = {
    retries: int('retries', 0, MAX_RETRIES),
    baseDelayMs: int('baseDelayMs', 0, MAX_TIMER_MS),
    maxDelayMs: int('maxDelayMs', 0, MAX_TIMER_MS),
    maxRetryAfterMs: int('maxRetryAfterMs', 0, MAX_TIMER_MS),
    onRetry: given.onRetry,
  };
  return policy.retries === 0 ? undefined : policy;
}
