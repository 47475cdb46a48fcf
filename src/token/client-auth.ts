import { formUrlEncode } from '../util/encoding';
import type { ClientAuthMethod, TokenRequestFormat } from '../options/options';
import { JWT_BEARER_ASSERTION_TYPE } from './client-assertion';
import type { ClientSecretCredentials, Credentials } from './credentials';

/**
 * `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1): each part form-encoded,
 * so a `:` in the client id cannot be misread; the WHATWG form encoding decodes the same on every
 * server.
 */
export function basicAuthorization(credentials: ClientSecretCredentials): string {
  return `Basic ${btoa(`${formUrlEncode(credentials.clientId)}:${formUrlEncode(credentials.clientSecret)}`)}`;
}

/** Body and headers of a token endpoint request, client authentication included. */
export interface GrantRequest {
  data: string;
  headers: Record<string, string>;
}

/**
 * Builds a grant request: `params` (grant_type and its fields) plus the client authentication:
 * - `client_secret_basic`: the Authorization header only;
 * - `client_secret_post`: `client_id` and `client_secret` in the body;
 * - `private_key_jwt`: `client_id`, `client_assertion_type` and `assertion` as `client_assertion`
 *   (RFC 7523 §2.2; RFC 7521 §4.2 makes `client_id` optional, and servers find the client faster with it);
 * - `tls_client_auth`, `self_signed_tls_client_auth`: `client_id` alone, the certificate on the
 *   connection authenticates (RFC 8705 §2).
 */
export function buildGrantRequest(
  params: Record<string, string>,
  credentials: Credentials,
  method: ClientAuthMethod,
  format: TokenRequestFormat,
  assertion?: string,
): GrantRequest {
  const fields: Record<string, string> = { ...params };
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method === 'client_secret_basic') {
    headers.Authorization = basicAuthorization(credentials as ClientSecretCredentials);
  } else {
    fields.client_id = credentials.clientId;
    if (method === 'client_secret_post') fields.client_secret = (credentials as ClientSecretCredentials).clientSecret;
    if (method === 'private_key_jwt') {
      if (assertion === undefined) throw new TypeError('private_key_jwt needs a client assertion');
      fields.client_assertion_type = JWT_BEARER_ASSERTION_TYPE;
      fields.client_assertion = assertion;
    }
  }
  if (format === 'json') {
    headers['Content-Type'] = 'application/json';
    return { data: JSON.stringify(fields), headers };
  }
  headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return { data: new URLSearchParams(fields).toString(), headers };
}
