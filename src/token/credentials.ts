/** A confidential client's credentials (RFC 6749 §2.3.1). */
export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Where the client credentials come from:
 * - an object `{ clientId, clientSecret }`;
 * - a function returning one (sync or async): called for each token acquisition, so a secrets
 *   manager or a rotation is picked up without re-attaching;
 * - omitted: `PAYMENT_CLIENT_ID` and `PAYMENT_CLIENT_SECRET` from the environment, read at attach.
 */
export type CredentialsInput = Credentials | (() => Credentials | Promise<Credentials>);

/** The names of the environment variables read when no credentials are given. */
export const CREDENTIAL_ENV = { clientId: 'PAYMENT_CLIENT_ID', clientSecret: 'PAYMENT_CLIENT_SECRET' } as const;
