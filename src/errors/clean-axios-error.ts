import type { AxiosError } from 'axios';
import { cleanedCopy, plainOf } from './plain-copy';
import { REDACTED, holdsSecret, redactSecrets } from './redact';

/*
 * Cleaning of the AxiosErrors that reach the caller: the bearer token out of every header bag and
 * request summary (raw header blocks of Node requests included, streams too), and what the API
 * sent back (headers, body) cleaned of the tokens and the secret. The text forms of a secret are
 * redact.ts's.
 */

interface HeaderBag {
  has?: (name: string) => boolean;
  set?: (name: string, value: string) => unknown;
  [key: string]: unknown;
}

/** The Authorization value with its credentials replaced; the scheme (Bearer or DPoP) is kept. */
function redactedAuthorization(value: unknown): string {
  return `${/^\s*DPoP\s/i.test(String(value)) ? 'DPoP' : 'Bearer'} ${REDACTED}`;
}

function redactAuthorization(headers: unknown): void {
  if (!headers || typeof headers !== 'object') return;
  const bag = headers as HeaderBag;
  if (typeof bag.has === 'function' && typeof bag.set === 'function') {
    try {
      if (bag.has('Authorization'))
        bag.set(
          'Authorization',
          redactedAuthorization((bag as { get?: (n: string) => unknown }).get?.('Authorization')),
        );
    } catch {
      // Immutable headers (a fetch Response's): nothing to clean there, nothing to break either.
    }
    return;
  }
  for (const key of Object.keys(bag)) {
    if (key.toLowerCase() === 'authorization') bag[key] = redactedAuthorization(bag[key]);
  }
}

/**
 * The parts of a sent request worth keeping on an error. The real request object (Node's
 * `ClientRequest`, a fetch `Request`, an `XMLHttpRequest`) holds the raw header block with the
 * bearer token, so it is replaced by this summary.
 */
function summarizeRequest(request: unknown): unknown {
  if (!request || typeof request !== 'object') return request;
  const req = request as { method?: unknown; protocol?: unknown; host?: unknown; path?: unknown };
  return Object.freeze({
    method: typeof req.method === 'string' ? req.method : undefined,
    protocol: typeof req.protocol === 'string' ? req.protocol : undefined,
    host: typeof req.host === 'string' ? req.host : undefined,
    path: typeof req.path === 'string' ? req.path : undefined,
    redacted: true,
  });
}

/** The header block of a sent request with its Authorization value replaced. */
function redactHeaderBlock(block: string): string {
  return block.replace(
    /^(authorization:[ \t]*)([^\r\n]*)/gim,
    (_, name: string, value: string) => name + redactedAuthorization(value),
  );
}

/**
 * Cleans a Node `ClientRequest` that has been sent, in place: its raw header block, its header map
 * and the headers of the follow-redirects wrapper around it. Only ever called on the request of
 * a response that has arrived, whose headers are on the wire already.
 */
function scrubSentRequest(request: unknown): void {
  if (!request || typeof request !== 'object') return;
  const req = request as Record<string | symbol, unknown> & {
    _header?: unknown;
    _redirectable?: { _options?: { headers?: unknown } };
  };
  if (typeof req._header === 'string') req._header = redactHeaderBlock(req._header);
  for (const symbol of Object.getOwnPropertySymbols(req)) {
    const map = req[symbol];
    if (symbol.description !== 'kOutHeaders' || !map || typeof map !== 'object') continue;
    const entry = (map as Record<string, unknown>).authorization;
    if (Array.isArray(entry))
      (map as Record<string, unknown>).authorization = [entry[0], redactedAuthorization(entry[1])];
  }
  redactAuthorization(req._redirectable?._options?.headers);
  redactAttachedHeaders(req);
}

/**
 * Interceptors of the http module (msw, and nock, which uses it) hang a fetch `Request` with the
 * same headers on the request and on its socket: cleaned wherever an own property carries headers.
 */
function redactAttachedHeaders(owner: object): void {
  for (const key of Object.keys(owner)) {
    const value = (owner as Record<string, unknown>)[key] as { headers?: unknown } | null;
    if (
      key !== '_redirectable' &&
      value &&
      typeof value === 'object' &&
      value.headers &&
      typeof value.headers === 'object'
    )
      redactAuthorization(value.headers);
  }
}

/**
 * A stream body of an error response (`responseType: 'stream'`) stays the caller's to read, but the
 * Node response behind it points to its request (`res.req`, `res.socket._httpMessage`), whose raw
 * header block holds the bearer token: that request is cleaned in place.
 */
function scrubStreamBody(data: unknown): void {
  if (!isStream(data)) return;
  const res = data as { req?: unknown; socket?: { _httpMessage?: unknown } | null };
  scrubSentRequest(res.req);
  // The socket may carry another request by now (keep-alive): only this response's own is touched.
  if (res.socket && res.socket._httpMessage === res.req) {
    scrubSentRequest(res.socket._httpMessage);
    redactAttachedHeaders(res.socket);
  }
}

function isStream(data: unknown): boolean {
  return !!data && typeof data === 'object' && typeof (data as { pipe?: unknown }).pipe === 'function';
}

/** A binary body as text, if it is one of the kinds axios gives (Buffer, typed array, ArrayBuffer): of any size. */
function binaryText(data: unknown): string | undefined {
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data))
    return new TextDecoder().decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return undefined;
}

/** `text` as bytes of the same kind as `like` (a Buffer stays a Buffer). */
function sameKindOfBytes(like: ArrayBuffer | ArrayBufferView, text: string): unknown {
  const bytes = new TextEncoder().encode(text);
  if (like instanceof ArrayBuffer) return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const BufferClass = (globalThis as { Buffer?: { isBuffer(v: unknown): boolean; from(v: Uint8Array): unknown } })
    .Buffer;
  if (BufferClass?.isBuffer(like)) return BufferClass.from(bytes);
  return bytes;
}

/**
 * An error body cleaned of `secrets`. A body that quotes none is returned as it is, untouched
 * (frozen or odd bodies of a `transformResponse` stay exactly as they were). One that quotes one
 * is replaced by a cleaned copy: text stays text, bytes stay bytes of the same kind, and an
 * object becomes the plain JSON copy of itself with every key and value cleaned — whatever its
 * size, depth or class (getters and `toJSON` included, as a logger would print it; a Map, Set or
 * FormData as what it holds, a BigInt as its digits; a cycle or nesting deeper than JSON can take
 * copied by a walk, see `cleanedCopy`). Streams are left as they are.
 */
function redactBody(data: unknown, secrets: readonly string[]): unknown {
  if (typeof data === 'string') return redactSecrets(data, secrets);
  const binary = binaryText(data);
  if (binary !== undefined) {
    const clean = redactSecrets(binary, secrets);
    return clean === binary ? data : sameKindOfBytes(data as ArrayBuffer | ArrayBufferView, clean);
  }
  if (!data || typeof data !== 'object') return data;
  if (
    typeof (data as { pipe?: unknown }).pipe === 'function' ||
    typeof (data as { getReader?: unknown }).getReader === 'function'
  )
    return data;
  let text: string | undefined;
  try {
    // A Map, a Set, a FormData as what they hold (JSON would print `{}`), a BigInt as its digits.
    text = JSON.stringify(data, (_key, value: unknown) => plainOf(value));
  } catch {
    // A cycle, or nesting deeper than the call stack: walked without JSON.
    text = undefined;
  }
  if (text === undefined) return cleanedCopy(data, (part) => redactSecrets(part, secrets));
  // One search of the whole text first: most bodies quote nothing, and are left as they are.
  if (!holdsSecret(text, secrets, 1)) return data;
  // Each string cleaned on its own (a secret escaped inside one is found there), then the whole
  // text, for a secret that spans JSON syntax. A body too deep to walk is cleaned as text alone.
  let copy: unknown;
  let copyText = text;
  try {
    copy = cleanStrings(JSON.parse(text) as unknown, secrets);
    copyText = JSON.stringify(copy);
  } catch {
    copy = undefined;
  }
  const clean = redactSecrets(copyText, secrets);
  if (clean === text) return data;
  if (clean === copyText && copy !== undefined) return copy;
  try {
    return JSON.parse(clean) as unknown;
  } catch {
    return clean; // a secret that spanned JSON syntax: the cleaned text is still safe to keep
  }
}

/** A plain JSON value with every string and key cleaned of `secrets`. */
function cleanStrings(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => cleanStrings(item, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [redactSecrets(key, secrets), cleanStrings(item, secrets)]),
    );
  }
  return value;
}

/** Response headers with every value cleaned of `secrets` (a `WWW-Authenticate` may quote the token). */
function redactHeaders(headers: unknown, secrets: readonly string[]): void {
  if (!headers || typeof headers !== 'object') return;
  const bag = headers as Record<string, unknown>;
  for (const key of Object.keys(bag)) {
    const value = bag[key];
    const clean =
      typeof value === 'string'
        ? redactSecrets(value, secrets)
        : Array.isArray(value)
          ? value.map((v) => (typeof v === 'string' ? redactSecrets(v, secrets) : v))
          : value;
    if (
      typeof value === 'string'
        ? clean !== value
        : Array.isArray(value) && (clean as unknown[]).some((v, i) => v !== value[i])
    )
      bag[key] = clean;
  }
}

/**
 * Cleans an axios error of an API call that carried our bearer token, in place, so it can still
 * be rethrown as the same `AxiosError` (drop-in) but no longer holds the token in
 * `config.headers`, `request`, `response.request` or the request behind a stream body. With
 * `secrets` (the live and recent tokens, the client secret), what the API sent back — headers
 * and a parsed or text body — is cleaned of them too: an API may quote the token it refused.
 */
export function cleanAxiosError<E extends AxiosError>(error: E, secrets?: readonly string[]): E {
  redactAuthorization(error.config?.headers);
  // A stream body keeps references to what it was piped into: the request, with its headers.
  const data = error.config?.data as { pipe?: unknown; unpipe?: () => void } | undefined;
  if (data && typeof data.pipe === 'function' && typeof data.unpipe === 'function') data.unpipe();
  if (error.request !== undefined) error.request = summarizeRequest(error.request);
  const response = error.response;
  if (response) {
    redactAuthorization(response.config?.headers);
    if (response.request !== undefined) response.request = summarizeRequest(response.request);
    scrubStreamBody(response.data);
    if (secrets && secrets.length > 0) {
      // Best effort on what the API sent: a body or headers that refuse cleaning (a throwing
      // getter, a Proxy) are left to the caller rather than turning the AxiosError into another.
      try {
        // The reason phrase of the status line is server text too.
        if (typeof response.statusText === 'string') response.statusText = redactSecrets(response.statusText, secrets);
        redactHeaders(response.headers, secrets);
        // A stream body is the Node response itself: it holds the same headers, raw ones too.
        if (isStream(response.data)) {
          const res = response.data as { headers?: unknown; rawHeaders?: unknown };
          redactHeaders(res.headers, secrets);
          redactHeaders(res.rawHeaders, secrets);
        }
      } catch {
        // left as they are
      }
      try {
        const clean = redactBody(response.data, secrets);
        if (clean !== response.data) response.data = clean;
      } catch {
        // left as it is
      }
    }
  }
  return error;
}
