/**
 * Which failures may succeed when the same request is sent again. The retries of API calls, the
 * token endpoint's retries and `parsePaymentError(err).retryable` all follow this one rule.
 */

/** 429 and every 5xx except 501 (Not Implemented) and 505 (HTTP Version Not Supported). */
export function isTransientStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** Transport failures (no response) worth another attempt: the connection broke or was never made. */
const TRANSIENT_TRANSPORT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ERR_NETWORK',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** Whether a transport error code (`err.code` of an error without a response) is transient. */
export function isTransientTransportCode(code: unknown): boolean {
  return (TRANSIENT_TRANSPORT_CODES as ReadonlySet<unknown>).has(code);
}

/**
 * Whether an API call that failed without a response broke in transport and may be sent again: a
 * transient transport code, or no code at all for a request that was made (`request` set). axios's
 * fetch adapter gives a code only to the TypeError that Node's and browsers' fetch reject with; a
 * runtime whose fetch rejects otherwise gets none (workerd: `Error: Network connection lost.`).
 */
export function isTransientTransportFailure(error: { code?: unknown; request?: unknown }): boolean {
  return error.code === undefined ? error.request !== undefined : isTransientTransportCode(error.code);
}

/**
 * Whether a request that failed without a response may be tried again: a transient transport code,
 * or none at all (an unknown network failure). The token endpoint's retries and
 * `parsePaymentError(err).retryable` of a token endpoint outage both read this.
 */
export function isTransientConnectionFailure(code: unknown): boolean {
  return typeof code !== 'string' || isTransientTransportCode(code);
}
