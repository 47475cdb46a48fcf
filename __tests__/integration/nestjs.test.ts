import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import axios from 'axios';
import { firstValueFrom } from 'rxjs';
import type { PaymentAuth } from '../../src';
import {
  PAYMENT_AUTH,
  PaymentAuthModule,
  type PaymentAuthModuleOptions,
  type PaymentAuthOptionsFactory,
} from 'axios-payment-auth/nestjs';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';

let sandbox: PaymentSandbox;
beforeEach(async () => {
  sandbox = await startPaymentSandbox();
});
afterEach(() => sandbox.close());

const options = (): PaymentAuthModuleOptions => ({
  baseURL: `${sandbox.url}/api/v1`,
  credentials: sandbox.credentials,
  timeout: 5000,
});

@Injectable()
class PaymentsClient {
  constructor(
    @Inject(HttpService) readonly http: HttpService,
    @Inject(PAYMENT_AUTH) readonly auth: PaymentAuth,
  ) {}

  list() {
    return firstValueFrom(this.http.get<{ data: unknown[] }>('/payments'));
  }
}

async function compile(imports: unknown[], providers: unknown[] = [PaymentsClient]) {
  @Module({ imports: imports as never[], providers: providers as never[] })
  class TestModule {}
  const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('PaymentAuthModule.register', () => {
  it('gives HttpService a dedicated axios instance with auth, never the global default', async () => {
    const moduleRef = await compile([PaymentAuthModule.register(options())]);
    const client = moduleRef.get(PaymentsClient);
    expect(client.http.axiosRef).not.toBe(axios);
    expect(client.http.axiosRef.defaults.timeout).toBe(5000);
    await expect(client.list()).resolves.toMatchObject({ status: 200 });
    await expect(client.auth.getAccessToken()).resolves.toMatch(/^at_/);
    expect(sandbox.counters()).toMatchObject({ tokenCalls: 1, apiCalls: 1 });
    const plain = await axios.get(`${sandbox.url}/api/v1/payments`, { validateStatus: () => true });
    expect(plain.status).toBe(401);
    await moduleRef.close();
  });

  it('throws at startup without a baseURL', () => {
    expect(() => PaymentAuthModule.register({} as PaymentAuthModuleOptions)).toThrow(/baseURL is required/);
  });

  it('rejects unknown options when the module starts', async () => {
    await expect(compile([PaymentAuthModule.register({ ...options(), refreshWindow: 1 } as never)])).rejects.toThrow(
      /unknown option refreshWindow/,
    );
  });
});

describe('PaymentAuthModule.registerAsync', () => {
  @Injectable()
  class Settings {
    url = '';
    creds = { clientId: '', clientSecret: '' };
  }

  it('takes options from useFactory with imports and inject', async () => {
    const settings = new Settings();
    settings.url = `${sandbox.url}/api/v1`;
    settings.creds = sandbox.credentials;
    @Module({ providers: [{ provide: Settings, useValue: settings }], exports: [Settings] })
    class SettingsModule {}
    const moduleRef = await compile([
      PaymentAuthModule.registerAsync({
        imports: [SettingsModule],
        inject: [Settings],
        useFactory: async (s: Settings) => ({ baseURL: s.url, credentials: s.creds }),
      }),
    ]);
    await expect(moduleRef.get(PaymentsClient).list()).resolves.toMatchObject({ status: 200 });
    await moduleRef.close();
  });

  it('takes options from a useClass factory', async () => {
    const url = `${sandbox.url}/api/v1`;
    const creds = sandbox.credentials;
    @Injectable()
    class OptionsFactory implements PaymentAuthOptionsFactory {
      createPaymentAuthOptions() {
        return { baseURL: url, credentials: creds };
      }
    }
    const moduleRef = await compile([PaymentAuthModule.registerAsync({ useClass: OptionsFactory })]);
    await expect(moduleRef.get(PaymentsClient).list()).resolves.toMatchObject({ status: 200 });
    await moduleRef.close();
  });

  it('takes options from an existing provider (useExisting)', async () => {
    const url = `${sandbox.url}/api/v1`;
    const creds = sandbox.credentials;
    @Injectable()
    class SharedFactory implements PaymentAuthOptionsFactory {
      createPaymentAuthOptions() {
        return { baseURL: url, credentials: creds };
      }
    }
    @Module({ providers: [SharedFactory], exports: [SharedFactory] })
    class FactoryModule {}
    const moduleRef = await compile([
      PaymentAuthModule.registerAsync({ imports: [FactoryModule], useExisting: SharedFactory }),
    ]);
    await expect(moduleRef.get(PaymentsClient).list()).resolves.toMatchObject({ status: 200 });
    await moduleRef.close();
  });

  it('needs a factory', () => {
    expect(() => PaymentAuthModule.registerAsync({})).toThrow(/useFactory, useClass or useExisting/);
  });
});

describe('two registrations in one app', () => {
  it('stay independent: two clients, two tokens, two instances', async () => {
    const second = sandbox.addClient();
    @Injectable()
    class AccountA {
      constructor(
        @Inject(HttpService) readonly http: HttpService,
        @Inject(PAYMENT_AUTH) readonly auth: PaymentAuth,
      ) {}
    }
    @Injectable()
    class AccountB {
      constructor(
        @Inject(HttpService) readonly http: HttpService,
        @Inject(PAYMENT_AUTH) readonly auth: PaymentAuth,
      ) {}
    }
    @Module({ imports: [PaymentAuthModule.register(options())], providers: [AccountA], exports: [AccountA] })
    class ModuleA {}
    @Module({
      imports: [PaymentAuthModule.register({ ...options(), credentials: second })],
      providers: [AccountB],
      exports: [AccountB],
    })
    class ModuleB {}
    const moduleRef = await compile([ModuleA, ModuleB], []);
    const a = moduleRef.get(AccountA);
    const b = moduleRef.get(AccountB);
    expect(a.http.axiosRef).not.toBe(b.http.axiosRef);
    expect(await a.auth.getAccessToken()).not.toBe(await b.auth.getAccessToken());
    expect(new Set(sandbox.requests.map((r) => r.clientId))).toEqual(
      new Set([sandbox.credentials.clientId, second.clientId]),
    );
    await moduleRef.close();
  });
});

describe('application shutdown', () => {
  it('detaches the interceptors', async () => {
    const moduleRef = await compile([PaymentAuthModule.register(options())]);
    const client = moduleRef.get(PaymentsClient);
    await client.list();
    await moduleRef.close();
    const after = await client.http.axiosRef.get('/payments', { validateStatus: () => true });
    expect(after.status).toBe(401);
    expect(sandbox.requests.at(-1)!.errorCode).toBe('NO_TOKEN');
    await expect(client.auth.getAccessToken()).rejects.toMatchObject({ code: 'DETACHED' });
  });
});
