import { isAxiosError, type AxiosError, type AxiosResponse } from 'axios';
import { isPaymentAuthError } from './payment-auth-error';
import { isOptionsObject, ownOptions } from '../util/objects';
import { isTransientConnectionFailure, isTransientStatus, isTransientTransportFailure } from './transient';

/** What {@link parsePaymentError} makes of any error of a Payment API call. */
export interface PaymentErrorInfo {
  /** HTTP status, when a response arrived. */
  status: number | undefined;
  /**
   * The provider's error code (`NO_TOKEN`, `INVALID_TOKEN`, `IDEMPOTENCY_KEY_REUSED`, …), else the
   * `PaymentAuthError` code, else the transport code (`ECONNRESET`, `ERR_CANCELED`, …), else
   * `HTTP_<status>`, else `UNKNOWN`.
   */
  code: string;
  /** A human-readable message (the provider's when it sent one). */
  message: string;
  /** The provider's request id (`error.request_id` or the `X-Request-Id` header), for support. */
  requestId: string | undefined;
  /** Whether sending the same request again (with the same idempotency key) may succeed. */
  retryable: boolean;
  /** True for `NO_TOKEN`, `INVALID_TOKEN` and any 401: an authentication problem. */
  unauthorized: boolean;
}

/** An axios error that carries a response of the API. */
export type PaymentApiError = AxiosError & { response: AxiosResponse };

/**
 * Whether `error` is an axios error with a response, such as the Payment API's 4xx and 5xx
 * (works across copies of axios, like `axios.isAxiosError`).
 */
export function isPaymentApiError(error: unknown): error is PaymentApiError {
  return isAxiosError(error) && typeof error.response?.status === 'number';
}

const RETRYABLE_AUTH_CODES = new Set(['TOKEN_ENDPOINT_UNAVAILABLE', 'TOKEN_ENDPOINT_TIMEOUT']);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** `String(value)`, or a fallback for values that cannot be turned into a string. */
function describe(value: unknown): string {
  try {
    return String(value);
  } catch {
    return 'unknown error';
  }
}

function parseBody(data: unknown): Record<string, unknown> | undefined {
  let value = data;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof ArrayBuffer !== 'undefined' && (value instanceof ArrayBuffer || ArrayBuffer.isView(value))) {
    return parseBody(new TextDecoder().decode(value as ArrayBuffer));
  }
  // Own fields only: an `error` planted on a polluted Object.prototype is not the server's.
  return isOptionsObject(value) ? ownOptions(value) : undefined;
}

/**
 * Reads any error of a Payment API call into {@link PaymentErrorInfo}: the provider's envelope
 * `{ error: { code, message, request_id } }`, flat `{ code, message }` bodies, OAuth-style
 * `{ error, error_description }`, non-JSON bodies, transport errors without a response, and our
 * own `PaymentAuthError`s. It never throws.
 *
 * @example
 * ```ts
 * try { await api.post('/payments', body); }
 * catch (err) {
 *   const info = parsePaymentError(err);
 *   log.warn({ code: info.code, requestId: info.requestId }, info.message);
 * }
 * ```
 */
export function parsePaymentError(error: unknown): PaymentErrorInfo {
  if (isPaymentAuthError(error)) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      requestId: undefined,
      retryable:
        RETRYABLE_AUTH_CODES.has(error.code) &&
        isTransientConnectionFailure((error.cause as { code?: unknown } | undefined)?.code),
      // The API's 401 on a body that could not be replayed.
      unauthorized: error.code === 'BODY_NOT_REPLAYABLE',
    };
  }
  if (isPaymentApiError(error)) {
    const { status, headers } = error.response;
    const body = parseBody(error.response.data);
    const envelope = isOptionsObject(body?.error) ? ownOptions(body.error) : undefined;
    const code = text(envelope?.code) ?? text(body?.code) ?? text(body?.error) ?? `HTTP_${status}`;
    const message =
      text(envelope?.message) ??
      text(body?.message) ??
      text(body?.error_description) ??
      `Payment API answered ${status}${error.response.statusText ? ` ${error.response.statusText}` : ''}`;
    const header = (headers as Record<string, unknown> | undefined)?.['x-request-id'];
    const requestId =
      text(envelope?.request_id) ?? text(body?.request_id) ?? text(Array.isArray(header) ? header[0] : header);
    const retryable = status === 409 || isTransientStatus(status);
    return {
      status,
      code,
      message,
      requestId,
      retryable,
      unauthorized: status === 401 || code === 'NO_TOKEN' || code === 'INVALID_TOKEN',
    };
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    request?: unknown;
  };
  const code = text(e.code) ?? 'UNKNOWN';
  return {
    status: undefined,
    code,
    message: text(e.message) ?? describe(error),
    requestId: undefined,
    retryable: isTransientTransportFailure(e),
    unauthorized: false,
  };
}
