import type { InternalAxiosRequestConfig } from 'axios';

/** Methods that create or change something and get a key. GET, PUT, DELETE are idempotent already. */
const KEYED_METHODS = new Set(['post', 'patch']);

/** A UUID v4 from the platform's CSPRNG (`crypto.randomUUID`, Node 19+ and every browser). */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

interface HeaderReader {
  get?: (name: string) => unknown;
}

/**
 * The idempotency key a request will really send: a non-blank string. `null`, `undefined`, `''`,
 * blanks, `false`, `true` and an object (which axios sends as `true` and `[object Object]`) are no
 * key — axios sends no header for `null` and `false`, and an empty or shared one identifies
 * nothing — whatever `headers.has()` says.
 */
export function idempotencyKeyOf(headers: unknown, headerName: string): string | undefined {
  const get = (headers as HeaderReader | undefined)?.get;
  return typeof get === 'function' ? usableKey(get.call(headers, headerName)) : undefined;
}

/** A header value as a key, if it is one. */
function usableKey(value: unknown): string | undefined {
  // axios turns `true` and an object into the texts "true" and "[object Object]": the same for
  // every request, no key.
  return typeof value === 'string' && value.trim() !== '' && value !== '[object Object]' && value !== 'true'
    ? value
    : undefined;
}

/**
 * Gives a POST or PATCH an idempotency key unless it has a usable one. The key is set on the
 * request's own headers, so the 401 replay and every retry — which resend this same config —
 * carry the same key, and the provider runs the operation at most once. A key the caller set is
 * kept as is; `null`, `undefined`, `''`, blanks, `true` or an object get a generated key. `false` is
 * axios's way of saying "send no such header": it is respected, and the request then counts as
 * unkeyed (a POST is not retried).
 */
export function ensureIdempotencyKey(config: InternalAxiosRequestConfig, headerName: string): boolean {
  if (!KEYED_METHODS.has(String(config.method).toLowerCase())) return false;
  const value = config.headers.get(headerName);
  if (value === false || usableKey(value) !== undefined) return false;
  config.headers.set(headerName, newIdempotencyKey());
  return true;
}
