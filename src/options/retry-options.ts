import { keysOf, shown, unknownKeys } from '../util/objects';

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
  if (typeof options !== 'object' || options === null)
    throw new TypeError('attachPaymentAuth: retry must be false, a number or an options object');
  const int = (key: keyof typeof RETRY_DEFAULTS, min: number): number => {
    // Only a missing field takes the default: null (a missing environment variable, parsed) is a mistake.
    const n: unknown = options[key] === undefined ? RETRY_DEFAULTS[key] : options[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min)
      throw new TypeError(`attachPaymentAuth: retry.${key} must be an integer >= ${min}, got ${shown(n)}`);
    return n;
  };
  const unknown = unknownKeys(options, RETRY_OPTION_KEYS);
  if (unknown.length) throw new TypeError(`attachPaymentAuth: unknown retry option ${unknown.join(', ')}`);
  if (options.onRetry !== undefined && typeof options.onRetry !== 'function')
    throw new TypeError('attachPaymentAuth: retry.onRetry must be a function');
  const policy = {
    retries: int('retries', 0),
    baseDelayMs: int('baseDelayMs', 0),
    maxDelayMs: int('maxDelayMs', 0),
    maxRetryAfterMs: int('maxRetryAfterMs', 0),
    onRetry: options.onRetry,
  };
  return policy.retries === 0 ? undefined : policy;
}
