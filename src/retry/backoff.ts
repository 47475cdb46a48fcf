/** Bounds of an exponential backoff. */
export interface BackoffPolicy {
  /** Delay ceiling of the first retry, in ms. */
  baseDelayMs: number;
  /** Largest delay of any retry, in ms. */
  maxDelayMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniform delay in `[0, min(max, base · 2^(attempt-1))]`.
 * Spreads a fleet's retries instead of synchronising them.
 *
 * @param attempt 1 for the first retry.
 * @param random a source in `[0, 1)`; injectable for tests.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns the delay in ms (0 for a date in the past), or undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: unknown, nowMs: number = Date.now()): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (typeof header !== 'string' && typeof header !== 'number') return undefined;
  const text = String(header).trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
