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

  it('attaches a token only to URLs whose origin is the API origin (property)', () => {
    const hostile = fc.constantFrom(
      'https://api.example-pay.com@evil.com/',
      'https://evil.com#@api.example-pay.com/',
      'https://api.example-pay.com%2f@evil.com/',
      '\thttps://evil.com/',
      'https:\\\\evil.com\\x',
      'HTTPS://api.EXAMPLE-pay.com/x',
      '//api.example-pay.com/x',
      'https://api.example-pay.com:443/x',
    );
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), hostile, fc.string()), (url) => {
        let origin: string | undefined;
        try {
          origin = new URL(url).origin;
        } catch {
          origin = undefined;
        }
        const isApi = origin === API && !/\/api\/v1\/oauth2\/(token|refresh)$/.test(new URL(url, 'http://x').pathname);
        return scope.includes(config(url, null)) === isApi;
      }),
      { numRuns: 3000, seed: 42 },
    );
  });
});
