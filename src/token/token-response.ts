import { quoteServerText } from '../errors/redact';
import { ownOptions } from '../util/objects';
import { invalidResponseError as invalid } from './errors';

/**
 * Wire shapes of the token endpoint (RFC 6749 §5.1, §5.2), snake_case as they travel. They never
 * leave this file: {@link toTokenGrant} turns them into the camelCase {@link TokenGrant}.
 */
export interface TokenResponseWire {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  /** Not in RFC 6749, but sent by several servers (Keycloak among them). */
  refresh_expires_in?: unknown;
}

/** RFC 6749 §5.2 error response. */
export interface OAuthErrorWire {
  error: string;
  error_description?: string;
}

/** A validated token response. Lifetimes stay in seconds here; the token manager converts them. */
export interface TokenGrant {
  accessToken: string;
  /** `expires_in` as sent (may be out of range; the manager clamps it), or undefined when absent. */
  expiresInS: number | undefined;
  refreshToken: string | undefined;
  refreshExpiresInS: number | undefined;
  /** `DPoP` for a token bound to the proof's key (RFC 9449 §5); Bearer otherwise. */
  tokenType?: 'DPoP';
  /** With `tokenType: 'DPoP'`: the thumbprint of the key it is bound to. */
  jkt?: string;
}

/**
 * Longest token accepted. Node refuses response headers over 16 KiB and most servers refuse
 * request headers over 8 KiB: a longer token would be cached and then fail every call with 431.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** RFC 6750 §2.1 b64token characters, and nothing that could split a header (no space, CR, LF). */
const TOKEN_SYNTAX = /^[\x21-\x7E]+$/;
/** A decimal number as text. Unambiguous (no two ways to match a digit), so it runs in linear time. */
const NUMERIC = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
/** Longer numeric text than any real lifetime needs is refused before it is parsed. */
const MAX_NUMERIC_LENGTH = 32;

/**
 * Decodes a token endpoint body: JSON (RFC 6749 §5.1), or `application/x-www-form-urlencoded`,
 * which some older servers still send. Anything else — HTML from a gateway, truncated JSON, an
 * array, `null` — is rejected without quoting the body. `url`: the endpoint, for the error to name;
 * `quote` cleans the content type before an error names it (only then: cleaning costs a search).
 */
export function decodeTokenBody(
  text: string,
  contentType: string | undefined,
  url?: string,
  quote: (text: string) => string = (t) => t,
): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed === '') throw invalid('the body is empty', url);
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '') && !trimmed.startsWith('{')) {
    return ownOptions(Object.fromEntries(new URLSearchParams(trimmed)));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw invalid(
      `the body is not JSON (content-type ${JSON.stringify(contentType ? quote(contentType) : 'none')})`,
      url,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(
      `the body is JSON ${parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed}, not an object`,
      url,
    );
  }
  // Own fields only: an `error` planted on a polluted Object.prototype is not the server's.
  return ownOptions(parsed as Record<string, unknown>);
}

/** The OAuth error in a body, if it carries one (RFC 6749 §5.2; also on a 200, as some servers do). */
export function readOAuthError(body: Record<string, unknown> | undefined): OAuthErrorWire | undefined {
  if (!body || typeof body.error !== 'string' || body.error === '') return undefined;
  return {
    error: body.error,
    error_description: typeof body.error_description === 'string' ? body.error_description : undefined,
  };
}

/**
 * Reads `expires_in`: a number or a numeric string (some servers quote it). Absent or `null`
 * gives `undefined` (the caller applies its default). Anything else — `"abc"`, `NaN`, `Infinity`,
 * `true`, an object — is an invalid response.
 */
export function parseExpiresIn(value: unknown, field = 'expires_in', url?: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value.trim() : undefined;
  const n =
    typeof value === 'number'
      ? value
      : text !== undefined && text.length <= MAX_NUMERIC_LENGTH && NUMERIC.test(text)
        ? Number(text)
        : Number.NaN;
  if (!Number.isFinite(n)) throw invalid(`${field} is not a finite number`, url);
  return n;
}

function optionalToken(value: unknown, field: string, url: string | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !TOKEN_SYNTAX.test(value))
    throw invalid(`${field} is not a valid token string`, url);
  if (value.length > MAX_TOKEN_LENGTH) throw invalid(`${field} is longer than ${MAX_TOKEN_LENGTH} characters`, url);
  return value;
}

/**
 * The tokens a body carries (`access_token`, `refresh_token`): secrets, even in an answer that is
 * refused, so an error that quotes another field of it is cleaned of them too.
 */
export function tokensOf(body: TokenResponseWire): string[] {
  return [body.access_token, body.refresh_token].filter((token): token is string => typeof token === 'string');
}

/**
 * Validates a decoded 2xx body (RFC 6749 §5.1) into a {@link TokenGrant}. `quote` makes a server
 * value safe to name in the error: it is given the body's own tokens ({@link tokensOf}) to clean
 * it of, with the secrets the caller knows; `url` is the endpoint the error names; `dpop`, whether
 * the request carried a DPoP proof.
 */
export function toTokenGrant(
  body: TokenResponseWire,
  quote: (text: string, tokens: readonly string[]) => string = (text, tokens) => quoteServerText(text, tokens, 20),
  url?: string,
  dpop = false,
): TokenGrant {
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '')
    throw invalid('access_token is missing or not a non-empty string', url);
  if (accessToken.length > MAX_TOKEN_LENGTH)
    throw invalid(`access_token is longer than ${MAX_TOKEN_LENGTH} characters`, url);
  if (!TOKEN_SYNTAX.test(accessToken))
    throw invalid('access_token contains characters a bearer token cannot have', url);
  const tokenType = typeof body.token_type === 'string' ? body.token_type.toLowerCase() : body.token_type;
  // RFC 9449 §5: a DPoP token only in answer to a proof; without one, only Bearer (or none said).
  if (tokenType === 'dpop' && !dpop)
    throw invalid(
      'token_type DPoP: the token is bound to a key (RFC 9449) and this client sends no DPoP proofs; set the dpop option',
      url,
    );
  if (tokenType !== undefined && tokenType !== null && tokenType !== 'bearer' && tokenType !== 'dpop') {
    const quoted =
      typeof body.token_type === 'string' ? JSON.stringify(quote(body.token_type, tokensOf(body))) : typeof tokenType;
    throw invalid(`token_type ${quoted} is not ${dpop ? 'DPoP or Bearer' : 'Bearer'}`, url);
  }
  const grant: TokenGrant = {
    accessToken,
    expiresInS: parseExpiresIn(body.expires_in, 'expires_in', url),
    refreshToken: optionalToken(body.refresh_token, 'refresh_token', url),
    refreshExpiresInS: parseExpiresIn(body.refresh_expires_in, 'refresh_expires_in', url),
  };
  if (tokenType === 'dpop') grant.tokenType = 'DPoP';
  return grant;
}
