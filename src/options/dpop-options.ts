import { isCryptoKeyPair, isOptionsObject, ownOptions, shown, toStringTag, shownNames } from '../util/objects';

/** JWS algorithms a DPoP proof may be signed with (asymmetric only, RFC 9449 §4.2). */
export type DpopAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'PS256' | 'EdDSA' | 'Ed25519';

const DPOP_ALGORITHMS: readonly DpopAlgorithm[] = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA', 'Ed25519'];

/**
 * The key pair of DPoP proofs (RFC 9449), when the caller holds it. Every process that shares a
 * token store should hold the same key to share its tokens (docs/dpop.md).
 */
export interface DpopKeyOptions {
  /**
   * The private key: a private JWK (an object with `d`), a PEM string (PKCS#8; on Node also
   * PKCS#1 and SEC1), a Node `KeyObject`, or a Web Crypto `CryptoKeyPair` (`{ privateKey,
   * publicKey }`; a lone `CryptoKey` must be extractable, for its public half). Read by the
   * runtime's crypto and panva's `jose`, never by hand, and never quoted.
   */
  privateKey: string | object;
  /**
   * The signing algorithm.
   * @default follows the key: P-256 → ES256, P-384 → ES384, P-521 → ES512, RSA → RS256
   *   (RSA-PSS → PS256), Ed25519 → EdDSA; a JWK's own `alg` first
   */
  algorithm?: DpopAlgorithm;
}

/** The DPoP setup after validation: a key of the caller's, or none (one is generated: ES256). */
export interface DpopPolicy {
  key: DpopKeyOptions | undefined;
}

function fail(message: string): never {
  throw new TypeError(`attachPaymentAuth: ${message}`);
}

/** Validates `dpop`: `true`, `false`, or `{ privateKey, algorithm? }`. Never quotes key material. */
export function normalizeDpop(value: unknown): DpopPolicy | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { key: undefined };
  if (!isOptionsObject(value)) fail(`dpop must be true, false or { privateKey, algorithm? }, got ${shown(value)}`);
  const given = ownOptions(value);
  const unknown = Object.keys(given).filter((k) => k !== 'privateKey' && k !== 'algorithm');
  if (unknown.length) fail(`unknown dpop option${unknown.length > 1 ? 's' : ''} ${shownNames(unknown)}`);
  const key = given.privateKey;
  if (typeof key === 'string') {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) fail('dpop.privateKey is a string but not a PEM private key');
  } else if (!isOptionsObject(key)) {
    fail(
      `dpop.privateKey must be a private JWK, a PEM string, a KeyObject or a CryptoKeyPair, got ${key === null ? 'null' : typeof key}`,
    );
  } else if (!isCryptoKeyPair(key) && toStringTag(key) !== 'CryptoKey' && toStringTag(key) !== 'KeyObject') {
    const jwk = key as Record<string, unknown>;
    if (typeof jwk.kty !== 'string' || typeof jwk.d !== 'string')
      fail('dpop.privateKey must be a private JWK (with "kty" and "d"), a PEM string, a KeyObject or a CryptoKeyPair');
  }
  const algorithm = given.algorithm;
  if (algorithm !== undefined && !(DPOP_ALGORITHMS as readonly unknown[]).includes(algorithm))
    fail(`dpop.algorithm must be one of ${DPOP_ALGORITHMS.join(', ')}, got ${shown(algorithm)}`);
  return { key: { privateKey: key as string | object, algorithm: algorithm as DpopAlgorithm | undefined } };
}
