/** A confidential client's shared secret (RFC 6749 §2.3.1): `client_secret_basic` and `client_secret_post`. */
export interface ClientSecretCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * JWS algorithms a client assertion may be signed with. `EdDSA` and `Ed25519` both sign with an
 * Ed25519 key (RFC 8037 and its successor's fully specified name).
 */
export type AssertionAlgorithm = 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA' | 'Ed25519';

/**
 * A private key for `private_key_jwt`: a private JWK (an object with `d`), a PEM string (PKCS#8
 * `BEGIN PRIVATE KEY`; on Node also PKCS#1 and SEC1), a Node `KeyObject` or a Web Crypto
 * `CryptoKey`. Parsed by the runtime's crypto and panva's `jose`, never by hand.
 */
export type PrivateKeyInput = string | object;

/** `private_key_jwt` (RFC 7523 §2.2) with a key this process holds: the package signs each assertion. */
export interface PrivateKeyJwtCredentials {
  clientId: string;
  privateKey: PrivateKeyInput;
  /** The `kid` of the assertion's header: the id of the public key the server has for this client. @default the JWK's `kid`, else none */
  keyId?: string;
  /** The signing algorithm. @default follows the key: RSA → RS256 (RSA-PSS → PS256), P-256 → ES256, P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA; a JWK's own `alg` first */
  algorithm?: AssertionAlgorithm;
}

/**
 * The claims of a client assertion (RFC 7523 §3), as the package builds them for each token or
 * refresh call. Times are seconds since the epoch, on the server's clock as far as it is known.
 */
export interface ClientAssertionClaims {
  /** The client id. */
  iss: string;
  /** The client id. */
  sub: string;
  /** The authorization server's issuer identifier, or the token endpoint URL (see `assertionAudience`). */
  aud: string;
  /** Unique per assertion: an assertion is never sent twice, retries included. */
  jti: string;
  iat: number;
  /** `iat` + 60 s at most. */
  exp: number;
}

/**
 * `private_key_jwt` with the signature made elsewhere (a KMS, an HSM, a signing service): the
 * package builds the claims, `clientAssertion` returns the compact JWS. It is called for every
 * token and refresh call, retries included.
 */
export interface ClientAssertionCredentials {
  clientId: string;
  clientAssertion: (claims: ClientAssertionClaims) => string | Promise<string>;
}

/**
 * Mutual TLS client authentication (RFC 8705 §2): only the client id travels in the body; the
 * certificate (the `tls` option, or the instance's `httpsAgent`) proves who the client is.
 */
export interface TlsClientCredentials {
  clientId: string;
}

/** Credentials of any supported client authentication method. */
export type Credentials =
  ClientSecretCredentials | PrivateKeyJwtCredentials | ClientAssertionCredentials | TlsClientCredentials;

/**
 * Where the client credentials come from:
 * - an object (`{ clientId, clientSecret }`, `{ clientId, privateKey }`, `{ clientId, clientAssertion }`
 *   or, for mutual TLS, `{ clientId }`);
 * - a function returning one (sync or async): called for each token acquisition, so a secrets
 *   manager or a rotation is picked up without re-attaching;
 * - omitted: `PAYMENT_CLIENT_ID` and `PAYMENT_CLIENT_SECRET` from the environment, read at attach
 *   (with mutual TLS, `PAYMENT_CLIENT_ID` alone).
 */
export type CredentialsInput = Credentials | (() => Credentials | Promise<Credentials>);

/** The names of the environment variables read when no credentials are given. */
export const CREDENTIAL_ENV = { clientId: 'PAYMENT_CLIENT_ID', clientSecret: 'PAYMENT_CLIENT_SECRET' } as const;

/** Whether two private keys are the same key: the same object or PEM, a JWK with the same `d`, equal `KeyObject`s. */
export function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const equals = (a as { equals?: unknown }).equals;
  if (typeof equals === 'function') {
    try {
      return (equals as (other: unknown) => boolean).call(a, b) === true;
    } catch {
      return false;
    }
  }
  const d = (a as { d?: unknown }).d;
  return typeof d === 'string' && d === (b as { d?: unknown }).d;
}

/** Whether two credentials are the same (the same secret, the same key object, the same signer). */
export function sameCredentials(a: Credentials, b: Credentials): boolean {
  if (a.clientId !== b.clientId) return false;
  const x = a as Partial<ClientSecretCredentials & PrivateKeyJwtCredentials & ClientAssertionCredentials>;
  const y = b as typeof x;
  return (
    x.clientSecret === y.clientSecret &&
    sameKey(x.privateKey, y.privateKey) &&
    x.keyId === y.keyId &&
    x.algorithm === y.algorithm &&
    // A signer rotates its keys on its own side: a new closure from a provider is the same signer.
    typeof x.clientAssertion === typeof y.clientAssertion
  );
}
