/**
 * Whether a request body can be sent a second time with the same bytes. Strings, buffers, typed
 * arrays, `URLSearchParams`, `Blob`, native `FormData` and plain objects can. Node streams (the
 * `form-data` package among them), web `ReadableStream`s and async iterables were consumed by
 * the first attempt: a replay would send an empty body, which the server may well accept.
 */
export function isReplayableBody(data: unknown): boolean {
  // Bytes and URLSearchParams are sent as such by axios, whatever else the object carries.
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data) || data instanceof URLSearchParams) return true;
  // Object() boxes a primitive and turns null and undefined into {}: none of them has these methods.
  const body = Object(data) as { pipe?: unknown; getReader?: unknown; [Symbol.asyncIterator]?: unknown };
  return (
    typeof body.pipe !== 'function' &&
    typeof body.getReader !== 'function' &&
    typeof body[Symbol.asyncIterator] !== 'function'
  );
}
