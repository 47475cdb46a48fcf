export { PaymentAuthModule, PaymentAuthLifecycle } from './payment-auth.module';
export { PAYMENT_AUTH, PAYMENT_AUTH_MODULE_OPTIONS, PAYMENT_AUTH_AXIOS_INSTANCE } from './payment-auth.constants';
export type {
  PaymentAuthModuleOptions,
  PaymentAuthModuleAsyncOptions,
  PaymentAuthOptionsFactory,
  PaymentAuthAxiosConfig,
} from './module-options';
export type { PaymentAuth, MultiTenantPaymentAuth } from 'axios-payment-auth';
