import type { InternalAxiosRequestConfig } from 'axios';
import { unlessCancelled } from './cancellation';
import type { RequestScope } from './scope';
import type { TokenManager } from './token-manager';
import './request-state';

type RedirectHook = (options: Record<string, unknown>, responseDetails: unknown, requestDetails?: unknown) => void;

const guards = new WeakSet<RedirectHook>();

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
 * Wraps the request's `beforeRedirect` (Node http adapter) so a redirect to any origin outside the
 * API origins loses the bearer token. follow-redirects alone keeps it for subdomains, and older
 * axios versions keep it more often. The caller's own hook still runs after ours.
 */
function guardRedirects(config: InternalAxiosRequestConfig, scope: RequestScope): void {
  const own = config.beforeRedirect as RedirectHook | undefined;
  if (own && guards.has(own)) return;
  const guard: RedirectHook = (options, responseDetails, requestDetails) => {
    const origin = redirectOrigin(options);
    if (!origin || !scope.hasApiOrigin(origin)) {
      const headers = options.headers as Record<string, unknown> | undefined;
      for (const key of Object.keys(headers ?? {})) if (key.toLowerCase() === 'authorization') delete headers![key];
    }
    own?.(options, responseDetails, requestDetails);
  };
  guards.add(guard);
  config.beforeRedirect = guard as InternalAxiosRequestConfig['beforeRedirect'];
}

/**
 * The request interceptor: adds `Authorization: Bearer <token>` to in-scope requests from the
 * token manager's shared flight. Out of scope, and left untouched: other origins, the token
 * endpoints, requests with `paymentAuth: false`, and requests whose caller set `Authorization` or
 * `auth` themselves.
 */
export function createRequestInterceptor(manager: TokenManager, scope: RequestScope) {
  return async function paymentAuthRequest(config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> {
    const state = config.paymentAuth;
    if (state === false) return config;
    const ours = state?.generation !== undefined;
    if (!ours && (config.auth || config.headers.has('Authorization'))) return config;
    if (!scope.includes(config)) return config;
    const token = await unlessCancelled(() => manager.token(), config);
    config.headers.set('Authorization', `Bearer ${token.value}`);
    config.paymentAuth = { ...state, generation: token.generation };
    guardRedirects(config, scope);
    return config;
  };
}
