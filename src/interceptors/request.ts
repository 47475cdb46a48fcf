import type { InternalAxiosRequestConfig } from 'axios';
import { unlessCancelled } from '../request/cancellation';
import { ensureIdempotencyKey } from '../request/idempotency';
import { resolveRequestUrl, type RequestScope } from '../request/scope';
import type { DpopProofs, Proof } from '../token/dpop/dpop-proofs';
import type { PaymentAuthRequestState } from '../request/request-state';
import type { AccessToken } from '../token/manager';
import '../request/request-state';
import { createRedirectGuard } from './redirect-guard';
import type { AuthEntry, Tenancy } from './tenancy';
import { requestState } from '../request/read-state';

/** Whether the caller decided the request's `Authorization` themselves: a value of theirs, or `false`. */
function callerAuthorization(config: InternalAxiosRequestConfig): boolean {
  const value = config.headers.get('Authorization');
  return value === false || (typeof value === 'string' && value.trim() !== '');
}

/**
 * The request interceptor. For in-scope requests (API origin, not a token endpoint, not
 * `paymentAuth: false`) it adds an idempotency key to POST and PATCH, then
 * `Authorization: Bearer <token>` from the token manager's shared flight (for a DPoP-bound token,
 * `Authorization: DPoP <token>` and a new proof for this send) — unless the caller set
 * `Authorization` (a non-blank string) or `auth` themselves. `Authorization: false` is axios's
 * "send no such header" and is respected; `null`, `undefined`, `''` and blanks count as not set
 * (axios would send nothing for them, and the request would only meet a 401). Everything else
 * goes out untouched. With a cached Bearer token it
 * returns synchronously: the hot path costs no extra promise.
 */
export function createRequestInterceptor(
  tenancy: Tenancy,
  scope: RequestScope,
  idempotencyHeader: string | undefined,
  certificateProblem?: (config: InternalAxiosRequestConfig) => string | undefined,
  dpop?: DpopProofs,
  /** The URL the instance will call for `config` (its `getUri`): what a DPoP proof names. */
  requestUri?: (config: InternalAxiosRequestConfig) => string,
) {
  /** The request's URL as this axios joins it (versions differ on slashes); the scope's parse otherwise. */
  const urlOf = (config: InternalAxiosRequestConfig): URL => {
    try {
      if (requestUri) return new URL(requestUri(config));
    } catch {
      // A params serializer that throws fails the request in axios anyway; the proof uses the path.
    }
    return resolveRequestUrl(config)!;
  };
  const guardRedirects = createRedirectGuard(scope);
  const finish = (
    config: InternalAxiosRequestConfig,
    entry: AuthEntry,
    token: AccessToken,
    state: PaymentAuthRequestState | undefined,
    proof?: Proof,
  ): InternalAxiosRequestConfig => {
    const next: PaymentAuthRequestState = state
      ? { ...state, generation: token.generation }
      : { generation: token.generation };
    delete next.dpopNonce;
    delete next.dpopNonceVersion;
    if (proof) {
      next.dpopNonceVersion = proof.nonceVersion;
      if (proof.nonce !== undefined) next.dpopNonce = proof.nonce;
    }
    config.paymentAuth = next;
    tenancy.sent(config, entry, token);
    guardRedirects(config);
    return config;
  };
  const authorize = (
    config: InternalAxiosRequestConfig,
    entry: AuthEntry,
    token: AccessToken,
    state: PaymentAuthRequestState | undefined,
  ): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> => {
    if (token.type !== 'DPoP' || !dpop) {
      config.headers.set('Authorization', `Bearer ${token.value}`);
      return finish(config, entry, token, state);
    }
    // RFC 9449 §7: a new proof for this very send (a retry or a replay passes here again), for the
    // URL axios will call; the scope check parsed it already, so it is an http(s) URL.
    const url = urlOf(config);
    return dpop.proof('resource', { method: config.method ?? 'get', url, accessToken: token.value }).then((proof) => {
      config.headers.set('Authorization', `DPoP ${token.value}`);
      config.headers.set('DPoP', proof.jwt);
      // The proof names this URL: a redirect is not followed, the 3xx goes back to the caller. (A
      // runtime's fetch would carry the DPoP header to another origin: it drops only Authorization;
      // axios before 1.21 does not turn maxRedirects: 0 into redirect: 'manual' for fetch.)
      config.maxRedirects = 0;
      config.fetchOptions = { ...(config.fetchOptions as object | undefined), redirect: 'manual' };
      return finish(config, entry, token, state, proof);
    });
  };
  return function paymentAuthRequest(
    config: InternalAxiosRequestConfig,
  ): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> {
    const state = requestState(config);
    if (state === false) return config;
    // A tenant that is not a valid id (or any tenant on a single-tenant attachment) fails the
    // request before it is sent, wherever it goes.
    const tenant = tenancy.tenantOf(state);
    if (!scope.includes(config)) return config;
    const keyed = idempotencyHeader !== undefined && ensureIdempotencyKey(config, idempotencyHeader);
    if (state?.generation === undefined && (config.auth || callerAuthorization(config))) {
      if (keyed) tenancy.current(tenant)?.reporter.idempotencyKey();
      return config;
    }
    const problem = certificateProblem?.(config);
    if (problem)
      throw new TypeError(
        `axios-payment-auth: ${problem}; the attachment's token calls present a client certificate, and a certificate-bound token (RFC 8705 §3) works only with it`,
      );
    // A multi-tenant attachment: a request for the API without a tenant fails here, unsent.
    const entry = tenancy.entry(tenant);
    if (keyed) entry.reporter.idempotencyKey();
    const { manager } = entry;
    const cached = manager.cachedToken();
    if (cached && !config.signal?.aborted && !config.cancelToken?.reason)
      return authorize(config, entry, cached, state);
    return unlessCancelled(() => manager.tokenWaiter(), config).then((token) => authorize(config, entry, token, state));
  };
}
