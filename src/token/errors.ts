import { PaymentAuthError } from '../errors/payment-auth-error';
import type { GrantType } from '../observability/telemetry';

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

/** The error of an acquisition that passed its total deadline. */
export function tokenTimeoutError(): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_TIMEOUT',
    message: 'Token acquisition did not finish before its deadline (tokenTimeoutMs)',
    hint: 'check that the token endpoint, the credentials provider and the token store answer, or raise tokenTimeoutMs',
  });
}

/** The token endpoint answered a transient status (429, 5xx). */
export function unavailableStatusError(status: number): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: `Token endpoint answered ${status}`,
    status,
    hint: 'the token endpoint is overloaded or down; requests will try again',
  });
}

/** The token endpoint could not be reached; `code` is the transport's error code, when it gave one. */
export function unreachableError(code: string | undefined): PaymentAuthError {
  const name = code ?? 'network error';
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: `Token endpoint could not be reached: ${name}`,
    hint: 'check the network path to the token endpoint',
    cause: Object.assign(new Error(name), code === undefined ? {} : { code }),
  });
}

/** The acquisition failed with something that is not a `PaymentAuthError` (named, never quoted). */
export function acquisitionFailedError(error: unknown): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_UNAVAILABLE',
    message: `Token acquisition failed: ${error instanceof Error ? error.name : typeof error}`,
  });
}

/** The token endpoint answered with a redirect, which is never followed (it would resend the secret). */
export function redirectError(status: number): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_REDIRECT',
    message: `Token endpoint answered ${status} with a redirect, which is not followed`,
    status,
    hint: 'set tokenUrl to the final URL of the token endpoint',
  });
}

/** A 2xx whose body is not a usable token response. */
export function invalidResponseError(detail: string): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_RESPONSE_INVALID',
    message: `Token endpoint returned an invalid token response: ${detail}`,
    hint: 'check that tokenUrl points at an OAuth 2.0 token endpoint',
  });
}

/** A 2xx body over the size limit, or one that could not be read. */
export function unreadableResponseError(maxBytes: number): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_RESPONSE_INVALID',
    message: `Token endpoint returned an invalid token response: larger than ${maxBytes} bytes or unreadable`,
  });
}

/** The OAuth error of a rejected grant (RFC 6749 §5.2), its fields already quoted. */
export interface QuotedOAuthError {
  error: string;
  error_description: string | undefined;
}

/** The token endpoint refused the grant: rejected credentials, or another 4xx. */
export function rejectedError(status: number, grant: GrantType, oauth: QuotedOAuthError | undefined): PaymentAuthError {
  const description = oauth?.error_description ? ` (${oauth.error_description})` : '';
  const message = `${grant === 'refresh_token' ? 'Refresh' : 'Token'} request rejected with ${status}${oauth ? ` ${oauth.error}` : ''}${description}`;
  if (oauth?.error === 'invalid_client' || (status === 401 && grant !== 'refresh_token')) {
    return new PaymentAuthError({
      code: 'CREDENTIALS_REJECTED',
      message,
      status,
      oauthError: oauth?.error,
      hint: 'check clientId and clientSecret',
    });
  }
  const hint =
    oauth?.error === 'invalid_scope'
      ? 'check the scope option'
      : oauth?.error === 'invalid_grant'
        ? 'the grant (refresh token) is expired or revoked'
        : 'check that this client may use the client_credentials grant and the token URL';
  return new PaymentAuthError({ code: 'TOKEN_REQUEST_REJECTED', message, status, oauthError: oauth?.error, hint });
}

/** The credentials provider threw; only its message is kept. */
export function providerFailedError(cause: unknown): PaymentAuthError {
  return new PaymentAuthError({
    code: 'CREDENTIALS_MISSING',
    message: 'Credentials provider failed',
    hint: 'check the function passed as credentials to attachPaymentAuth',
    cause: cause instanceof Error ? new Error(cause.message) : undefined,
  });
}

/** The credentials provider returned something that is not usable credentials. */
export function unusableCredentialsError(problem: string): PaymentAuthError {
  return new PaymentAuthError({
    code: 'CREDENTIALS_MISSING',
    message: `Credentials provider returned unusable credentials: ${problem}`,
    hint: 'return { clientId, clientSecret } with non-empty strings',
  });
}
