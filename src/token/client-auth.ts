/** A confidential client's credentials (RFC 6749 §2.3.1). */
export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/**
 * How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
 * - `client_secret_basic`: HTTP Basic, every server MUST support it; the default.
 * - `client_secret_post`: `client_id` and `client_secret` in the request body (never the URL).
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** Encoding of the token request body: the standard form encoding, or JSON for providers that want it. */
export type TokenRequestFormat = 'form' | 'json';

/**
 * `application/x-www-form-urlencoded` encoding of one value, as RFC 6749 §2.3.1 requires for the
 * Basic credentials (so a `:` in the client id cannot be misread). It uses the WHATWG form
 * encoding, which leaves `*-._` as they are: the result decodes the same on every server.
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1). */
export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${btoa(`${formUrlEncode(credentials.clientId)}:${formUrlEncode(credentials.clientSecret)}`)}`;
}

/** Body and headers of a token endpoint request, client authentication included. */
export interface GrantRequest {
  data: string;
  headers: Record<string, string>;
}

/** Builds a grant request: `params` (grant_type and its fields) plus the client authentication. */
export function buildGrantRequest(
  params: Record<string, string>,
  credentials: Credentials,
  method: ClientAuthMethod,
  format: TokenRequestFormat,
): GrantRequest {
  const fields: Record<string, string> = { ...params };
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method === 'client_secret_basic') {
    headers.Authorization = basicAuthorization(credentials);
  } else {
    fields.client_id = credentials.clientId;
    fields.client_secret = credentials.clientSecret;
  }
  if (format === 'json') {
    headers['Content-Type'] = 'application/json';
    return { data: JSON.stringify(fields), headers };
  }
  headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return { data: new URLSearchParams(fields).toString(), headers };
}
