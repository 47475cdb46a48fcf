import 'reflect-metadata';
import { Inject, Injectable, Module, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { HttpService } from '@nestjs/axios';
import { ContextIdFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { AxiosInstance, AxiosRequestConfig, InternalAxiosRequestConfig } from 'axios';
import { firstValueFrom } from 'rxjs';
import type { MultiTenantPaymentAuth } from '../../src';
import { PAYMENT_AUTH, PAYMENT_AUTH_AXIOS_INSTANCE, PaymentAuthModule } from 'axios-payment-auth/nestjs';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';

/** What the app's own authentication put on the request: the merchant it acts for. */
interface MerchantRequest {
  merchantId: string;
}

/** The documented pattern (docs/tenants.md): the tenant comes from the request, per request. */
@Injectable({ scope: Scope.REQUEST })
class MerchantPayments {
  constructor(
    @Inject(REQUEST) private readonly request: MerchantRequest,
    @Inject(HttpService) private readonly http: HttpService,
  ) {}

  async create(amount: number): Promise<{ id: string }> {
    // Typed as axios's config, where the package declares paymentAuth (HttpService may see axios's
    // other type declarations).
    const config: AxiosRequestConfig = { paymentAuth: { tenant: this.request.merchantId } };
    const { data } = await firstValueFrom(this.http.post<{ id: string }>('/payments', { amount }, config));
    return data;
  }
}

let sandbox: PaymentSandbox;
beforeEach(async () => {
  sandbox = await startPaymentSandbox({
    clients: [
      { clientId: 'client-a', clientSecret: 'secret-a' },
      { clientId: 'client-b', clientSecret: 'secret-b' },
    ],
  });
});
afterEach(() => sandbox.close());

describe('PaymentAuthModule with tenantCredentials', () => {
  it('gives a REQUEST-scoped provider each request’s own tenant token', async () => {
    @Module({
      imports: [
        PaymentAuthModule.register({
          baseURL: `${sandbox.url}/api/v1`,
          tenantCredentials: (tenant) => ({ clientId: `client-${tenant}`, clientSecret: `secret-${tenant}` }),
          maxTenants: 100,
        }),
      ],
      providers: [MerchantPayments],
    })
    class AppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    await moduleRef.init();
    const instance = moduleRef.get<AxiosInstance>(PAYMENT_AUTH_AXIOS_INSTANCE);
    const sent: { tenant?: string; token: string }[] = [];
    // Not part of the pattern: the test's look at what each request was sent with.
    instance.interceptors.response.use((response) => {
      const config = response.config as InternalAxiosRequestConfig;
      const token = String(config.headers.get('Authorization')).replace(/^Bearer /, '');
      sent.push({ tenant: config.paymentAuth ? config.paymentAuth.tenant : undefined, token });
      return response;
    });
    const forRequest = async (merchantId: string): Promise<MerchantPayments> => {
      const contextId = ContextIdFactory.create();
      moduleRef.registerRequestByContextId({ merchantId } satisfies MerchantRequest, contextId);
      return moduleRef.resolve(MerchantPayments, contextId, { strict: false });
    };
    const [a, b] = await Promise.all([forRequest('a'), forRequest('b')]);
    await Promise.all([a.create(100), b.create(200), a.create(300), b.create(400)]);
    expect(sent.map((r) => `${r.tenant} ${sandbox.tokenClient(r.token)}`).sort()).toEqual([
      'a client-a',
      'a client-a',
      'b client-b',
      'b client-b',
    ]);
    expect(sandbox.counters().tokenCalls).toBe(2);
    const auth = moduleRef.get<MultiTenantPaymentAuth>(PAYMENT_AUTH);
    expect(auth.status('a').hasToken).toBe(true);
    expect(auth.tenants()).toMatchObject({ cached: 2, maxTenants: 100 });
    await moduleRef.close();
    await expect(auth.getAccessToken('a')).rejects.toMatchObject({ code: 'DETACHED' });
  });

  it('refuses credentials and tenantCredentials together', () => {
    expect(() =>
      PaymentAuthModule.register({
        baseURL: 'http://127.0.0.1:1/api/v1',
        credentials: { clientId: 'x', clientSecret: 'y' },
        tenantCredentials: () => ({ clientId: 'x', clientSecret: 'y' }),
      }),
    ).toThrow(/not both/);
  });
});
