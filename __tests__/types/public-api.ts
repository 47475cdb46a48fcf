// Type tests of the public API, checked by `npm run typecheck` (not run by jest). Each
// `@ts-expect-error` line must fail to compile: if a change makes it compile, tsc reports the
// directive as unused and the check fails. The positive lines must compile as they are.
import axios from 'axios';
import {
  attachMultiTenantPaymentAuth,
  attachPaymentAuth,
  isPaymentAuthError,
  parsePaymentError,
  MemoryTokenStore,
  type Credentials,
  type PaymentAuth,
  type PaymentAuthOptions,
  type PaymentAuthStatus,
  type TokenStore,
  type MultiTenantPaymentAuth,
  type MultiTenantPaymentAuthOptions,
  type TenantCacheStatus,
  type TenantCredentials,
} from 'axios-payment-auth';
import { RedisTokenStore } from 'axios-payment-auth/redis';
import { PaymentAuthModule, type PaymentAuthModuleOptions } from 'axios-payment-auth/nestjs';

declare const redisClient: ConstructorParameters<typeof RedisTokenStore>[0]['client'];
const api = axios.create({ baseURL: 'https://api.example-pay.com/api/v1' });
const credentials: Credentials = { clientId: 'id', clientSecret: 'secret' };

export async function positives(): Promise<void> {
  const auth: PaymentAuth = attachPaymentAuth(api, credentials, {
    scope: ['payments:write'],
    retry: 3,
    idempotency: false,
  });
  attachPaymentAuth(api, async () => credentials, { refreshUrl: false, store: new MemoryTokenStore() });
  attachPaymentAuth(api);
  const token: string = await auth.getAccessToken();
  const status: PaymentAuthStatus = auth.status();
  void [token, status.counts.tokensAcquired, status.lastError?.code];
  await api.get('/payments', { paymentAuth: false });
  const store: TokenStore = new RedisTokenStore({ client: redisClient, encryptionKey: Buffer.alloc(32) });
  const options: PaymentAuthOptions = { store, retry: { retries: 2, onRetry: (event) => void event.reason } };
  void options;
  try {
    await api.post('/payments', {});
  } catch (error) {
    if (isPaymentAuthError(error)) {
      const code: 'CREDENTIALS_REJECTED' | string = error.code;
      void code;
    }
    const retryable: boolean = parsePaymentError(error).retryable;
    void retryable;
  }
  PaymentAuthModule.register({ baseURL: 'https://api.example-pay.com', credentials, timeout: 5000 });
}

export async function negatives(): Promise<void> {
  // @ts-expect-error `paymentAuth` is false or the package's own state, never true
  await api.get('/payments', { paymentAuth: true });
  // @ts-expect-error an unknown option
  attachPaymentAuth(api, credentials, { refreshWindow: 30_000 });
  // @ts-expect-error an unsupported client authentication method
  attachPaymentAuth(api, credentials, { clientAuthMethod: 'client_secret_jwt' });
  // @ts-expect-error `retry` is false, a count or options
  attachPaymentAuth(api, credentials, { retry: 'always' });
  // @ts-expect-error an unknown retry option
  attachPaymentAuth(api, credentials, { retry: { attempts: 2 } });
  // @ts-expect-error an unknown idempotency option
  attachPaymentAuth(api, credentials, { idempotency: { header: 'Idempotency-Key' } });
  // @ts-expect-error a private key is PEM text or a key object, not a number
  attachPaymentAuth(api, { clientId: 'id', privateKey: 42 });
  // @ts-expect-error a provider must return credentials
  attachPaymentAuth(api, async () => 'secret');
  // @ts-expect-error not an axios instance
  attachPaymentAuth({ get: () => undefined }, credentials);
  // @ts-expect-error a store must implement every method
  attachPaymentAuth(api, credentials, { store: { get: async () => undefined } });
  // @ts-expect-error durations are numbers of milliseconds
  attachPaymentAuth(api, credentials, { tokenTimeoutMs: '10s' });
  const auth = attachPaymentAuth(api, credentials);
  // @ts-expect-error status() is synchronous data, not a promise
  await auth.status().then(() => undefined);
  try {
    await auth.getAccessToken();
  } catch (error) {
    // @ts-expect-error a code the package never uses
    if (isPaymentAuthError(error) && error.code === 'TOKEN_EXPIRED') return;
  }
  // @ts-expect-error the Redis store needs a client
  new RedisTokenStore({ encryptionKey: Buffer.alloc(32) });
  // @ts-expect-error the NestJS module needs the API's baseURL
  const moduleOptions: PaymentAuthModuleOptions = { credentials };
  void moduleOptions;
}

// Many tenants: the tenant per request is typed, the handle takes a tenant everywhere.
{
  const api = axios.create();
  const tenants: MultiTenantPaymentAuth = attachMultiTenantPaymentAuth(api, {
    credentials: async (tenant: string) => ({ clientId: tenant, clientSecret: 's' }),
    maxTenants: 10_000,
    telemetryTenant: (tenant) => (tenant.startsWith('vip') ? 'vip' : undefined),
  });
  void api.post('/payments', {}, { paymentAuth: { tenant: 'merchant_42' } });
  void tenants.getAccessToken('merchant_42');
  tenants.invalidate('merchant_42');
  const status: PaymentAuthStatus = tenants.status('merchant_42');
  const cache: TenantCacheStatus = tenants.tenants();
  void status;
  void cache;
  // @ts-expect-error the tenant is a string
  void api.get('/payments', { paymentAuth: { tenant: 42 } });
  // @ts-expect-error getAccessToken needs the tenant
  void tenants.getAccessToken();
  // @ts-expect-error credentials is required
  attachMultiTenantPaymentAuth(api, { maxTenants: 10 });
  // @ts-expect-error credentials per tenant is a function, not one set
  attachMultiTenantPaymentAuth(api, { credentials: { clientId: 'a', clientSecret: 'b' } });
  const credentials: TenantCredentials = () => ({ clientId: 'a', clientSecret: 'b' });
  const options: MultiTenantPaymentAuthOptions = { credentials };
  void options;
  tenants.detach();
}
