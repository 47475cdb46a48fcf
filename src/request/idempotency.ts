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
 * blanks, `false`, and what axios sends as the same text for every request (`true`, `NaN`, an
 * object, a symbol, a function) are no key — axios sends no header for `null` and `false`, and an
 * empty or shared one identifies nothing — whatever `headers.has()` says.
 */
export function idempotencyKeyOf(headers: unknown, headerName: string): string | undefined {
  const get = (headers as HeaderReader | undefined)?.get;
  return typeof get === 'function' ? usableKey(get.call(headers, headerName)) : undefined;
}

/**
 * What axios sends for a value that is not a string, the same text for every request: `true`,
 * `NaN`, an object (`[object Object]`), a symbol (`Symbol(…)`), a function (its source).
 */
const CONSTANT_TEXTS =
  /^(?:true|NaN|\[object \w+\]|Symbol\(.*\)|(?:async\s+)?function\b[\s\S]*|(?:async\s*)?(?:\([^)]*\)\s*|\w+\s+)=>[\s\S]*)$/;

/** A header value as a key, if it is one. */
function usableKey(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' && !CONSTANT_TEXTS.test(value) ? value : undefined;
}

/**
 * Gives a POST or PATCH an idempotency key unless it has a usable one. The key is set on the
 * request's own headers, so the 401 replay and every retry — which resend this same config —
 * carry the same key, and the provider runs the operation at most once. A key the caller set is
 * kept as is; `null`, `undefined`, `''`, blanks and those constant texts get a generated key. `false` is
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
