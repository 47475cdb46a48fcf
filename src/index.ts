export { attachPaymentAuth, attachMultiTenantPaymentAuth } from './attach';
export type { PaymentAuth, PaymentAuthStatus, MultiTenantPaymentAuth, TenantCacheStatus } from './attach';
export type { MultiTenantPaymentAuthOptions, TenantCredentials } from './token/tenant-options';
export type { PaymentAuthCounts, LastAuthError } from './observability/reporter';
export type {
  BreakerState,
  PaymentAuthTelemetry,
  TokenCallInfo,
  TokenCallResult,
  TokenOutcome,
} from './observability/telemetry';
export type { BreakerStatus } from './token/breaker';
export type { BreakerOptions } from './options/breaker-options';
export { PaymentAuthError, isPaymentAuthError } from './errors/payment-auth-error';
export type { PaymentAuthErrorCode, PaymentAuthErrorInit } from './errors/payment-auth-error';
export type {
  PaymentAuthOptions,
  ClientAuthMethod,
  TokenRequestFormat,
  TlsClientOptions,
  DpopAlgorithm,
  DpopKeyOptions,
} from './options/options';
export type { PaymentAuthLogger, TokenEvent } from './observability/hooks';
export type {
  Credentials,
  CredentialsInput,
  ClientSecretCredentials,
  PrivateKeyJwtCredentials,
  ClientAssertionCredentials,
  ClientAssertionClaims,
  TlsClientCredentials,
  AssertionAlgorithm,
  PrivateKeyInput,
} from './token/credentials';
export type { PaymentAuthRequestState } from './request/request-state';
export { parsePaymentError, isPaymentApiError } from './errors/payment-api-error';
export type { PaymentErrorInfo, PaymentApiError } from './errors/payment-api-error';
export type { RetryOptions, RetryEvent } from './options/retry-options';
export type { IdempotencyOptions } from './options/idempotency-options';
export { MemoryTokenStore } from './store/memory-store';
export type { MemoryTokenStoreOptions } from './store/memory-store';
export type { TokenStore, StoredToken } from './store/token-store';
