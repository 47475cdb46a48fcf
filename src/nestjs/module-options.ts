import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency, Provider, Type } from '@nestjs/common';
import type { AxiosRequestConfig } from 'axios';
import type { CredentialsInput, PaymentAuthOptions } from 'axios-payment-auth';

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
export interface PaymentAuthModuleOptions extends PaymentAuthOptions, PaymentAuthAxiosConfig {
  /** The Payment API (`https://host` or `https://host/api/v1`). */
  baseURL: string;
  /**
   * `{ clientId, clientSecret }`, a function returning them, or omitted for
   * `PAYMENT_CLIENT_ID` / `PAYMENT_CLIENT_SECRET`.
   */
  credentials?: CredentialsInput;
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
  attach: PaymentAuthOptions;
} {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('PaymentAuthModule: options must be an object');
  if (typeof options.baseURL !== 'string' || options.baseURL === '')
    throw new TypeError('PaymentAuthModule: baseURL is required');
  const { baseURL, credentials, ...rest } = options;
  const axiosConfig: AxiosRequestConfig = { baseURL };
  const attach: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) {
    if (AXIOS_KEYS.includes(key)) (axiosConfig as Record<string, unknown>)[key] = value;
    else attach[key] = value;
  }
  return { axiosConfig, credentials, attach: attach as PaymentAuthOptions };
}
