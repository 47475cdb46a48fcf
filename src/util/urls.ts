/** Whether `hostname` (as `URL.hostname` gives it) is this machine: `localhost`, 127.0.0.0/8 or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** The same for an address to listen on, where IPv6 comes without brackets (`::1`). */
export function isLoopbackAddress(host: string): boolean {
  return isLoopbackHost(host.includes(':') ? `[${host}]` : host);
}

/**
 * Resolves a Payment API path (`/api/v1/…`) against `baseURL`. The API root is what comes before
 * the base path's first `/api/v1` segment (`https://host/api/v1`, `https://host/api/v1/payments`),
 * or before a last `/api` segment (`https://host/api`); any other path is a gateway's prefix and
 * is kept (`https://gw/pay` → `https://gw/pay/api/v1/…`).
 */
export function resolveEndpoint(baseURL: URL, path: string): string {
  const base = baseURL.pathname.replace(/\/+$/, '');
  const api = /\/api\/v1(?:\/|$)/.exec(base);
  const prefix = api ? base.slice(0, api.index) : base.replace(/\/api$/, '');
  return `${baseURL.origin}${prefix}${path}`;
}

/** A URL as errors and logs may name it: origin and path, never user info, a query or a fragment. */
export function displayUrl(url: string): string {
  const { origin, pathname } = new URL(url);
  return `${origin}${pathname}`;
}
