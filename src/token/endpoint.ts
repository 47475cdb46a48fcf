import axios, { type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { backoffDelayMs, parseRetryAfterMs } from '../retry/backoff';
import { buildGrantRequest, type ClientAuthMethod, type Credentials, type TokenRequestFormat } from './client-auth';
import { isPaymentAuthError, PaymentAuthError } from '../errors/payment-auth-error';
import { quoteServerText } from '../errors/redact';
import type { Reporter } from '../observability/reporter';
import { linkSignals } from '../util/signals';
import { sleep, startTimer, stopTimer, type TimerGroup } from '../util/timers';
import { decodeTokenBody, readOAuthError, toTokenGrant, type OAuthErrorWire, type TokenGrant } from './token-response';

/** A token response body above this size is rejected (a real one is well under 10 KiB). */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** Network settings of the caller's instance that the token requests follow too. */
export type TokenTransport = Pick<AxiosRequestConfig, 'httpAgent' | 'httpsAgent' | 'proxy'>;

export interface TokenEndpointConfig {
  tokenUrl: string;
  refreshUrl: string | undefined;
  clientAuthMethod: ClientAuthMethod;
  tokenRequestFormat: TokenRequestFormat;
  tokenParams: Record<string, string>;
  tokenRetries: number;
  maxRetryAfterMs: number;
  transport: TokenTransport;
  /** Secrets to scrub from any server text that ends up in an error message. */
  knownSecrets: () => readonly string[];
  /** Wraps each HTTP call (spans, latency). */
  traceTokenCall: Reporter['traceTokenCall'];
}

/** A time budget shared by every call of one token acquisition. */
export interface Deadline {
  signal: AbortSignal;
  /** The acquisition's timers: they keep the process alive while a caller waits. */
  timers: TimerGroup;
  /** Milliseconds left before the signal aborts. */
  remainingMs(): number;
}

/**
 * Starts a deadline of `ms` inside `within` (the detach signal, or an outer deadline): its signal
 * aborts with `reason()` when `ms` pass, or with the outer signal's reason. Its timer belongs to
 * `timers`. `end()` stops the timer and the listening; call it when the work is done.
 */
export function startDeadline(ms: number, timers: TimerGroup, within: AbortSignal | Deadline, reason?: () => unknown): Deadline & { end(): void } {
  const outer = within instanceof AbortSignal ? undefined : within;
  const endAt = performance.now() + ms;
  const own = new AbortController();
  const timer = startTimer(() => own.abort(reason?.()), ms, timers);
  const linked = linkSignals([outer ? outer.signal : (within as AbortSignal), own.signal]);
  return {
    signal: linked.signal,
    timers,
    remainingMs: () => Math.min(endAt - performance.now(), outer ? outer.remainingMs() : Infinity),
    end() {
      stopTimer(timer);
      linked.dispose();
    },
  };
}

/** The token and refresh calls (RFC 6749 §4.4, §6). */
export interface TokenEndpoint {
  clientCredentials(credentials: Credentials, deadline: Deadline): Promise<TokenGrant>;
  /** One attempt, no retries: a failed refresh falls back to client_credentials at once. */
  refresh(credentials: Credentials, refreshToken: string, deadline: Deadline): Promise<TokenGrant>;
}

const BASE_BACKOFF = { baseDelayMs: 200, maxDelayMs: 2000 };

/** The error of an acquisition that passed its total deadline. */
export function tokenTimeoutError(): PaymentAuthError {
  return new PaymentAuthError({
    code: 'TOKEN_ENDPOINT_TIMEOUT',
    message: 'Token endpoint did not answer before the deadline',
    hint: 'check the token endpoint is reachable, or raise tokenTimeoutMs',
  });
}

function abortReason(signal: AbortSignal): PaymentAuthError {
  return isPaymentAuthError(signal.reason) ? signal.reason : tokenTimeoutError();
}

/** The outcome of one HTTP attempt: a grant, or an error and whether another attempt may help. */
type Attempt = ({ grant: TokenGrant } | { error: PaymentAuthError; retryAfterMs?: number; retryable: boolean }) & { status?: number };

/**
 * Creates the token endpoint client. It runs on a private axios instance: the caller's
 * interceptors never see these requests (no recursion, no deadlock), redirects are never followed
 * (a 307 would resend the client secret to the new location), bodies are limited to 1 MiB and
 * read as text so they can be validated strictly.
 */
export function createTokenEndpoint(config: TokenEndpointConfig): TokenEndpoint {
  const http = axios.create({
    ...config.transport,
    adapter: ['http', 'xhr', 'fetch'],
    baseURL: undefined,
    maxRedirects: 0,
    maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    timeout: 0,
  });

  /** Server text as it may appear in an error: cleaned of every secret and token, bounded. */
  const quote = (text: string, max: number): string => quoteServerText(text, config.knownSecrets(), max);

  function oauthFailure(wire: OAuthErrorWire | undefined, status: number, grant: string): PaymentAuthError {
    // Both fields are server text: a server may echo what it was sent in either of them.
    const oauth = wire && { error: quote(wire.error, 64), error_description: wire.error_description === undefined ? undefined : quote(wire.error_description, 200) };
    const description = oauth?.error_description ? ` (${oauth.error_description})` : '';
    const what = `${grant === 'refresh_token' ? 'Refresh' : 'Token'} request rejected with ${status}${oauth ? ` ${oauth.error}` : ''}${description}`;
    if (oauth?.error === 'invalid_client' || (status === 401 && grant !== 'refresh_token')) {
      return new PaymentAuthError({ code: 'CREDENTIALS_REJECTED', message: what, status, oauthError: oauth?.error, hint: 'check clientId and clientSecret' });
    }
    const hint =
      oauth?.error === 'invalid_scope' ? 'check the scope option'
      : oauth?.error === 'invalid_grant' ? 'the grant (refresh token) is expired or revoked'
      : 'check that this client may use the client_credentials grant and the token URL';
    return new PaymentAuthError({ code: 'TOKEN_REQUEST_REJECTED', message: what, status, oauthError: oauth?.error, hint });
  }

  function readResponse(response: AxiosResponse<unknown>, grant: string): Attempt {
    return { ...interpret(response, grant), status: response.status };
  }

  function interpret(response: AxiosResponse<unknown>, grant: string): Attempt {
    const { status } = response;
    const text = typeof response.data === 'string' ? response.data : '';
    const contentType = quote(String(response.headers['content-type'] ?? ''), 100) || undefined;
    if (status >= 200 && status < 300) {
      let body: Record<string, unknown>;
      try {
        body = decodeTokenBody(text, contentType);
      } catch (error) {
        // Empty, truncated or an HTML page from a gateway: often a passing fault, worth a retry.
        return { error: error as PaymentAuthError, retryable: true };
      }
      const oauth = readOAuthError(body);
      if (oauth) return { error: oauthFailure(oauth, status, grant), retryable: false };
      try {
        return { grant: toTokenGrant(body, (text) => quote(text, 20)) };
      } catch (error) {
        // A well-formed answer without a usable token: asking again gives the same.
        return { error: error as PaymentAuthError, retryable: false };
      }
    }
    if (status >= 300 && status < 400) {
      return {
        retryable: false,
        error: new PaymentAuthError({
          code: 'TOKEN_ENDPOINT_REDIRECT',
          message: `Token endpoint answered ${status} with a redirect, which is not followed`,
          status,
          hint: 'set tokenUrl to the final URL of the token endpoint',
        }),
      };
    }
    if (status === 429 || (status >= 500 && status !== 501)) {
      return {
        retryable: true,
        retryAfterMs: parseRetryAfterMs(response.headers['retry-after']),
        error: new PaymentAuthError({
          code: 'TOKEN_ENDPOINT_UNAVAILABLE',
          message: `Token endpoint answered ${status}`,
          status,
          hint: 'the token endpoint is overloaded or down; requests will try again',
        }),
      };
    }
    let oauth: OAuthErrorWire | undefined;
    try {
      oauth = readOAuthError(decodeTokenBody(text, contentType));
    } catch {
      oauth = undefined;
    }
    return { error: oauthFailure(oauth, status, grant), retryable: false };
  }

  async function attempt(url: string, params: Record<string, string>, credentials: Credentials, deadline: Deadline): Promise<Attempt> {
    const request = buildGrantRequest(params, credentials, config.clientAuthMethod, config.tokenRequestFormat);
    try {
      const response = await http.request<unknown>({ method: 'POST', url, data: request.data, headers: request.headers, signal: deadline.signal });
      return readResponse(response, params.grant_type ?? '');
    } catch (error) {
      if (deadline.signal.aborted) throw abortReason(deadline.signal);
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_BAD_RESPONSE') {
        return {
          retryable: false,
          error: new PaymentAuthError({
            code: 'TOKEN_RESPONSE_INVALID',
            message: `Token endpoint returned an invalid token response: larger than ${MAX_TOKEN_RESPONSE_BYTES} bytes or unreadable`,
          }),
        };
      }
      const name = typeof code === 'string' ? code : 'network error';
      return {
        retryable: true,
        error: new PaymentAuthError({
          code: 'TOKEN_ENDPOINT_UNAVAILABLE',
          message: `Token endpoint could not be reached: ${name}`,
          hint: 'check the network path to the token endpoint',
          cause: Object.assign(new Error(name), { code: name }),
        }),
      };
    }
  }

  async function exchange(url: string, params: Record<string, string>, credentials: Credentials, deadline: Deadline, retries: number): Promise<TokenGrant> {
    const grantType = params.grant_type === 'refresh_token' ? 'refresh_token' : 'client_credentials';
    for (let retry = 0; ; retry++) {
      const result = await config.traceTokenCall({ grantType, url, resendCount: retry }, () => attempt(url, params, credentials, deadline), (a) => ({
        status: a.status,
        errorType: 'error' in a ? a.error.code : undefined,
      }));
      if ('grant' in result) return result.grant;
      if (!result.retryable || retry >= retries) throw result.error;
      if (result.retryAfterMs !== undefined && result.retryAfterMs > config.maxRetryAfterMs) throw result.error;
      const delay = Math.max(result.retryAfterMs ?? 0, backoffDelayMs(retry + 1, BASE_BACKOFF));
      if (delay >= deadline.remainingMs()) throw result.error;
      try {
        await sleep(delay, deadline.signal, deadline.timers);
      } catch {
        throw abortReason(deadline.signal);
      }
    }
  }

  return {
    clientCredentials(credentials, deadline) {
      return exchange(config.tokenUrl, { grant_type: 'client_credentials', ...config.tokenParams }, credentials, deadline, config.tokenRetries);
    },
    refresh(credentials, refreshToken, deadline) {
      if (!config.refreshUrl) return Promise.reject(new Error('refresh is disabled'));
      return exchange(config.refreshUrl, { grant_type: 'refresh_token', refresh_token: refreshToken }, credentials, deadline, 0);
    },
  };
}
