import fc from 'fast-check';
import type { InternalAxiosRequestConfig } from 'axios';
import { createScope, resolveRequestUrl } from '../../src/scope';

const API = 'https://api.example-pay.com';
const scope = createScope(new Set([API]), [`${API}/api/v1/oauth2/token`, `${API}/api/v1/oauth2/refresh`]);
const config = (url: string, baseURL: string | null = `${API}/api/v1`, extra: Partial<InternalAxiosRequestConfig> = {}): InternalAxiosRequestConfig =>
  ({ url, baseURL: baseURL ?? undefined, headers: {}, ...extra }) as InternalAxiosRequestConfig;

describe('the bearer scope', () => {
  it.each([
    ['/payments'],
    ['payments/1?expand=x'],
    ['https://api.example-pay.com/api/v1/payments'],
    ['https://API.Example-Pay.com:443/api/v1/payments'],
  ])('includes %s', (url) => {
    expect(scope.includes(config(url))).toBe(true);
  });

  it.each([
    ['another host', 'https://evil.example.com/payments'],
    ['a lookalike suffix', 'https://api.example-pay.com.evil.com/x'],
    ['userinfo that names the API host', 'https://api.example-pay.com@evil.com/x'],
    ['a backslash trick', 'https://evil.com\\@api.example-pay.com/x'],
    ['plain http on the API host', 'http://api.example-pay.com/api/v1/payments'],
    ['another port', 'https://api.example-pay.com:8443/x'],
    ['a trailing dot', 'https://api.example-pay.com./x'],
    ['a protocol-relative URL', '//evil.com/x'],
    ['a subdomain', 'https://x.api.example-pay.com/x'],
    ['the token endpoint', 'https://api.example-pay.com/api/v1/oauth2/token'],
    ['the refresh endpoint with a query', '/oauth2/refresh?x=1'],
    ['a non-http scheme', 'file:///etc/passwd'],
  ])('excludes %s', (_name, url) => {
    expect(scope.includes(config(url))).toBe(false);
  });

  it('keeps absolute URLs on the base when allowAbsoluteUrls is false, as axios does', () => {
    expect(resolveRequestUrl(config('https://evil.com/x', `${API}/api/v1`, { allowAbsoluteUrls: false }))?.origin).toBe(API);
  });

  it('fails closed on URLs that do not parse', () => {
    expect(scope.includes(config('http://[::1', null))).toBe(false);
  });

  // Where the token really goes is checked against real servers in fuzz.test.ts; here, that the
  // decision cache never answers for another input than the one it decided.
  it('decides the same from its decision cache as a fresh scope does, whatever the baseURL and allowAbsoluteUrls (property)', () => {
    const endpoints = [`${API}/api/v1/oauth2/token`, `${API}/api/v1/oauth2/refresh`];
    const cached = createScope(new Set([API]), endpoints);
    const input = fc.record({
      url: fc.oneof(fc.constantFrom('/payments', 'https://evil.com/x', `${API}/x`, '//evil.com/x', 'oauth2/token', '', ' /x'), fc.string({ maxLength: 6 })),
      baseURL: fc.constantFrom(null, `${API}/api/v1`, `${API}/api/v1/oauth2`, 'https://evil.com', ''),
      allowAbsoluteUrls: fc.constantFrom(undefined, true, false),
    });
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 30 }), (inputs) =>
        inputs.every(({ url, baseURL, allowAbsoluteUrls }) => {
          const c = config(url, baseURL, allowAbsoluteUrls === undefined ? {} : { allowAbsoluteUrls });
          return cached.includes(c) === createScope(new Set([API]), endpoints).includes(c);
        }),
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});
