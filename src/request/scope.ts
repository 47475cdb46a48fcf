import type { InternalAxiosRequestConfig } from 'axios';

const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/**
 * The URL a request will really go to, as axios builds it: an absolute `url` overrides `baseURL`
 * unless `allowAbsoluteUrls` is false. Returns undefined when it cannot be parsed; callers treat
 * that as out of scope (fail closed).
 */
export function resolveRequestUrl(
  config: Pick<InternalAxiosRequestConfig, 'url' | 'baseURL' | 'allowAbsoluteUrls'>,
): URL | undefined {
  const url = config.url ?? '';
  const useBase = config.baseURL && (config.allowAbsoluteUrls === false || !ABSOLUTE_URL.test(url));
  // axios's combineURLs: an empty url is the baseURL as it is; otherwise one slash between them.
  const full = useBase
    ? url
      ? `${config.baseURL!.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`
      : config.baseURL!
    : url;
  let parsed: URL;
  try {
    parsed = new URL(full);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
}

/** Decides which requests receive the bearer token. */
export interface RequestScope {
  /** True when the request goes to an API origin and is not a call to a token endpoint. */
  includes(config: InternalAxiosRequestConfig): boolean;
  /** True when the URL's origin is one of the API origins. */
  hasApiOrigin(url: string | URL): boolean;
  /** How many decisions the cache holds now (at most 1,024). */
  readonly cachedDecisions: number;
}

const DECISIONS_KEPT = 1024;

function stripQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Scope of the bearer token: exactly the API origins (scheme, host and port, as the WHATWG URL
 * parser normalises them), minus the token endpoints themselves.
 */
export function createScope(apiOrigins: ReadonlySet<string>, tokenEndpoints: readonly string[]): RequestScope {
  const endpoints = new Set(tokenEndpoints.map((u) => stripQuery(new URL(u))));
  const hasApiOrigin = (url: string | URL): boolean => {
    try {
      return apiOrigins.has(new URL(url).origin);
    } catch {
      return false;
    }
  };
  // Decisions by URL: an app calls a limited set of URLs, and parsing one costs more than the rest
  // of the interceptor. Keyed by (allowAbsoluteUrls, baseURL) and then by url in nested maps, so
  // that no two inputs share a key whatever characters they hold. Bounded: cleared when full.
  const decisions = new Map<string, Map<string, boolean>>();
  let kept = 0;
  return {
    hasApiOrigin,
    get cachedDecisions() {
      return kept;
    },
    includes(config) {
      const outer = `${config.allowAbsoluteUrls === false ? '0' : '1'}${config.baseURL ?? ''}`;
      const url = config.url ?? '';
      let byUrl = decisions.get(outer);
      let decision = byUrl?.get(url);
      if (decision === undefined) {
        const resolved = resolveRequestUrl(config);
        decision = resolved !== undefined && apiOrigins.has(resolved.origin) && !endpoints.has(stripQuery(resolved));
        if (kept >= DECISIONS_KEPT) {
          decisions.clear();
          kept = 0;
          byUrl = undefined;
        }
        if (!byUrl) decisions.set(outer, (byUrl = new Map()));
        byUrl.set(url, decision);
        kept += 1;
      }
      return decision;
    },
  };
}
