import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Provider, Type } from '@nestjs/common';
import type { AxiosRequestConfig } from 'axios';
import type {
  CredentialsInput,
  MultiTenantPaymentAuthOptions,
  PaymentAuthOptions,
  TenantCredentials,
} from 'axios-payment-auth';

/** axios settings of the module's own instance. */
export type PaymentAuthAxiosConfig = Pick<
  AxiosRequestConfig,
  | 'timeout'
  | 'headers'
  | 'httpAgent'
  | 'httpsAgent'
  | 'proxy'
  | 'maxRedirects'
  | 'maxContentLength'
  | 'maxBodyLength'
  | 'decompress'
  | 'paramsSerializer'
  | 'validateStatus'
  | 'adapter'
>;

/** The axios keys, kept complete by the compiler: each key of PaymentAuthAxiosConfig, and only those. */
const AXIOS_KEY_REGISTRY: { [K in keyof PaymentAuthAxiosConfig]-?: true } = {
  timeout: true,
  headers: true,
  httpAgent: true,
  httpsAgent: true,
  proxy: true,
  maxRedirects: true,
  maxContentLength: true,
  maxBodyLength: true,
  decompress: true,
  paramsSerializer: true,
  validateStatus: true,
  adapter: true,
};
const AXIOS_KEYS: readonly string[] = Object.keys(AXIOS_KEY_REGISTRY);

/**
 * Options of {@link PaymentAuthModule}: the API's `baseURL`, the credentials, any
 * `attachPaymentAuth` option, and axios settings of the module's own instance.
 */
export interface PaymentAuthModuleOptions
  extends
    PaymentAuthOptions,
    Pick<MultiTenantPaymentAuthOptions, 'maxTenants' | 'telemetryTenant'>,
    PaymentAuthAxiosConfig {
  /** The Payment API (`https://host` or `https://host/api/v1`). */
  baseURL: string;
  /**
   * `{ clientId, clientSecret }`, a function returning them, or omitted for
   * `PAYMENT_CLIENT_ID` / `PAYMENT_CLIENT_SECRET`.
   */
  credentials?: CredentialsInput;
  /**
   * Credentials per tenant, `(tenant) => credentials`: the module then attaches with
   * `attachMultiTenantPaymentAuth` (with `maxTenants` and `telemetryTenant`), `PAYMENT_AUTH` is a
   * `MultiTenantPaymentAuth`, and every request names its tenant (`{ paymentAuth: { tenant } }`);
   * docs/tenants.md shows a REQUEST-scoped provider that takes it from the request. Not with `credentials`.
   */
  tenantCredentials?: TenantCredentials;
}

/** Implemented by a class given to `registerAsync({ useClass })` or `useExisting`. */
export interface PaymentAuthOptionsFactory {
  createPaymentAuthOptions(): Promise<PaymentAuthModuleOptions> | PaymentAuthModuleOptions;
}

/** Options of `PaymentAuthModule.registerAsync`, as `HttpModule.registerAsync` takes them. */
export interface PaymentAuthModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory?: (...args: never[]) => Promise<PaymentAuthModuleOptions> | PaymentAuthModuleOptions;
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useClass?: Type<PaymentAuthOptionsFactory>;
  useExisting?: Type<PaymentAuthOptionsFactory>;
  /** More providers for the module (e.g. what `useClass` needs). */
  extraProviders?: Provider[];
}

/** Splits module options into the axios config, the credentials and the attach options. */
export function splitModuleOptions(options: PaymentAuthModuleOptions): {
  axiosConfig: AxiosRequestConfig;
  credentials: CredentialsInput | undefined;
  tenantCredentials: TenantCredentials | undefined;
  attach: PaymentAuthOptions;
} {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('PaymentAuthModule: options must be an object');
  if (typeof options.baseURL !== 'string' || options.baseURL === '')
    throw new TypeError('PaymentAuthModule: baseURL is required');
  const { baseURL, credentials, tenantCredentials, ...rest } = options;
  if (tenantCredentials !== undefined && credentials !== undefined)
    throw new TypeError(
      'PaymentAuthModule: give credentials (one set) or tenantCredentials ((tenant) => credentials), not both',
    );
  const axiosConfig: AxiosRequestConfig = { baseURL };
  const attach: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (AXIOS_KEYS.includes(key)) (axiosConfig as Record<string, unknown>)[key] = value;
    else attach[key] = value;
  }
  return { axiosConfig, credentials, tenantCredentials, attach: attach as PaymentAuthOptions };
}
