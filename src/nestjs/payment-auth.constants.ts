/** Injection token of the `PaymentAuth` handle (`getAccessToken`, `invalidate`, `detach`). */
export const PAYMENT_AUTH = 'PAYMENT_AUTH';
/** Injection token of the module's resolved options. */
export const PAYMENT_AUTH_MODULE_OPTIONS = 'PAYMENT_AUTH_MODULE_OPTIONS';
/** Injection token of the module's own axios instance (the one behind its `HttpService`). */
export const PAYMENT_AUTH_AXIOS_INSTANCE = 'PAYMENT_AUTH_AXIOS_INSTANCE';
