import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy, type Provider } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import axios, { type AxiosInstance } from 'axios';
import {
  attachMultiTenantPaymentAuth,
  attachPaymentAuth,
  type MultiTenantPaymentAuth,
  type PaymentAuth,
} from 'axios-payment-auth';
import {
  splitModuleOptions,
  type PaymentAuthModuleAsyncOptions,
  type PaymentAuthModuleOptions,
  type PaymentAuthOptionsFactory,
} from './module-options';
import { PAYMENT_AUTH, PAYMENT_AUTH_AXIOS_INSTANCE, PAYMENT_AUTH_MODULE_OPTIONS } from './payment-auth.constants';

/** Detaches the interceptors when the application shuts down. */
@Injectable()
export class PaymentAuthLifecycle implements OnModuleDestroy {
  // Explicit @Inject: the published build carries no decorator metadata.
  constructor(@Inject(PAYMENT_AUTH) private readonly auth: PaymentAuth | MultiTenantPaymentAuth) {}

  onModuleDestroy(): void {
    this.auth.detach();
  }
}

/** The module's own providers, given how its options are provided. */
function coreProviders(): Provider[] {
  return [
    {
      provide: PAYMENT_AUTH_AXIOS_INSTANCE,
      // Never axios's global default instance: the bearer must not reach other HTTP calls.
      useFactory: (options: PaymentAuthModuleOptions): AxiosInstance =>
        axios.create(splitModuleOptions(options).axiosConfig),
      inject: [PAYMENT_AUTH_MODULE_OPTIONS],
    },
    {
      provide: PAYMENT_AUTH,
      useFactory: (
        instance: AxiosInstance,
        options: PaymentAuthModuleOptions,
      ): PaymentAuth | MultiTenantPaymentAuth => {
        const { credentials, tenantCredentials, attach } = splitModuleOptions(options);
        return tenantCredentials
          ? attachMultiTenantPaymentAuth(instance, { ...attach, credentials: tenantCredentials })
          : attachPaymentAuth(instance, credentials, attach);
      },
      inject: [PAYMENT_AUTH_AXIOS_INSTANCE, PAYMENT_AUTH_MODULE_OPTIONS],
    },
    {
      provide: HttpService,
      // The same instance under two type declarations: @nestjs/axios 12 is ESM-only and sees axios's
      // ESM types, this file compiles against its CommonJS ones (@nestjs/axios 4 sees the same).
      useFactory: (instance: AxiosInstance) =>
        new HttpService(instance as unknown as ConstructorParameters<typeof HttpService>[0]),
      inject: [PAYMENT_AUTH_AXIOS_INSTANCE],
    },
    PaymentAuthLifecycle,
  ];
}

/** The options provider of `registerAsync`: from a factory function, a class, or an existing provider. */
function optionsProviders(options: PaymentAuthModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [{ provide: PAYMENT_AUTH_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] }];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) throw new TypeError('PaymentAuthModule.registerAsync: give useFactory, useClass or useExisting');
  const fromFactory: Provider = {
    provide: PAYMENT_AUTH_MODULE_OPTIONS,
    useFactory: (factory: PaymentAuthOptionsFactory) => factory.createPaymentAuthOptions(),
    inject: [factoryClass],
  };
  return options.useClass ? [fromFactory, { provide: options.useClass, useClass: options.useClass }] : [fromFactory];
}

const EXPORTS = [HttpService, PAYMENT_AUTH, PAYMENT_AUTH_AXIOS_INSTANCE];

/**
 * `@nestjs/axios`'s `HttpService` on a dedicated axios instance with Payment API auth attached.
 * Import it where you would import `HttpModule`, then inject `HttpService` (and `PAYMENT_AUTH` for
 * the handle). Each registration has its own instance, token and flight; the interceptors are
 * detached on application shutdown.
 *
 * @example
 * ```ts
 * @Module({ imports: [PaymentAuthModule.register({ baseURL: 'https://api.example-pay.com/api/v1' })] })
 * export class PaymentsModule {}
 * ```
 */
@Module({})
export class PaymentAuthModule {
  static register(options: PaymentAuthModuleOptions): DynamicModule {
    splitModuleOptions(options); // fail at startup on a missing baseURL
    return {
      module: PaymentAuthModule,
      providers: [{ provide: PAYMENT_AUTH_MODULE_OPTIONS, useValue: options }, ...coreProviders()],
      exports: EXPORTS,
    };
  }

  static registerAsync(options: PaymentAuthModuleAsyncOptions): DynamicModule {
    return {
      module: PaymentAuthModule,
      imports: options.imports ?? [],
      providers: [...optionsProviders(options), ...(options.extraProviders ?? []), ...coreProviders()],
      exports: EXPORTS,
    };
  }
}
