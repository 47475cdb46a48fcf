import type { InternalAxiosRequestConfig } from 'axios';
import { unlessCancelled } from '../request/cancellation';
import { ensureIdempotencyKey } from '../request/idempotency';
import type { Reporter } from '../observability/reporter';
import type { RequestScope } from '../request/scope';
import type { PaymentAuthRequestState } from '../request/request-state';
import type { AccessToken, TokenManager } from '../token/manager';
import '../request/request-state';

type RedirectHook = (options: Record<string, unknown>, responseDetails: unknown, requestDetails?: unknown) => void;

function redirectOrigin(options: Record<string, unknown>): string | undefined {
  try {
    if (typeof options.href === 'string') return new URL(options.href).origin;
    const port = options.port ? `:${String(options.port)}` : '';
    return new URL(`${String(options.protocol)}//${String(options.hostname ?? options.host)}${port}`).origin;
  } catch {
    return undefined;
  }
}

/**
 * Makes a redirect to any origin outside the API origins lose the bearer token (Node http adapter):
 * follow-redirects alone keeps it for subdomains, and older axios versions keep it more often. A
 * request without its own `beforeRedirect` shares one guard; one with its own gets a wrapper that
 * runs ours first, then the caller's.
 */
function createRedirectGuard(scope: RequestScope): (config: InternalAxiosRequestConfig) => void {
  const strip = (options: Record<string, unknown>): void => {
    const origin = redirectOrigin(options);
    if (origin && scope.hasApiOrigin(origin)) return;
    const headers = options.headers as Record<string, unknown> | undefined;
    for (const key of Object.keys(headers ?? {})) if (key.toLowerCase() === 'authorization') delete headers![key];
  };
  const guards = new WeakSet<RedirectHook>([strip]);
  return (config) => {
    const own = config.beforeRedirect as RedirectHook | undefined;
    if (own && guards.has(own)) return;
    let guard: RedirectHook = strip;
    if (own) {
      guard = (options, responseDetails, requestDetails) => {
        strip(options);
        own(options, responseDetails, requestDetails);
      };
      guards.add(guard);
    }
    config.beforeRedirect = guard as InternalAxiosRequestConfig['beforeRedirect'];
  };
}

/** Whether the caller decided the request's `Authorization` themselves: a value of theirs, or `false`. */
function callerAuthorization(config: InternalAxiosRequestConfig): boolean {
  const value = config.headers.get('Authorization');
  return value === false || (typeof value === 'string' && value.trim() !== '');
}

/**
 * The request interceptor. For in-scope requests (API origin, not a token endpoint, not
 * `paymentAuth: false`) it adds an idempotency key to POST and PATCH, then
 * `Authorization: Bearer <token>` from the token manager's shared flight — unless the caller set
 * `Authorization` (a non-blank string) or `auth` themselves. `Authorization: false` is axios's
 * "send no such header" and is respected; `null`, `undefined`, `''` and blanks count as not set
 * (axios would send nothing for them, and the request would only meet a 401). Everything else
 * goes out untouched. With a cached token it
 * returns synchronously: the hot path costs no extra promise.
 */
export function createRequestInterceptor(manager: TokenManager, scope: RequestScope, idempotencyHeader: string | undefined, reporter: Pick<Reporter, 'idempotencyKey'>) {
  const guardRedirects = createRedirectGuard(scope);
  const authorize = (config: InternalAxiosRequestConfig, token: AccessToken, state: PaymentAuthRequestState | undefined): InternalAxiosRequestConfig => {
    config.headers.set('Authorization', `Bearer ${token.value}`);
    config.paymentAuth = state ? { ...state, generation: token.generation } : { generation: token.generation };
    guardRedirects(config);
    return config;
  };
  return function paymentAuthRequest(config: InternalAxiosRequestConfig): InternalAxiosRequestConfig | Promise<InternalAxiosRequestConfig> {
    const state = config.paymentAuth;
    if (state === false || !scope.includes(config)) return config;
    if (idempotencyHeader && ensureIdempotencyKey(config, idempotencyHeader)) reporter.idempotencyKey();
    if (state?.generation === undefined && (config.auth || callerAuthorization(config))) return config;
    const cached = manager.cachedToken();
    if (cached && !config.signal?.aborted && !config.cancelToken?.reason) return authorize(config, cached, state);
    return unlessCancelled(() => manager.tokenWaiter(), config).then((token) => authorize(config, token, state));
  };
}
