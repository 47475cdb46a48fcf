import { hasControlCharacter, isOptionsObject, ownOptions, shown, shownNames } from '../util/objects';

/**
 * How the client authenticates at the token endpoint.
 * - `client_secret_basic`: HTTP Basic (RFC 6749 §2.3.1), every server MUST support it; the default.
 * - `client_secret_post`: `client_id` and `client_secret` in the request body (never the URL).
 * - `private_key_jwt`: a JWT signed with the client's private key (RFC 7523 §2.2), new for every
 *   call; one of the two methods FAPI 2.0 allows. The default when the credentials hold
 *   `privateKey` or `clientAssertion`.
 * - `tls_client_auth`: mutual TLS with a certificate from a CA the server trusts (RFC 8705 §2.1).
 * - `self_signed_tls_client_auth`: mutual TLS with a self-signed certificate the server has
 *   registered for the client (RFC 8705 §2.2).
 */
export type ClientAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'tls_client_auth' | 'self_signed_tls_client_auth';

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
];

/** Whether `method` authenticates with a client certificate (RFC 8705 §2). */
export function isTlsClientAuth(method: ClientAuthMethod): boolean {
  return method === 'tls_client_auth' || method === 'self_signed_tls_client_auth';
}

/** PEM text or its bytes. */
export type PemInput = string | Uint8Array;

/**
 * The client certificate for mutual TLS (`tls` option), as Node's `https.Agent` takes it. Node only:
 * `fetch` has no client-certificate API.
 */
export interface TlsClientOptions {
  /** The client certificate (PEM), with its chain if the server needs it. */
  cert: PemInput;
  /** Its private key (PEM). */
  key: PemInput;
  /** The key's passphrase, when it is encrypted. @default none */
  passphrase?: string;
  /**
   * CA certificates to trust for the servers' certificates (the token endpoint's, and the API's: the
   * agent serves both). As Node's own `ca`, it replaces Node's default list.
   * @default Node's default list
   */
  ca?: PemInput | readonly PemInput[];
}

/** The client authentication options after validation. */
export interface ClientAuthPolicy {
  /** As set; undefined lets the credentials decide (`inferClientAuthMethod`, at attach). */
  clientAuthMethod: ClientAuthMethod | undefined;
  issuer: string | undefined;
  assertionAudience: string | undefined;
  clockSkewMs: number | undefined;
  tls: TlsClientOptions | undefined;
}

/** The largest `clockSkewMs`: a day. A clock further off than that needs fixing, not an offset. */
export const MAX_CLOCK_SKEW_MS = 86_400_000;

function fail(message: string): never {
  throw new TypeError(`attachPaymentAuth: ${message}`);
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || hasControlCharacter(value))
    fail(
      `${name} must be a non-empty string without control characters, got ${typeof value === 'string' ? 'a string' : shown(value)}`,
    );
  return value;
}

function pem(value: unknown, name: string): PemInput {
  if (typeof value === 'string' && value.includes('-----BEGIN ')) return value;
  if (value instanceof Uint8Array && value.length > 0) return value;
  fail(`${name} must be PEM text (or its bytes)`);
}

function normalizeTls(value: unknown): TlsClientOptions | undefined {
  if (value === undefined) return undefined;
  if (!isOptionsObject(value)) fail(`tls must be an object { cert, key, passphrase?, ca? }, got ${shown(value)}`);
  const given = ownOptions(value);
  const unknown = Object.keys(given).filter((k) => !['cert', 'key', 'passphrase', 'ca'].includes(k));
  if (unknown.length) fail(`unknown tls option${unknown.length > 1 ? 's' : ''} ${shownNames(unknown)}`);
  const tls: TlsClientOptions = { cert: pem(given.cert, 'tls.cert'), key: pem(given.key, 'tls.key') };
  if (given.passphrase !== undefined) {
    if (typeof given.passphrase !== 'string') fail('tls.passphrase must be a string');
    tls.passphrase = given.passphrase;
  }
  if (given.ca !== undefined)
    tls.ca = Array.isArray(given.ca) ? given.ca.map((c, i) => pem(c, `tls.ca[${i}]`)) : pem(given.ca, 'tls.ca');
  return tls;
}

/**
 * Validates `clientAuthMethod`, `issuer`, `assertionAudience`, `clockSkewMs` and `tls`. `tokenUrl`:
 * the resolved token URL (mutual TLS needs https:).
 */
export function normalizeClientAuth(
  options: {
    clientAuthMethod?: unknown;
    issuer?: unknown;
    assertionAudience?: unknown;
    clockSkewMs?: unknown;
    tls?: unknown;
  },
  tokenUrl: string,
): ClientAuthPolicy {
  const method = options.clientAuthMethod;
  if (method !== undefined && !CLIENT_AUTH_METHODS.includes(method as ClientAuthMethod))
    fail(
      `clientAuthMethod must be one of ${CLIENT_AUTH_METHODS.map((m) => `'${m}'`).join(', ')}, got ${shown(method)}`,
    );
  const issuer = text(options.issuer, 'issuer');
  if (issuer !== undefined && !/^https?:\/\/[^/?#\s]/.test(issuer))
    fail("issuer must be a URL (the authorization server's issuer identifier, RFC 8414)");
  const skew = options.clockSkewMs;
  if (skew !== undefined && (typeof skew !== 'number' || !Number.isInteger(skew) || Math.abs(skew) > MAX_CLOCK_SKEW_MS))
    fail(`clockSkewMs must be an integer from -${MAX_CLOCK_SKEW_MS} to ${MAX_CLOCK_SKEW_MS}, got ${shown(skew)}`);
  const tls = normalizeTls(options.tls);
  if ((tls || isTlsClientAuth((method ?? 'client_secret_basic') as ClientAuthMethod)) && !tokenUrl.startsWith('https:'))
    fail('mutual TLS needs an https: token URL (a client certificate is only presented over TLS)');
  return {
    clientAuthMethod: method as ClientAuthMethod | undefined,
    issuer,
    assertionAudience: text(options.assertionAudience, 'assertionAudience'),
    clockSkewMs: skew as number | undefined,
    tls,
  };
}
