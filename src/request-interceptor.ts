import type { InternalAxiosRequestConfig } from 'axios';
import { unlessCancelled } from './cancellation';
import { ensureIdempotencyKey } from './idempotency';
import type { Reporter } from './reporter';
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
 * The request interceptor. For in-scope requests (API origin, not a token endpoint, not
 * `paymentAuth: false`) it adds an idempotency key to POST and PATCH, then
 * `Authorization: Bearer <token>` from the token manager's shared flight — unless the caller set
 * `Authorization` or `auth` themselves. Everything else goes out untouched.
 */
export function createRequestInterceptor(manager: TokenManager, scope: RequestScope, idempotencyHeader: string | undefined, reporter: Pick<Reporter, 'idempotencyKey'>) {
  return async function paymentAuthRequest(config: InternalAxiosRequestConfig): Promise<InternalAxiosRequestConfig> {
    const state = config.paymentAuth;
    if (state === false || !scope.includes(config)) return config;
    if (idempotencyHeader && ensureIdempotencyKey(config, idempotencyHeader)) reporter.idempotencyKey();
    const ours = state?.generation !== undefined;
    if (!ours && (config.auth || config.headers.has('Authorization'))) return config;
    const token = await unlessCancelled(() => manager.token(), config);
    config.headers.set('Authorization', `Bearer ${token.value}`);
    config.paymentAuth = { ...state, generation: token.generation };
    guardRedirects(config, scope);
    return config;
  };
}
