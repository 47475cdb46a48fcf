import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { backoffDelayMs, parseRetryAfterMs } from '../retry/backoff';
import type { GrantType } from '../observability/telemetry';
import type { ClientAuthMethod, TokenRequestFormat } from '../options/options';
import type { AssertionSource } from './assertion-source';
import { buildGrantRequest } from './client-auth';
import { credentialsHint } from './credentials-hint';
import type { ServerClock } from './server-clock';
import type { Credentials } from './credentials';
import { isPaymentAuthError, type PaymentAuthError } from '../errors/payment-auth-error';
import { quoteServerText } from '../errors/redact';
import { isTransientConnectionFailure, isTransientStatus } from '../errors/transient';
import type { Reporter } from '../observability/reporter';
import { untilAborted } from '../util/signals';
import { sleep } from '../util/timers';
import { displayUrl } from '../util/urls';
import type { Deadline } from './deadline';
import type { DpopProofs, Proof } from './dpop/dpop-proofs';
import {
  redirectError,
  rejectedError,
  signerTimeoutError,
  tokenTimeoutError,
  unavailableStatusError,
  unreachableError,
  unreadableResponseError,
} from './errors';
import {
  decodeTokenBody,
  readOAuthError,
  toTokenGrant,
  tokensOf,
  type OAuthErrorWire,
  type TokenGrant,
} from './token-response';

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
  /** `'http'` when a client certificate must be presented (Node's http adapter; fetch cannot). */
  adapter?: 'http';
  /** With `private_key_jwt`: makes each call's assertion, on {@link serverClock}. */
  assertions?: AssertionSource;
  /** The authorization server's clock, learned from each answer's `Date` header. */
  serverClock?: ServerClock;
  /** With DPoP: makes each call's proof, and learns the server's nonces. */
  dpop?: DpopProofs;
  /** Secrets to scrub from any server text that ends up in an error message. */
  knownSecrets: () => readonly string[];
  /** Wraps each HTTP call (spans, latency). */
  traceTokenCall: Reporter['traceTokenCall'];
  /**
   * The private axios instance to call on, from {@link createTokenHttp} with the same transport and
   * adapter (the tenants of a multi-tenant attachment share one); made here when absent.
   */
  http?: AxiosInstance;
}

/** The token and refresh calls (RFC 6749 §4.4, §6). */
export interface TokenEndpoint {
  /** With its retries (`tokenRetries`), or `retries` of them: 0 for the breaker's probe. */
  clientCredentials(credentials: Credentials, deadline: Deadline, retries?: number): Promise<TokenGrant>;
  /**
   * One attempt, no retries: a failed refresh falls back to client_credentials at once. Undefined
   * when refresh tokens are not used (`refreshUrl: false`).
   */
  refresh: ((credentials: Credentials, refreshToken: string, deadline: Deadline) => Promise<TokenGrant>) | undefined;
}

const BASE_BACKOFF = { baseDelayMs: 200, maxDelayMs: 2000 };

/** Why a call to `url` was cut short: `detach()`, or the deadline (then named with the URL). */
function abortReason(signal: AbortSignal, url: string): PaymentAuthError {
  const reason: unknown = signal.reason;
  return isPaymentAuthError(reason) && reason.code !== 'TOKEN_ENDPOINT_TIMEOUT'
    ? reason
    : tokenTimeoutError(displayUrl(url));
}

/** The outcome of one HTTP attempt: a grant, or an error and whether another attempt may help. */
type Attempt = ({ grant: TokenGrant } | { error: PaymentAuthError; retryAfterMs?: number; retryable: boolean }) & {
  status?: number;
  /**
   * A client assertion or a DPoP proof was refused for its times, and the server's clock has been
   * learned anew since.
   */
  clockCorrected?: boolean;
  /** The server asked for a DPoP nonce (`use_dpop_nonce`) and gave one other than the proof carried. */
  nonceChallenged?: boolean;
};

/** An `invalid_client` whose description blames the assertion's times (`exp`, `iat`, `nbf`, a clock). */
const TIME_COMPLAINT = /\b(?:exp|iat|nbf|expired?|expiry|future|clock|skew|time|stale|not yet valid|too old)\b/i;

/**
 * The private axios instance of the token calls: the caller's interceptors never see these
 * requests (no recursion, no deadlock), redirects are never followed (a 307 would resend the
 * client secret to the new location), bodies are limited to 1 MiB and read as text so they can be
 * validated strictly. It holds no credentials: tenants of one attachment share it.
 */
export function createTokenHttp(config: Pick<TokenEndpointConfig, 'transport' | 'adapter'>): AxiosInstance {
  return axios.create({
    ...config.transport,
    adapter: config.adapter ?? ['http', 'xhr', 'fetch'],
    baseURL: undefined,
    maxRedirects: 0,
    maxContentLength: MAX_TOKEN_RESPONSE_BYTES,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    timeout: 0,
  });
}

/** Creates the token endpoint client, on the private axios instance of {@link createTokenHttp}. */
export function createTokenEndpoint(config: TokenEndpointConfig): TokenEndpoint {
  const http = config.http ?? createTokenHttp(config);

  /**
   * Server text as it may appear in an error: cleaned of every secret and token, and of `tokens`
   * (those of the answer it comes from, not known as secrets yet), bounded.
   */
  const quote = (text: string, max: number, tokens: readonly string[] = []): string =>
    quoteServerText(text, [...config.knownSecrets(), ...tokens], max);

  /**
   * The error of a rejected grant, with the server's OAuth error fields quoted; `tokens`, those of
   * the body that carried them.
   */
  function rejected(
    wire: OAuthErrorWire | undefined,
    status: number,
    grant: GrantType,
    url: string,
    tokens: readonly string[] = [],
  ): PaymentAuthError {
    // Both fields are server text: a server may echo what it was sent in either of them.
    const oauth = wire && {
      error: quote(wire.error, 64, tokens),
      error_description: wire.error_description === undefined ? undefined : quote(wire.error_description, 200, tokens),
    };
    const timeComplaint = config.assertions !== undefined && TIME_COMPLAINT.test(wire?.error_description ?? '');
    const error = rejectedError(
      status,
      grant,
      oauth,
      url,
      credentialsHint(config.clientAuthMethod, timeComplaint ? config.serverClock : undefined, wire?.error_description),
      config.dpop !== undefined,
    );
    if (timeComplaint) timeComplaints.add(error);
    return error;
  }

  /** Rejections of a client assertion for its times. */
  const timeComplaints = new WeakSet<PaymentAuthError>();

  /** `url`: the endpoint called, as errors name it (`displayUrl`). */
  function readResponse(response: AxiosResponse<unknown>, grant: GrantType, url: string): Attempt {
    return { ...interpret(response, grant, url), status: response.status };
  }

  function interpret(response: AxiosResponse<unknown>, grant: GrantType, url: string): Attempt {
    const { status } = response;
    const text = typeof response.data === 'string' ? response.data : '';
    // Server text: cleaned when an error quotes it, not before (a clean answer costs no search).
    const contentType = String(response.headers['content-type'] ?? '') || undefined;
    const quoteType = (type: string): string => quote(type, 100);
    if (status >= 200 && status < 300) {
      let body: Record<string, unknown>;
      try {
        body = decodeTokenBody(text, contentType, url, quoteType);
      } catch (error) {
        // Empty, truncated or an HTML page from a gateway: often a passing fault, worth a retry.
        return { error: error as PaymentAuthError, retryable: true };
      }
      const oauth = readOAuthError(body);
      if (oauth) return { error: rejected(oauth, status, grant, url, tokensOf(body)), retryable: false };
      try {
        return { grant: toTokenGrant(body, (text, tokens) => quote(text, 20, tokens), url, config.dpop !== undefined) };
      } catch (error) {
        // A well-formed answer without a usable token: asking again gives the same.
        return { error: error as PaymentAuthError, retryable: false };
      }
    }
    if (status >= 300 && status < 400) {
      return { retryable: false, error: redirectError(status, url) };
    }
    if (isTransientStatus(status)) {
      const retryAfterMs = parseRetryAfterMs(response.headers['retry-after']);
      return { retryable: true, retryAfterMs, error: unavailableStatusError(status, url, retryAfterMs) };
    }
    let body: Record<string, unknown> | undefined;
    try {
      body = decodeTokenBody(text, contentType);
    } catch {
      body = undefined;
    }
    return { error: rejected(readOAuthError(body), status, grant, url, body && tokensOf(body)), retryable: false };
  }

  async function attempt(
    url: string,
    grant: GrantType,
    params: Record<string, string>,
    credentials: Credentials,
    deadline: Deadline,
  ): Promise<Attempt> {
    let assertion: string | undefined;
    if (config.assertions) {
      // A signer elsewhere (a KMS) takes no signal: the deadline and detach() still end the wait.
      try {
        assertion = await untilAborted(config.assertions.create(credentials), deadline.signal);
      } catch (error) {
        if (!deadline.signal.aborted) throw error;
        const reason: unknown = deadline.signal.reason;
        // detach() as it is; the deadline names the signer, not the URL it never reached.
        throw isPaymentAuthError(reason) && reason.code !== 'TOKEN_ENDPOINT_TIMEOUT' ? reason : signerTimeoutError();
      }
    }
    const target = new URL(url);
    let proof: Proof | undefined;
    if (config.dpop) {
      try {
        proof = await untilAborted(
          config.dpop.proof('authorization', { method: 'POST', url: target }),
          deadline.signal,
        );
      } catch (error) {
        if (deadline.signal.aborted) throw abortReason(deadline.signal, url);
        throw error;
      }
    }
    const offsetBefore = config.serverClock?.offsetMs;
    const request = buildGrantRequest(
      params,
      credentials,
      config.clientAuthMethod,
      config.tokenRequestFormat,
      assertion,
    );
    try {
      const sentAt = config.serverClock?.local();
      const response = await http.request<unknown>({
        method: 'POST',
        url,
        data: request.data,
        headers: proof ? { ...request.headers, DPoP: proof.jwt } : request.headers,
        signal: deadline.signal,
      });
      config.serverClock?.learn(response.headers.date, sentAt!, config.serverClock.local());
      if (proof)
        config.dpop!.nonces.learn('authorization', target.origin, response.headers['dpop-nonce'], proof.nonceVersion);
      const result = readResponse(response, grant, displayUrl(url));
      if ('grant' in result && result.grant.tokenType === 'DPoP')
        result.grant.jkt = await untilAborted(config.dpop!.thumbprint(), deadline.signal);
      if (!('error' in result)) return result;
      const oauthError = result.error.oauthError;
      const clockChanged = config.serverClock !== undefined && config.serverClock.offsetMs !== offsetBefore;
      const clockCorrected =
        clockChanged &&
        ((oauthError === 'invalid_client' && timeComplaints.has(result.error)) ||
          (proof !== undefined && oauthError === 'invalid_dpop_proof'));
      const nonce = config.dpop?.nonces.get('authorization', target.origin);
      const nonceChallenged =
        proof !== undefined && oauthError === 'use_dpop_nonce' && nonce !== undefined && nonce !== proof.nonce;
      return {
        ...result,
        ...(clockCorrected ? { clockCorrected } : {}),
        ...(nonceChallenged ? { nonceChallenged } : {}),
      };
    } catch (error) {
      if (deadline.signal.aborted) throw abortReason(deadline.signal, url);
      const code = (error as { code?: unknown }).code;
      if (code === 'ERR_BAD_RESPONSE') {
        return { retryable: false, error: unreadableResponseError(MAX_TOKEN_RESPONSE_BYTES, displayUrl(url)) };
      }
      // A connection that broke or was never made may work next time; a certificate, DNS name or
      // protocol error will not (the transient rule, as for API calls). No code: an unknown
      // network failure, tried again.
      return {
        retryable: isTransientConnectionFailure(code),
        error: unreachableError(typeof code === 'string' ? code : undefined, displayUrl(url)),
      };
    }
  }

  async function exchange(
    url: string,
    grantType: GrantType,
    params: Record<string, string>,
    credentials: Credentials,
    deadline: Deadline,
    retries: number,
  ): Promise<TokenGrant> {
    let clockRetried = false;
    let nonceRetried = false;
    for (let retry = 0; ; retry++) {
      const result = await config.traceTokenCall(
        { grantType, url: displayUrl(url), resendCount: retry },
        () => attempt(url, grantType, params, credentials, deadline),
        (a) => ({
          status: a.status,
          errorType: 'error' in a ? a.error.code : undefined,
        }),
      );
      if ('grant' in result) return result.grant;
      if (result.nonceChallenged && !nonceRetried) {
        // RFC 9449 §8: the server wants its nonce in the proof. Sent again at once with it (once:
        // never a loop); not a retry, and not a failure.
        nonceRetried = true;
        retry -= 1;
        continue;
      }
      if (result.clockCorrected && !clockRetried) {
        // RFC 7523 assertions carry wall-clock times: refused for them, and the server's clock is
        // now known better, one more assertion on that clock (once: never a loop). Not a retry.
        clockRetried = true;
        retry -= 1;
        continue;
      }
      if (!result.retryable || retry >= retries) throw result.error;
      if (result.retryAfterMs !== undefined && result.retryAfterMs > config.maxRetryAfterMs) throw result.error;
      const delay = Math.max(result.retryAfterMs ?? 0, backoffDelayMs(retry + 1, BASE_BACKOFF));
      if (delay >= deadline.remainingMs()) throw result.error;
      try {
        await sleep(delay, deadline.signal, deadline.timers);
      } catch {
        throw abortReason(deadline.signal, url);
      }
    }
  }

  const refreshUrl = config.refreshUrl;
  return {
    clientCredentials(credentials, deadline, retries = config.tokenRetries) {
      return exchange(
        config.tokenUrl,
        'client_credentials',
        { grant_type: 'client_credentials', ...config.tokenParams },
        credentials,
        deadline,
        retries,
      );
    },
    refresh:
      refreshUrl === undefined
        ? undefined
        : (credentials, refreshToken, deadline) =>
            exchange(
              refreshUrl,
              'refresh_token',
              { grant_type: 'refresh_token', refresh_token: refreshToken },
              credentials,
              deadline,
              0,
            ),
  };
}
