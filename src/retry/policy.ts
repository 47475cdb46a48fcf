import type { AxiosError } from 'axios';
import { backoffDelayMs, parseRetryAfterMs, type BackoffPolicy } from './backoff';
import { idempotencyKeyOf } from '../request/idempotency';
import { isReplayableBody } from '../request/replayable-body';

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
export interface RetryPolicy extends BackoffPolicy {
  retries: number;
  maxRetryAfterMs: number;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

export const RETRY_DEFAULTS = { retries: 2, baseDelayMs: 500, maxDelayMs: 5000, maxRetryAfterMs: 30_000 } as const;

/** RFC 9110 §9.2.2: methods whose repetition has the same effect as one request. */
const IDEMPOTENT_METHODS = new Set(['get', 'head', 'options', 'put', 'delete', 'trace']);

/** Transport failures worth another attempt: the connection broke or was never made. */
const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ERR_NETWORK', 'ENETUNREACH', 'EHOSTUNREACH']);

/** 429 and 5xx other than 501/505: statuses that may succeed when asked again. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Why an error may be retried, or undefined when it may not (whatever the method). */
export function retryReason(error: AxiosError, idempotencyHeader: string | undefined): string | undefined {
  if (error.code === 'ERR_CANCELED') return undefined;
  const status = error.response?.status;
  if (status === undefined) return error.code && RETRYABLE_CODES.has(error.code) ? 'network' : undefined;
  if (isTransientStatus(status)) return `status ${status}`;
  // A 409 on a keyed request is the provider telling that the same key is still being processed.
  if (status === 409 && idempotencyHeader && hasHeader(error, idempotencyHeader)) return 'status 409';
  return undefined;
}

/** Whether the request carried a usable idempotency key (not null, false, empty or blank). */
function hasHeader(error: AxiosError, name: string): boolean {
  return idempotencyKeyOf(error.config?.headers, name) !== undefined;
}

/**
 * Whether a failed API call may be sent again: a retryable reason, a method that is idempotent or
 * a request that carries an idempotency key (so the provider de-duplicates it), a body that can be
 * sent again, and a `Retry-After` (if any) within the cap.
 */
export function shouldRetry(error: AxiosError, policy: RetryPolicy, idempotencyHeader: string | undefined): boolean {
  const config = error.config;
  if (!config || !retryReason(error, idempotencyHeader)) return false;
  const method = (config.method ?? 'get').toLowerCase();
  const keyed = idempotencyHeader !== undefined && hasHeader(error, idempotencyHeader);
  if (!IDEMPOTENT_METHODS.has(method) && !keyed) return false;
  if (!isReplayableBody(config.data)) return false;
  const retryAfter = parseRetryAfterMs(error.response?.headers?.['retry-after']);
  return retryAfter === undefined || retryAfter <= policy.maxRetryAfterMs;
}

/** The wait before retry number `attempt`: `Retry-After` when the server sent one, else backoff. */
export function retryDelayMs(attempt: number, error: AxiosError, policy: RetryPolicy, random: () => number = Math.random): number {
  const retryAfter = parseRetryAfterMs(error.response?.headers?.['retry-after']);
  const backoff = backoffDelayMs(attempt, policy, random);
  return retryAfter === undefined ? backoff : Math.min(Math.max(retryAfter, backoff), policy.maxRetryAfterMs);
}

/** Validates the `retry` option; `undefined` means retries are off. */
export function normalizeRetry(value: unknown): RetryPolicy | undefined {
  if (value === false) return undefined;
  const options: RetryOptions = typeof value === 'number' ? { retries: value } : value === undefined || value === true ? {} : (value as RetryOptions);
  if (typeof options !== 'object' || options === null) throw new TypeError('attachPaymentAuth: retry must be false, a number or an options object');
  const int = (key: keyof typeof RETRY_DEFAULTS, min: number): number => {
    const n = options[key] ?? RETRY_DEFAULTS[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new TypeError(`attachPaymentAuth: retry.${key} must be an integer >= ${min}, got ${JSON.stringify(n)}`);
    return n;
  };
  const unknown = Object.keys(options).filter((k) => !['retries', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs', 'onRetry'].includes(k));
  if (unknown.length) throw new TypeError(`attachPaymentAuth: unknown retry option ${unknown.join(', ')}`);
  if (options.onRetry !== undefined && typeof options.onRetry !== 'function') throw new TypeError('attachPaymentAuth: retry.onRetry must be a function');
  const policy = { retries: int('retries', 0), baseDelayMs: int('baseDelayMs', 0), maxDelayMs: int('maxDelayMs', 0), maxRetryAfterMs: int('maxRetryAfterMs', 0), onRetry: options.onRetry };
  return policy.retries === 0 ? undefined : policy;
}
