import axios, { type InternalAxiosRequestConfig } from 'axios';
import { createRequestInterceptor } from '../../src/interceptors/request';
import { createScope } from '../../src/request/scope';
import type { TokenManager } from '../../src/token/manager';
import { singleTenancy, type AuthEntry } from '../../src/interceptors/tenancy';

const tok = { value: 'tok', generation: 1, issuedAt: 0, expiresAt: Infinity, refreshAt: Infinity };
const manager = { token: async () => tok, cachedToken: () => tok } as unknown as TokenManager;
const scope = createScope(new Set(['https://api.pay.test']), ['https://api.pay.test/api/v1/oauth2/token']);
const entry = {
  manager,
  reporter: { idempotencyKey: () => undefined },
  knownSecrets: () => [],
} as unknown as AuthEntry;
const intercept = createRequestInterceptor(singleTenancy(entry), scope, undefined);

async function redirectHook(): Promise<(options: Record<string, unknown>) => void> {
  const config = await intercept({
    url: '/payments',
    baseURL: 'https://api.pay.test/api/v1',
    headers: new axios.AxiosHeaders(),
  } as InternalAxiosRequestConfig);
  return config.beforeRedirect as unknown as (options: Record<string, unknown>) => void;
}

describe('the redirect guard', () => {
  it.each([
    ['a subdomain (follow-redirects keeps the header there)', 'https://cdn.api.pay.test/x'],
    ['a downgrade to http', 'http://api.pay.test/x'],
    ['another port', 'https://api.pay.test:8443/x'],
    ['another host', 'https://evil.test/x'],
  ])('removes Authorization on a redirect to %s', async (_name, href) => {
    const hook = await redirectHook();
    const options = { href, headers: { Authorization: 'Bearer tok', Accept: 'x' } };
    hook(options);
    expect(options.headers).toEqual({ Accept: 'x' });
  });

  it('removes a DPoP token and its proof together on a redirect to another origin', async () => {
    const hook = await redirectHook();
    const options = {
      href: 'https://evil.test/x',
      headers: { Authorization: 'DPoP tok', dpop: 'ey.proof.sig', Accept: 'x' },
    };
    hook(options);
    expect(options.headers).toEqual({ Accept: 'x' });
  });

  it('keeps it on the API origin', async () => {
    const hook = await redirectHook();
    const options = {
      protocol: 'https:',
      hostname: 'api.pay.test',
      port: '',
      headers: { authorization: 'Bearer tok' },
    };
    hook(options);
    expect(options.headers).toEqual({ authorization: 'Bearer tok' });
  });
});
