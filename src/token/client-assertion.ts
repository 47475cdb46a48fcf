import { toStringTag } from '../util/objects';
import type { CryptoKey } from 'jose';
import { builtinModule } from '../util/runtime';
import { loadJose } from '../util/jose';
import type { AssertionAlgorithm, ClientAssertionClaims, PrivateKeyJwtCredentials } from './credentials';
import { algorithmOfKeyObject, keyObjectProblem, type NodeKeyObject } from './key-object';

/** The longest life of an assertion (RFC 7523 §3 asks for a short one; FAPI 2.0 for at most 60 s). */
export const ASSERTION_LIFETIME_S = 60;

/** `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2). */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A key ready to sign with, and what the assertion's header says of it. */
export interface SigningKey {
  key: CryptoKey | object;
  alg: AssertionAlgorithm;
  kid: string | undefined;
}

/** Thrown by {@link prepareSigningKey} with a message that never quotes key material. */
export class UnusableKeyError extends Error {
  override name = 'UnusableKeyError';
}

const ALGORITHMS: readonly AssertionAlgorithm[] = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
export function isAssertionAlgorithm(value: unknown): value is AssertionAlgorithm {
  return typeof value === 'string' && (ALGORITHMS as readonly string[]).includes(value);
}

const CURVES: Record<string, AssertionAlgorithm> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/** The algorithm a JWK's key type calls for, when the JWK does not name one. */
function algorithmOfJwk(jwk: { kty?: unknown; crv?: unknown; alg?: unknown }): AssertionAlgorithm | undefined {
  if (isAssertionAlgorithm(jwk.alg)) return jwk.alg;
  // The key was made for an algorithm this package does not sign with: never another one instead.
  if (typeof jwk.alg === 'string')
    throw new UnusableKeyError(
      `the JWK is for ${JSON.stringify(jwk.alg)}, not one of ${ALGORITHMS.join(', ')}: set algorithm to sign with another`,
    );
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC' && typeof jwk.crv === 'string') return CURVES[jwk.crv];
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** The algorithm a Web Crypto key was made for. */
function algorithmOfCryptoKey(key: CryptoKey): AssertionAlgorithm | undefined {
  const algorithm = key.algorithm as { name: string; namedCurve?: string; hash?: { name?: string } };
  if (algorithm.name === 'RSASSA-PKCS1-v1_5' && algorithm.hash?.name === 'SHA-256') return 'RS256';
  if (algorithm.name === 'RSA-PSS' && algorithm.hash?.name === 'SHA-256') return 'PS256';
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve) return CURVES[algorithm.namedCurve];
  if (algorithm.name === 'Ed25519') return 'EdDSA';
  return undefined;
}

/** Node's (and Bun's and Deno's) crypto module, where the runtime has one: PEM in every form it reads. */
const nodeCrypto = () => builtinModule<{ createPrivateKey(key: string): NodeKeyObject }>('node:crypto');

function chosen(
  explicit: AssertionAlgorithm | undefined,
  inferred: () => AssertionAlgorithm | undefined,
  what: string,
) {
  const alg = explicit ?? inferred();
  if (!alg)
    throw new UnusableKeyError(
      `${what} is of a type this package does not sign with: RSA (2048 bits or more), EC P-256, P-384 or P-521, or Ed25519`,
    );
  return alg;
}

/**
 * A KeyObject jose can sign with: a private key of a type this package signs with, whose JWK form
 * can be made (jose reads it so, see {@link keyObjectProblem}), and no RSA-PSS key (id-RSASSA-PSS)
 * where Node cannot hand one to jose (no JWK export, no toCryptoKey).
 */
function refuseUnusableKeyObject(key: NodeKeyObject & { toCryptoKey?: unknown }, what: string): void {
  if (key.type !== 'private') throw new UnusableKeyError(`${what} is not a private key`);
  if (key.asymmetricKeyType === 'rsa-pss' && typeof key.toCryptoKey !== 'function')
    throw new UnusableKeyError(
      "an RSA-PSS key (id-RSASSA-PSS) cannot be used on this Node (no JWK export, no toCryptoKey): use the same key as a plain RSA key ('BEGIN PRIVATE KEY' with rsaEncryption, or a JWK) with algorithm: 'PS256', a CryptoKey, or Node 22.10 or later",
    );
  const problem = keyObjectProblem(key);
  if (problem) throw new UnusableKeyError(`${what} ${problem}`);
}

/**
 * Turns `credentials.privateKey` into a key to sign with. PEM is read by the runtime's own crypto
 * where it has one (Node, Bun, Deno: PKCS#8, PKCS#1, SEC1), else by `jose` (PKCS#8); JWKs are
 * imported by `jose`; `KeyObject`s and `CryptoKey`s are used as they are. Errors say what is wrong
 * with the key, never what it holds.
 */
export async function prepareSigningKey(credentials: PrivateKeyJwtCredentials): Promise<SigningKey> {
  const { privateKey: input, algorithm, keyId } = credentials;
  const { importJWK, importPKCS8 } = await loadJose();
  if (typeof input === 'string') {
    const crypto = nodeCrypto();
    if (crypto) {
      let key: NodeKeyObject;
      try {
        key = crypto.createPrivateKey(input);
      } catch {
        throw new UnusableKeyError('the PEM private key could not be read (is it a private key, unencrypted?)');
      }
      refuseUnusableKeyObject(key, 'the PEM key');
      return { key, alg: chosen(algorithm, () => algorithmOfKeyObject(key), 'the PEM key'), kid: keyId };
    }
    for (const alg of algorithm ? [algorithm] : ALGORITHMS) {
      try {
        return { key: await importPKCS8(input, alg), alg, kid: keyId };
      } catch {
        // The next algorithm: jose reads PKCS#8 for one algorithm at a time.
      }
    }
    throw new UnusableKeyError('the PEM private key could not be read (PKCS#8 "BEGIN PRIVATE KEY" here)');
  }
  if (toStringTag(input) === 'CryptoKey') {
    const key = input as CryptoKey;
    if (key.type !== 'private') throw new UnusableKeyError('the CryptoKey is not a private key');
    return { key, alg: chosen(algorithm, () => algorithmOfCryptoKey(key), 'the CryptoKey'), kid: keyId };
  }
  if (toStringTag(input) === 'KeyObject') {
    const key = input as NodeKeyObject;
    // jose reads a KeyObject through its JWK form, or through toCryptoKey (Node 22.10 on).
    refuseUnusableKeyObject(key, 'the KeyObject');
    return { key, alg: chosen(algorithm, () => algorithmOfKeyObject(key), 'the KeyObject'), kid: keyId };
  }
  const jwk = input as { kty?: unknown; d?: unknown; kid?: unknown; crv?: unknown; alg?: unknown };
  if (typeof jwk.kty !== 'string' || typeof jwk.d !== 'string')
    throw new UnusableKeyError('privateKey must be a private JWK (with "d"), a PEM string, a KeyObject or a CryptoKey');
  const alg = chosen(algorithm, () => algorithmOfJwk(jwk), `the JWK (kty ${JSON.stringify(jwk.kty)})`);
  try {
    const key = (await importJWK({ ...(jwk as object), alg }, alg)) as CryptoKey;
    return { key, alg, kid: keyId ?? (typeof jwk.kid === 'string' ? jwk.kid : undefined) };
  } catch {
    throw new UnusableKeyError(`the JWK could not be imported for ${alg} (does its type fit the algorithm?)`);
  }
}

/** Signs one assertion. */
export async function signAssertion(key: SigningKey, claims: ClientAssertionClaims): Promise<string> {
  const { SignJWT } = await loadJose();
  try {
    return await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(key.kid === undefined ? {} : { kid: key.kid }) })
      .sign(key.key as CryptoKey);
  } catch {
    throw new UnusableKeyError(
      `the private key could not sign with ${key.alg} (does the key fit the algorithm? RSA keys need 2048 bits or more)`,
    );
  }
}

/** The claims of a new assertion, `nowMs` on the server's clock as far as it is known. */
export function assertionClaims(clientId: string, audience: string, nowMs: number): ClientAssertionClaims {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: clientId,
    sub: clientId,
    aud: audience,
    jti: crypto.randomUUID(),
    iat,
    exp: iat + ASSERTION_LIFETIME_S,
  };
}
