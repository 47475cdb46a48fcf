import fc from 'fast-check';
import type { InternalAxiosRequestConfig } from 'axios';
import { createScope, resolveRequestUrl } from '../../src/request/scope';
import { displayUrl, isLoopbackAddress, isLoopbackHost } from '../../src/util/urls';

const API = 'https://api.example-pay.com';
const scope = createScope(new Set([API]), [`${API}/api/v1/oauth2/token`, `${API}/api/v1/oauth2/refresh`]);
const config = (
  url: string,
  baseURL: string | null = `${API}/api/v1`,
  extra: Partial<InternalAxiosRequestConfig> = {},
): InternalAxiosRequestConfig =>
  ({ url, baseURL: baseURL ?? undefined, headers: {}, ...extra }) as InternalAxiosRequestConfig;

describe('the bearer scope', () => {
  it.each([
    ['/payments'],
    ['payments/1?expand=x'],
    ['https://api.example-pay.com/api/v1/payments'],
    ['https://API.Example-Pay.com:443/api/v1/payments'],
    ['/payments?return=https://shop.example/done'],
    ['payments?next=//evil.example/x'],
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
    ['a scheme with a digit', 'h2://evil.example/x'],
    ['the token endpoint, relative and without a leading slash', 'oauth2/token'],
  ])('excludes %s', (_name, url) => {
    expect(scope.includes(config(url))).toBe(false);
  });

  it('keeps absolute URLs on the base when allowAbsoluteUrls is false, as axios does', () => {
    expect(resolveRequestUrl(config('https://evil.com/x', `${API}/api/v1`, { allowAbsoluteUrls: false }))?.origin).toBe(
      API,
    );
  });

  it('fails closed on URLs that do not parse', () => {
    expect(scope.includes(config('http://[::1', null))).toBe(false);
    expect(resolveRequestUrl(config('http://[::1', null))).toBeUndefined();
  });

  it('strips every leading slash of the url before the base, as axios does (token endpoint still excluded)', () => {
    expect(scope.includes(config('///api/v1/oauth2/token', API, { allowAbsoluteUrls: false }))).toBe(false);
    expect(resolveRequestUrl(config('///payments', `${API}/api/v1`, { allowAbsoluteUrls: false }))?.href).toBe(
      `${API}/api/v1/payments`,
    );
  });

  // Where the token really goes is checked against real servers in fuzz.test.ts; here, that the
  // decision cache never answers for another input than the one it decided.
  it('decides the same from its decision cache as a fresh scope does, whatever the baseURL and allowAbsoluteUrls (property)', () => {
    const endpoints = [`${API}/api/v1/oauth2/token`, `${API}/api/v1/oauth2/refresh`];
    const cached = createScope(new Set([API]), endpoints);
    const input = fc.record({
      url: fc.oneof(
        fc.constantFrom('/payments', 'https://evil.com/x', `${API}/x`, '//evil.com/x', 'oauth2/token', '', ' /x'),
        fc.string({ maxLength: 6 }),
      ),
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

describe('isLoopbackHost (where http: is allowed without allowInsecureHttp)', () => {
  it.each(['localhost', '[::1]', '127.0.0.1', '127.1.2.3', '127.255.255.255'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });
  it.each([
    '127.0.0.1.evil.example',
    '1127.0.0.1',
    '127.0.0',
    '127.a.b.c',
    '127.0.0.1234',
    'localhost.evil.example',
    '::1',
    '10.0.0.1',
    '',
  ])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('resolveRequestUrl', () => {
  it('joins baseURL and url as axios does, whatever slashes stand between', () => {
    expect(resolveRequestUrl({ baseURL: 'https://a.example/api///', url: '/payments' })?.href).toBe(
      'https://a.example/api/payments',
    );
    expect(resolveRequestUrl({ baseURL: 'https://a.example/api', url: '//payments' })).toBeUndefined(); // protocol-relative: absolute
    expect(resolveRequestUrl({ baseURL: 'https://a.example/api/', url: '/payments' })?.href).toBe(
      'https://a.example/api/payments',
    );
    expect(resolveRequestUrl({ baseURL: 'https://a.example/api', url: 'payments' })?.href).toBe(
      'https://a.example/api/payments',
    );
  });

  it('takes the baseURL as it is for an empty or missing url, as axios does (no slash added)', async () => {
    const { default: axios } = await import('axios');
    for (const [baseURL, url] of [
      ['https://a.example/api/v1/payments', ''],
      ['https://a.example/api/v1/payments', undefined],
      ['https://a.example/api/', ''],
      ['https://a.example/api//', undefined],
    ] as const) {
      expect(resolveRequestUrl({ baseURL, url })?.href).toBe(axios.getUri({ baseURL, url }));
    }
  });

  it('keeps only http: and https: URLs', () => {
    expect(resolveRequestUrl({ url: 'http://a.example/x' })?.protocol).toBe('http:');
    expect(resolveRequestUrl({ url: 'https://a.example/x' })?.protocol).toBe('https:');
    for (const url of ['ftp://a.example/x', 'file:///etc/passwd', 'mailto:a@example.com', 'not a url'])
      expect(resolveRequestUrl({ url })).toBeUndefined();
  });

  it('uses the base for an absolute url only when allowAbsoluteUrls is false', () => {
    expect(resolveRequestUrl({ baseURL: 'https://a.example', url: 'https://b.example/x' })?.origin).toBe(
      'https://b.example',
    );
    expect(
      resolveRequestUrl({ baseURL: 'https://a.example', url: 'https://b.example/x', allowAbsoluteUrls: false })?.origin,
    ).toBe('https://a.example');
    expect(
      resolveRequestUrl({ baseURL: 'https://a.example', url: 'https://b.example/x', allowAbsoluteUrls: true })?.origin,
    ).toBe('https://b.example');
  });
});

describe('the decision cache', () => {
  it('keeps one decision per distinct request, and at most 1,024: full, it starts over', () => {
    const fresh = createScope(new Set([API]), []);
    fresh.includes(config('/a'));
    fresh.includes(config('/a'));
    expect(fresh.cachedDecisions).toBe(1);
    fresh.includes(config('/b'));
    expect(fresh.cachedDecisions).toBe(2);
    for (let i = 2; i < 1024; i++) fresh.includes(config(`/p${i}`));
    expect(fresh.cachedDecisions).toBe(1024);
    fresh.includes(config('/one-more'));
    expect(fresh.cachedDecisions).toBe(1);
  });

  it('stays right past its bound: 3,000 distinct URLs, each asked twice', () => {
    const s = createScope(new Set([API]), []);
    for (let i = 0; i < 3000; i++) {
      const url = i % 2 === 0 ? `/p/${i}` : `https://other-${i}.example/p`;
      expect(s.includes(config(url))).toBe(i % 2 === 0);
      expect(s.includes(config(url))).toBe(i % 2 === 0);
    }
  });

  it('keeps allowAbsoluteUrls apart for the same baseURL and url', () => {
    const s = createScope(new Set([API]), []);
    expect(s.includes(config('https://other.example/x', `${API}/api/v1`, { allowAbsoluteUrls: false }))).toBe(true);
    expect(s.includes(config('https://other.example/x', `${API}/api/v1`))).toBe(false);
    expect(s.includes(config('https://other.example/x', `${API}/api/v1`, { allowAbsoluteUrls: false }))).toBe(true);
  });

  it('names an API origin, and refuses what does not parse', () => {
    const s = createScope(new Set([API]), []);
    expect(s.hasApiOrigin(`${API}/anything`)).toBe(true);
    expect(s.hasApiOrigin(new URL(`${API}/x`))).toBe(true);
    expect(s.hasApiOrigin('https://other.example')).toBe(false);
    expect(s.hasApiOrigin('::not a url')).toBe(false);
  });
});

describe('displayUrl (how errors name a URL)', () => {
  it.each([
    ['https://auth.test/oauth2/token?tenant=t1#frag', 'https://auth.test/oauth2/token'],
    ['https://user:pw@auth.test:8443/a/b', 'https://auth.test:8443/a/b'],
    ['http://127.0.0.1:4010/api/v1/oauth2/token', 'http://127.0.0.1:4010/api/v1/oauth2/token'],
  ])('%s → %s', (url, shown) => {
    expect(displayUrl(url)).toBe(shown);
  });
});

describe('isLoopbackAddress (where the sandbox may listen)', () => {
  it.each([
    ['127.0.0.1', true],
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.2', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackAddress(host)).toBe(loopback);
  });
});
