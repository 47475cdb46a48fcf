import { formUrlEncode } from '../util/encoding';
import type { ClientAuthMethod, TokenRequestFormat } from '../options/options';
import type { Credentials } from './credentials';

/**
 * `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1): each part form-encoded,
 * so a `:` in the client id cannot be misread; the WHATWG form encoding decodes the same on every
 * server.
 */
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
