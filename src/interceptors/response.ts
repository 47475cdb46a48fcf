import { isAxiosError, type AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import { unlessCancelled } from '../request/cancellation';
import { PaymentAuthError } from '../errors/payment-auth-error';
import { cleanAxiosError } from '../errors/clean-axios-error';
import { releaseResponse } from '../request/release-response';
import { isReplayableBody } from '../request/replayable-body';
import { dpopChallengeError } from '../token/dpop/dpop-challenge';
import type { DpopProofs } from '../token/dpop/dpop-proofs';
import { resolveRequestUrl } from '../request/scope';
import type { Reporter } from '../observability/reporter';
import type { PaymentAuthRequestState } from '../request/request-state';
import '../request/request-state';
import type { SentWith, Tenancy } from './tenancy';
import { detachedError } from '../token/errors';
import { requestState } from '../request/read-state';

/**
 * The response interceptors, for requests that carried our token:
 * - `onResponse` notes that the API accepted the token (a token from the refresh grant that is
 *   rejected before any success sends the next renewal to client_credentials);
 * - `onError`: a 401 on its first attempt renews the token (once per token generation, however
 *   many 401s arrive) or picks up a newer one, and replays the request exactly once; the 401
 *   response is released (a stream body is destroyed, so its socket is freed). A second 401, and
 *   every other error, goes back to the caller as the same `AxiosError`, cleaned of the bearer
 *   token (and what the API sent back, of the tokens and the secret). A 401 on a stream body
 *   renews the token for the next requests but rejects this one with `BODY_NOT_REPLAYABLE`,
 *   never resending an empty body.
 *
 * On a multi-tenant attachment each request is handled with the tenant's entry it was sent with.
 * A 401 on a request whose tenant was evicted meanwhile (its state gone) is replayed once with the
 * tenant's token of now, and the rejected token is never taken up again.
 */
export function createResponseInterceptors(instance: AxiosInstance, tenancy: Tenancy, dpop?: DpopProofs) {
  /** With DPoP: the API's `DPoP-Nonce` of an answer to one of our requests (RFC 9449 §9). */
  const learnNonce = (response: AxiosResponse | undefined, state: PaymentAuthRequestState): void => {
    const nonce = response?.headers?.['dpop-nonce'];
    if (nonce === undefined || !dpop || !response || state.dpopNonceVersion === undefined) return;
    const origin = resolveRequestUrl(response.config)?.origin;
    if (origin) dpop.nonces.learn('resource', origin, nonce, state.dpopNonceVersion);
  };

  /**
   * Whether the entry a request was sent with still holds its tenant's state. When it does not
   * (the tenant was evicted while the request was out), the tenant's entry of now, created if need
   * be, is told of the rejected token, so that it never takes it up again (a shared store may still
   * hold it); the replay then gets its token from that entry, through the request interceptor.
   */
  const isCurrent = (sentWith: SentWith, state: PaymentAuthRequestState): boolean => {
    if (tenancy.current(state.tenant) === sentWith.entry) return true;
    if (sentWith.token) tenancy.entry(state.tenant).manager.noteUnauthorizedElsewhere(sentWith.token);
    return false;
  };

  function onResponse(response: AxiosResponse): AxiosResponse {
    const state = response.config ? requestState(response.config) : undefined;
    if (state && state.generation !== undefined) {
      tenancy.sentWith(response.config)?.entry.manager.confirm(state.generation);
      learnNonce(response, state);
    }
    return response;
  }

  async function onError(error: unknown): Promise<AxiosResponse> {
    if (!isAxiosError(error) || !error.config) throw error;
    const config = error.config;
    const state = requestState(config);
    if (!state || state.generation === undefined) throw error;
    const sentWith = tenancy.sentWith(config);
    // Not sent through this attachment's request interceptor: the caller's state, not ours.
    if (!sentWith) throw error;
    const { entry } = sentWith;
    const { manager, reporter } = entry;
    const clean = <E extends AxiosError>(e: E): E => cleanAxiosError(e, entry.knownSecrets());
    const sent = state.generation;
    const status = error.response?.status;
    learnNonce(error.response, state);
    if (status === 401 && dpop) {
      const challenge = dpopChallengeError(error.response?.headers?.['www-authenticate']);
      if (challenge === 'use_dpop_nonce') return retryWithNonce(error, config, state, entry.reporter, clean);
      // The proof, not the token, was refused: a new token would not help. Back to the caller.
      if (challenge === 'invalid_dpop_proof') {
        reporter.unauthorized(false);
        throw clean(error);
      }
    }
    if (status !== 401) {
      // Any other answer of the API means it took the token (a 5xx may come from before auth).
      if (status !== undefined && status < 500) manager.confirm(sent);
      throw clean(error);
    }
    if (state.replayed) {
      reporter.unauthorized(false);
      throw clean(error);
    }
    // The caller never sees this 401: free its connection now (an unread stream would pin it).
    releaseResponse(error.response);
    if (!isReplayableBody(config.data)) {
      reporter.unauthorized(false);
      if (isCurrent(sentWith, state))
        manager.tokenAfterUnauthorized(sent).catch(() => {
          // Reported by the token manager; this request fails with its own error below.
        });
      throw new PaymentAuthError({
        code: 'BODY_NOT_REPLAYABLE',
        message: 'Request was rejected with 401 and its stream body cannot be sent again',
        hint: 'send a string, Buffer or object body to get automatic replays, or retry the call',
        status: 401,
        cause: clean(error),
      });
    }
    reporter.unauthorized(true);
    if (isCurrent(sentWith, state)) {
      manager.noteUnauthorized(sent);
      await unlessCancelled(() => manager.tokenWaiter(), config);
    }
    // Detached meanwhile: its interceptors are gone, the request would go out as it was (token included).
    if (tenancy.detached.aborted) throw detachedError();
    config.paymentAuth = { ...state, replayed: true };
    // The body is already serialised: do not run the caller's transformRequest a second time.
    config.transformRequest = [(data: unknown) => data];
    return instance.request(config);
  }

  /**
   * RFC 9449 §9: the API wants its nonce in the proof. Sent again once with the nonce it gave (a
   * new proof; the same token, which is not renewed), unless the nonce is the one the proof
   * carried already or the request was sent again for a nonce before: never a loop.
   */
  async function retryWithNonce(
    error: AxiosError,
    config: NonNullable<AxiosError['config']>,
    state: PaymentAuthRequestState,
    reporter: Pick<Reporter, 'unauthorized' | 'log'>,
    clean: <E extends AxiosError>(e: E) => E,
  ): Promise<AxiosResponse> {
    const origin = resolveRequestUrl(config)?.origin;
    const nonce = origin === undefined ? undefined : dpop!.nonces.get('resource', origin);
    if (state.nonceRetried || nonce === undefined || nonce === state.dpopNonce) {
      reporter.unauthorized(false);
      throw clean(error);
    }
    releaseResponse(error.response);
    reporter.log('debug', 'the API asked for a DPoP nonce; sending the request again with it');
    if (!isReplayableBody(config.data))
      throw new PaymentAuthError({
        code: 'BODY_NOT_REPLAYABLE',
        message: 'Request was rejected with 401 for a DPoP nonce and its stream body cannot be sent again',
        hint: 'the nonce is learned: the next request carries it; send a string, Buffer or object body to get automatic retries',
        status: 401,
        cause: clean(error),
      });
    if (tenancy.detached.aborted) throw detachedError();
    config.paymentAuth = { ...state, nonceRetried: true };
    config.transformRequest = [(data: unknown) => data];
    return instance.request(config);
  }

  return { onResponse, onError };
}
