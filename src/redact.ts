import type { AxiosError } from 'axios';

/** What replaces a secret or a token everywhere it could leave the package. */
export const REDACTED = '[REDACTED]';

/**
 * Replaces every occurrence of each secret (raw and form-urlencoded) in `text`.
 * Used on text that comes from a server (an `error_description` may echo what it was sent).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
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

/**
 * Cleans an axios error of an API call that carried our bearer token, in place, so it can still
 * be rethrown as the same `AxiosError` (drop-in) but no longer holds the token in
 * `config.headers`, `request` or `response.request`.
 */
export function cleanAxiosError(error: AxiosError): AxiosError {
  redactAuthorization(error.config?.headers);
  // A stream body keeps references to what it was piped into: the request, with its headers.
  const data = error.config?.data as { pipe?: unknown; unpipe?: () => void } | undefined;
  if (data && typeof data.pipe === 'function' && typeof data.unpipe === 'function') data.unpipe();
  if (error.request !== undefined) error.request = summarizeRequest(error.request);
  const response = error.response;
  if (response) {
    redactAuthorization(response.config?.headers);
    if (response.request !== undefined) response.request = summarizeRequest(response.request);
  }
  return error;
}
