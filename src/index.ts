export { attachPaymentAuth } from './attach';
export type { PaymentAuth } from './attach';
export { PaymentAuthError, isPaymentAuthError } from './errors';
export type { PaymentAuthErrorCode, PaymentAuthErrorInit } from './errors';
export type { PaymentAuthOptions, PaymentAuthLogger, TokenEvent } from './options';
export type { CredentialsInput } from './credentials';
export type { Credentials, ClientAuthMethod, TokenRequestFormat } from './client-auth';
export type { PaymentAuthRequestState } from './request-state';
