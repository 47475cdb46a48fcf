import type { AxiosError } from 'axios';
import { backoffDelayMs, parseRetryAfterMs } from './backoff';
import { idempotencyKeyOf } from '../request/idempotency';
import { isReplayableBody } from '../request/replayable-body';
import { isTransientStatus, isTransientTransportFailure } from '../errors/transient';
import type { RetryPolicy } from '../options/retry-options';

/** RFC 9110 §9.2.2: methods whose repetition has the same effect as one request. */
const IDEMPOTENT_METHODS = new Set(['get', 'head', 'options', 'put', 'delete', 'trace']);

/** Why an error may be retried, or undefined when it may not (whatever the method). */
export function retryReason(error: AxiosError, idempotencyHeader: string | undefined): string | undefined {
  if (error.code === 'ERR_CANCELED') return undefined;
  const status = error.response?.status;
  if (status === undefined) return isTransientTransportFailure(error) ? 'network' : undefined;
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
export function retryDelayMs(
  attempt: number,
  error: AxiosError,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const retryAfter = parseRetryAfterMs(error.response?.headers?.['retry-after']);
  const backoff = backoffDelayMs(attempt, policy, random);
  return retryAfter === undefined ? backoff : Math.min(Math.max(retryAfter, backoff), policy.maxRetryAfterMs);
}
