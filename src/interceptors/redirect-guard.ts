import type { InternalAxiosRequestConfig } from 'axios';
import type { RequestScope } from '../request/scope';

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
export function createRedirectGuard(scope: RequestScope): (config: InternalAxiosRequestConfig) => void {
  const strip = (options: Record<string, unknown>): void => {
    const origin = redirectOrigin(options);
    if (origin && scope.hasApiOrigin(origin)) return;
    const headers = options.headers as Record<string, unknown> | undefined;
    // The DPoP proof goes with the token: it names the API URL and hashes the token.
    for (const key of Object.keys(headers ?? {}))
      if (key.toLowerCase() === 'authorization' || key.toLowerCase() === 'dpop') delete headers![key];
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
