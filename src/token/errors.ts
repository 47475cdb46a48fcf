import { PaymentAuthError } from '../errors/payment-auth-error';
import type { GrantType } from '../observability/telemetry';
import { kindOfThrown } from '../util/thrown';

/**
 * Every `PaymentAuthError` of the token side is built here: the acquisition, the token endpoint,
 * the token response and the credentials. Messages name what failed and never a secret or a token;
 * server text reaches them only through `quoteServerText`.
 */

/** The error of every wait that `detach()` ends: token waits, retry back-offs. */
export function detachedError(): PaymentAuthError {
  return new PaymentAuthError({
    code: 'DETACHED',
    message: 'Payment auth was detached while a request was waiting',
    hint: 'detach() ends every pending wait',
  });
}

/**
 * The error of an acquisition that passed its total deadline; `url` when it passed during a call
 * to the token endpoint (or the wait before retrying it), as `displayUrl` gives it.
 */
export function tokenTimeoutError(url?: string): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_TIMEOUT',
    message: `Token acquisition did not finish before its deadline (tokenTimeoutMs)${url ? `, waiting for ${url}` : ''}`,
    hint: 'check that the token endpoint, the credentials provider and the token store answer, or raise tokenTimeoutMs',
  });
}

/**
 * The token endpoint answered a transient status (429, 5xx). `url`: the endpoint called, as
 * `displayUrl` gives it; `retryAfterMs`: its `Retry-After`, when it sent one.
 */
export function unavailableStatusError(status: number, url: string, retryAfterMs?: number): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: `Token endpoint ${url} answered ${status}${retryAfterMs === undefined ? '' : ` (Retry-After: ${Math.ceil(retryAfterMs / 1000)} s)`}`,
    status,
    retryAfterMs,
    hint: 'the token endpoint is overloaded or down; requests will try again',
  });
}

/**
 * Failures on the token side that are not the token endpoint failing: a certificate this client
 * does not trust or cannot present, a signer that did not answer. The breaker leaves them alone
 * (`isOutage`): asking again later gives the same answer, and the endpoint may be well.
 */
const NOT_OUTAGES = new WeakSet<PaymentAuthError>();

/** Whether `error` is one of the token side's own failures, not an outage of the endpoint. */
export function isLocalFailure(error: PaymentAuthError): boolean {
  return NOT_OUTAGES.has(error);
}

function local(error: PaymentAuthError): PaymentAuthError {
  NOT_OUTAGES.add(error);
  return error;
}

/**
 * TLS errors of this side's configuration: the server's certificate is not trusted (or not for
 * this name), or the client's own certificate or key cannot be used.
 */
const TLS_TRUST =
  /^(?:SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|CERT_UNTRUSTED|CERT_REVOKED|ERR_TLS_CERT_ALTNAME_INVALID)$/;
const TLS_OWN = /^(?:ERR_OSSL_|ERR_SSL_)/;

/** The token endpoint could not be reached; `code` is the transport's error code, when it gave one. */
export function unreachableError(code: string | undefined, url: string): PaymentAuthError {
  const name = code ?? 'network error';
  const cause = Object.assign(new Error(name), code === undefined ? {} : { code });
  if (code !== undefined && TLS_TRUST.test(code))
    return local(
      new PaymentAuthError({
        code: 'TOKEN_ENDPOINT_UNAVAILABLE',
        message: `Token endpoint ${url} could not be reached: its certificate is not trusted here (${name})`,
        hint: "give the CA of the token endpoint's certificate (tls.ca, or the ca of the instance's httpsAgent), or check the URL's host name",
        cause,
      }),
    );
  if (code !== undefined && TLS_OWN.test(code))
    return local(
      new PaymentAuthError({
        code: 'TOKEN_ENDPOINT_UNAVAILABLE',
        message: `Token endpoint ${url} could not be reached: the TLS connection could not be set up on this side (${name})`,
        hint: "check the client certificate, its key and passphrase (tls, or the instance's httpsAgent)",
        cause,
      }),
    );
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: `Token endpoint ${url} could not be reached: ${name}`,
    hint: 'check the network path to the token endpoint',
    cause,
  });
}

/** A `clientAssertion` signer did not answer before the acquisition's deadline: not the endpoint's fault. */
export function signerTimeoutError(): PaymentAuthError {
  return local(
    new PaymentAuthError({
      code: 'TOKEN_ENDPOINT_TIMEOUT',
      message:
        'Token acquisition did not finish before its deadline (tokenTimeoutMs), waiting for the clientAssertion signer',
      hint: 'check the service that signs the client assertions (a KMS, an HSM), or raise tokenTimeoutMs',
    }),
  );
}

/** The acquisition failed with something that is not a `PaymentAuthError` (named, never quoted). */
export function acquisitionFailedError(error: unknown): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: `Token acquisition failed: ${kindOfThrown(error)}`,
  });
}

/** The token endpoint answered with a redirect, which is never followed (it would resend the secret). */
export function redirectError(status: number, url: string): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_REDIRECT',
    message: `Token endpoint ${url} answered ${status} with a redirect, which is not followed`,
    status,
    hint: 'set tokenUrl to the final URL of the token endpoint',
  });
}

/** A 2xx whose body is not a usable token response; `url` when the caller knows the endpoint. */
export function invalidResponseError(detail: string, url?: string): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_RESPONSE_INVALID',
    message: `Token endpoint ${url ? `${url} ` : ''}returned an invalid token response: ${detail}`,
    hint: 'check that tokenUrl points at an OAuth 2.0 token endpoint',
  });
}

/** A 2xx body over the size limit, or one that could not be read. */
export function unreadableResponseError(maxBytes: number, url: string): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_RESPONSE_INVALID',
    message: `Token endpoint ${url} returned an invalid token response: larger than ${maxBytes} bytes or unreadable`,
  });
}

/** The OAuth error of a rejected grant (RFC 6749 §5.2), its fields already quoted. */
export interface QuotedOAuthError {
  error: string;
  error_description: string | undefined;
}

/**
 * Whether a URL's path ends like an OAuth token endpoint's (`…/token`, `…/oauth2/refresh`): a 401
 * or 404 from one that does not points at the URL, not at the credentials.
 */
function looksLikeTokenEndpoint(url: string): boolean {
  return /\/(?:token|refresh)$/.test(new URL(url).pathname.replace(/\/+$/, ''));
}

const SECRET_HINT = 'check clientId and clientSecret';

const URL_HINT =
  'set tokenUrl, or give baseURL the API root (https://host or https://host/api/v1): the default token URL is /api/v1/oauth2/token there';

/**
 * The token endpoint refused the grant: rejected credentials, or another 4xx. `url` is the
 * endpoint called (origin and path): a 404, a 405, or a 401 without an OAuth error code from a URL
 * that does not look like a token endpoint, is a wrong URL more likely than a wrong secret.
 */
export function rejectedError(
  status: number,
  grant: GrantType,
  oauth: QuotedOAuthError | undefined,
  url: string,
  credentialsHint = SECRET_HINT,
  dpop = false,
): PaymentAuthError {
  const description = oauth?.error_description ? ` (${oauth.error_description})` : '';
  const message = `${grant === 'refresh_token' ? 'Refresh' : 'Token'} request to ${url} rejected with ${status}${oauth ? ` ${oauth.error}` : ''}${description}`;
  const init = { message, status, oauthError: oauth?.error };
  if (oauth?.error === 'invalid_client') {
    return new PaymentAuthError({ ...init, code: 'CREDENTIALS_REJECTED', hint: credentialsHint });
  }
  // Registered OAuth error codes are lower-case words joined by `_`; a framework's own 401 body
  // (`"error": "Unauthorized"`) is not the token endpoint speaking.
  const speaksOAuth = oauth !== undefined && /^[a-z][a-z0-9_]*$/.test(oauth.error);
  if (status === 404 || status === 405 || (status === 401 && !speaksOAuth && !looksLikeTokenEndpoint(url))) {
    return new PaymentAuthError({
      ...init,
      code: 'TOKEN_REQUEST_REJECTED',
      hint: `the URL, not the secret, is the likely problem: nothing there took the grant; ${URL_HINT}`,
    });
  }
  if (status === 401 && grant !== 'refresh_token') {
    return new PaymentAuthError({ ...init, code: 'CREDENTIALS_REJECTED', hint: credentialsHint });
  }
  const hint =
    oauth?.error === 'invalid_dpop_proof' || oauth?.error === 'use_dpop_nonce'
      ? dpop
        ? "the server refused the DPoP proof: check that it accepts the key's algorithm (dpop.algorithm), this machine's clock, and that tokenUrl is the URL it publishes (a proof names it)"
        : 'the server wants DPoP proofs (RFC 9449): set the dpop option'
      : oauth?.error === 'invalid_scope'
        ? 'check the scope option'
        : oauth?.error === 'invalid_grant'
          ? 'the grant (refresh token) is expired or revoked'
          : 'check that this client may use the client_credentials grant and the token URL';
  return new PaymentAuthError({ ...init, code: 'TOKEN_REQUEST_REJECTED', hint });
}

/**
 * The credentials provider threw. Only the kind of its error is kept: its message may quote what
 * the provider read (a `JSON.parse` error quotes the start of a bare secret), so it never leaves.
 */
export function providerFailedError(cause: unknown): PaymentAuthError {
  const kind = kindOfThrown(cause);
  return new PaymentAuthError({
    code: 'CREDENTIALS_MISSING',
    message: `Credentials provider failed (${kind})`,
    hint: 'check the credentials function; its own error is not kept, as it may quote the secret it read: log it there',
  });
}

/** The credentials provider returned something that is not usable credentials. */
export function unusableCredentialsError(
  problem: string,
  hint = 'return { clientId, clientSecret } with non-empty strings',
): PaymentAuthError {
  return new PaymentAuthError({
    code: 'CREDENTIALS_MISSING',
    message: `Credentials provider returned unusable credentials: ${problem}`,
    hint,
  });
}

/** No client assertion could be made: the private key, its algorithm, or what a callback returned. */
export function unusableKeyError(problem: string): PaymentAuthError {
  return new PaymentAuthError({
    code: 'CREDENTIALS_MISSING',
    message: `Client assertion could not be made: ${problem}`,
    hint: 'check privateKey (a private JWK, a PEM string, a KeyObject or a CryptoKey), algorithm and keyId',
  });
}

/** No DPoP proof could be made: the key or its algorithm. A failure of this side, never an outage. */
export function unusableDpopKeyError(problem: string): PaymentAuthError {
  return local(
    new PaymentAuthError({
      code: 'CREDENTIALS_MISSING',
      message: `DPoP proof could not be made: ${problem}`,
      hint: 'check the dpop option: privateKey (a private JWK, a PEM string, a KeyObject or a CryptoKeyPair) and algorithm',
    }),
  );
}

/** The `clientAssertion` callback threw: like a credentials provider, only the kind of its error is kept. */
export function assertionCallbackFailedError(cause: unknown): PaymentAuthError {
  const kind = kindOfThrown(cause);
  return new PaymentAuthError({
    code: 'CREDENTIALS_MISSING',
    message: `Client assertion callback failed (${kind})`,
    hint: 'check the clientAssertion function of the credentials; its own error is not kept, as it may quote key material: log it there',
  });
}

/** A duration for a message: `850 ms`, `12 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.ceil(ms / 1000)} s`;
}

/**
 * An acquisition answered at once because the breaker on the token endpoint is open: `failures`
 * in a row, the last one `last` (which names the URL it called), no call for another `retryAfterMs`.
 */
export function breakerOpenError(
  failures: number,
  retryAfterMs: number,
  last: PaymentAuthError | undefined,
): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: `Token acquisition failed at once, without a call: the circuit breaker is open for ${duration(retryAfterMs)} after ${failures} ${failures === 1 ? 'failure' : 'failures'} in a row${last ? ` (the last: ${withoutHint(last)})` : ''}`,
    status: last?.status,
    retryAfterMs,
    cause: last,
    hint: 'requests that need a new token fail at once until the cool-down ends, then one call tests the token endpoint',
  });
}

/** A copy of `error` with when to ask again, or the tenant it failed for: the rest as it is. */
function copyOf(error: PaymentAuthError, changes: { retryAfterMs?: number; tenant?: string }): PaymentAuthError {
  const tenant = changes.tenant ?? error.tenant;
  const copy = new PaymentAuthError({
    code: error.code,
    message: withoutHint(error),
    hint: error.hint,
    status: error.status,
    oauthError: error.oauthError,
    cause: error.cause,
    retryAfterMs: changes.retryAfterMs ?? error.retryAfterMs,
    ...(tenant === undefined ? {} : { tenant }),
  });
  // A failure of this side stays one in its copies.
  if (NOT_OUTAGES.has(error)) NOT_OUTAGES.add(copy);
  return copy;
}

/** The same error, with when to ask again: a failure that opened the breaker, or started a pause. */
export function withRetryAfter(error: PaymentAuthError, retryAfterMs: number): PaymentAuthError {
  return copyOf(error, { retryAfterMs });
}

/** `error` as the failure of `tenant`'s acquisition: the same error, naming the tenant. */
export function withTenant(error: PaymentAuthError, tenant: string): PaymentAuthError {
  return error.tenant === tenant ? error : copyOf(error, { tenant });
}

/** `error`'s message without its hint. */
function withoutHint(error: PaymentAuthError): string {
  const suffix = error.hint === undefined ? '' : `. ${error.hint}`;
  return suffix && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
}

/**
 * The token endpoint rejected these credentials (or this configuration) moments ago: the same
 * `rejection` again, answered at once, with the pause left (`retryAfterMs`).
 */
export function heldRejectionError(rejection: PaymentAuthError, retryAfterMs: number): PaymentAuthError {
  return new PaymentAuthError({
    code: rejection.code,
    message: `${withoutHint(rejection)}; the same request is not sent again for ${duration(retryAfterMs)}`,
    status: rejection.status,
    oauthError: rejection.oauthError,
    retryAfterMs,
    cause: rejection,
    hint: rejection.hint,
  });
}
