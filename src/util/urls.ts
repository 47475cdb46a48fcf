/** Whether `hostname` (as `URL.hostname` gives it) is this machine: `localhost`, 127.0.0.0/8 or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** Resolves a Payment API path against `baseURL`; both `https://host` and `https://host/api/v1` work. */
export function resolveEndpoint(baseURL: URL, path: string): string {
  const base = baseURL.pathname.replace(/\/+$/, '');
  const prefix = base.endsWith('/api/v1') ? base.slice(0, -'/api/v1'.length) : base;
  return `${baseURL.origin}${prefix}${path}`;
}
