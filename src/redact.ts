import type { AxiosError } from 'axios';

/** What replaces a secret or a token everywhere it could leave the package. */
export const REDACTED = '[REDACTED]';

/** Base64 of the UTF-8 bytes of `text` (`btoa` alone takes Latin-1 only). */
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The same percent-encoded text with lower-case hex digits, which a server may send back. */
function lowerHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** Every form in which a secret can come back in server text: raw, URI, form, base64. */
function secretForms(secret: string): Set<string> {
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  return new Set([secret, uri, lowerHex(uri), form, lowerHex(form), base64Utf8(secret)]);
}

/**
 * Replaces every occurrence of each secret in `text`: raw, URI-encoded, form-encoded (upper- or
 * lower-case escapes) and base64. The base64 of a whole `client_id:client_secret` pair (an echoed
 * Basic header) is among the secrets the credentials give (see `CredentialSource.knownSecrets`).
 * Used on text that comes from a server (an `error_description` may echo what it was sent).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of secretForms(secret)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * Server text made safe to quote in an error or a log line: cleaned of every secret, control
 * characters (a forged log line, a terminal escape) replaced by spaces, and cut to `max`
 * characters.
 */
export function quoteServerText(text: string, secrets: readonly (string | undefined)[], max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = redactSecrets(text, secrets).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * A short, non-reversible fingerprint of a token for logs and hooks (FNV-1a, 32 bits, hex):
 * enough to tell two tokens apart, far too little to use one.
 */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

interface HeaderBag {
  has?: (name: string) => boolean;
  set?: (name: string, value: string) => unknown;
  [key: string]: unknown;
}

function redactAuthorization(headers: unknown): void {
  if (!headers || typeof headers !== 'object') return;
  const bag = headers as HeaderBag;
  if (typeof bag.has === 'function' && typeof bag.set === 'function') {
    if (bag.has('Authorization')) bag.set('Authorization', `Bearer ${REDACTED}`);
    return;
  }
  for (const key of Object.keys(bag)) {
    if (key.toLowerCase() === 'authorization') bag[key] = `Bearer ${REDACTED}`;
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
  return block.replace(/^(authorization:[ \t]*)[^\r\n]*/gim, `$1Bearer ${REDACTED}`);
}

/**
 * Cleans a Node `ClientRequest` that has been sent, in place: its raw header block, its header map
 * and the headers of the follow-redirects wrapper around it. Only ever called on the request of
 * a response that has arrived, whose headers are on the wire already.
 */
function scrubSentRequest(request: unknown): void {
  if (!request || typeof request !== 'object') return;
  const req = request as Record<string | symbol, unknown> & { _header?: unknown; _redirectable?: { _options?: { headers?: unknown } } };
  if (typeof req._header === 'string') req._header = redactHeaderBlock(req._header);
  for (const symbol of Object.getOwnPropertySymbols(req)) {
    const map = req[symbol];
    if (symbol.description !== 'kOutHeaders' || !map || typeof map !== 'object') continue;
    const entry = (map as Record<string, unknown>).authorization;
    if (Array.isArray(entry)) (map as Record<string, unknown>).authorization = [entry[0], `Bearer ${REDACTED}`];
  }
  redactAuthorization(req._redirectable?._options?.headers);
}

/**
 * A stream body of an error response (`responseType: 'stream'`) stays the caller's to read, but the
 * Node response behind it points to its request (`res.req`, `res.socket._httpMessage`), whose raw
 * header block holds the bearer token: that request is cleaned in place.
 */
function scrubStreamBody(data: unknown): void {
  if (!data || typeof data !== 'object' || typeof (data as { pipe?: unknown }).pipe !== 'function') return;
  const res = data as { req?: unknown; socket?: { _httpMessage?: unknown } | null };
  scrubSentRequest(res.req);
  // The socket may carry another request by now (keep-alive): only this response's own is touched.
  if (res.socket && res.socket._httpMessage === res.req) scrubSentRequest(res.socket._httpMessage);
}

/**
 * Releases a response the caller never sees: a Node stream body is destroyed and a web stream
 * cancelled, so the connection is not held by a body nobody reads.
 */
export function releaseResponse(response: { data?: unknown } | undefined): void {
  const data = response?.data as { pipe?: unknown; destroy?: () => void; getReader?: unknown; cancel?: () => Promise<void>; locked?: boolean } | undefined;
  if (!data || typeof data !== 'object') return;
  if (typeof data.pipe === 'function' && typeof data.destroy === 'function') data.destroy();
  else if (typeof data.getReader === 'function' && typeof data.cancel === 'function' && data.locked !== true) data.cancel().catch(() => undefined);
}

/**
 * Cleans an axios error of an API call that carried our bearer token, in place, so it can still
 * be rethrown as the same `AxiosError` (drop-in) but no longer holds the token in
 * `config.headers`, `request`, `response.request` or the request behind a stream body.
 */
export function cleanAxiosError<E extends AxiosError>(error: E): E {
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
  }
  return error;
}
