/**
 * Per-request state of axios-payment-auth. It lives under one string key of the axios config and
 * holds plain values only: axios `mergeConfig` copies it to the config of a replay or a retry
 * (older axios versions drop Symbol keys). It never holds a token.
 */
export interface PaymentAuthRequestState {
  /**
   * The tenant whose credentials authorize this request, on an attachment made with
   * `attachMultiTenantPaymentAuth` (required there for every request that gets a token, refused
   * anywhere else). Kept across retries and the 401 replay.
   */
  tenant?: string;
  /** Generation of the token the request was sent with. */
  generation?: number;
  /** Set once the request was replayed after a 401; a second 401 goes back to the caller. */
  replayed?: boolean;
  /** With DPoP: the server nonce the last proof carried (nonces are not secret). */
  dpopNonce?: string;
  /** With DPoP: the version of the nonces when the last proof was made (an answer to it is no newer). */
  dpopNonceVersion?: number;
  /** With DPoP: set once the request was sent again with a nonce the API asked for; never twice. */
  nonceRetried?: boolean;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /**
     * `false` sends this request without the bearer token and without 401 handling.
     * `{ tenant: 'merchant_42' }` names the tenant whose token the request carries, on an
     * attachment made with `attachMultiTenantPaymentAuth`. The other fields are set by
     * axios-payment-auth itself; leave them alone.
     * @default undefined
     */
    paymentAuth?: false | PaymentAuthRequestState;
  }
}
