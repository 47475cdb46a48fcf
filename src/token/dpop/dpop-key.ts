import { isCryptoKeyPair, toStringTag } from '../../util/objects';
import type { CryptoKey, JWK } from 'jose';
import type { DpopKeyOptions, DpopPolicy } from '../../options/dpop-options';
import { builtinModule } from '../../util/runtime';
import { prepareSigningKey, UnusableKeyError, type SigningKey } from '../client-assertion';
import { loadJose, type Jose } from '../../util/jose';

/** The key of DPoP proofs: what signs, the public JWK each proof carries, and its thumbprint. */
export interface DpopKey {
  signing: SigningKey;
  publicJwk: JWK;
  /** RFC 7638 SHA-256 thumbprint of {@link publicJwk}: the `cnf.jkt` of the tokens bound to it. */
  thumbprint: string;
}

/** The public members of each key type (RFC 7518 §6.2.1, §6.3.1; RFC 8037 §2): nothing else is copied. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  EC: ['kty', 'crv', 'x', 'y'],
  RSA: ['kty', 'n', 'e'],
  OKP: ['kty', 'crv', 'x'],
};

function publicJwkOf(jwk: Record<string, unknown>): JWK {
  const members = typeof jwk.kty === 'string' ? PUBLIC_MEMBERS[jwk.kty] : undefined;
  if (!members) throw new UnusableKeyError('the key is not an EC, RSA or OKP key');
  const out: Record<string, unknown> = {};
  for (const member of members) {
    // An empty member (an RSA key with a zero exponent exports `e: ""`) is no member.
    if (typeof jwk[member] !== 'string' || jwk[member] === '')
      throw new UnusableKeyError(`the key's public part has no "${member}"`);
    out[member] = jwk[member];
  }
  return out as JWK;
}

interface NodePublicKey {
  export(options: { format: 'jwk' }): Record<string, unknown>;
}
const nodeCrypto = () => builtinModule<{ createPublicKey(key: unknown): NodePublicKey }>('node:crypto');

/** The public JWK of a private key input (PEM, KeyObject, JWK, extractable CryptoKey), by the runtime's crypto. */
async function publicJwkOfInput(input: string | object): Promise<JWK> {
  if (typeof input === 'string' || toStringTag(input) === 'KeyObject') {
    const crypto = nodeCrypto();
    if (!crypto)
      throw new UnusableKeyError(
        'a PEM key needs node:crypto for its public part on this runtime: give the DPoP key as a private JWK or a CryptoKeyPair',
      );
    try {
      return publicJwkOf(crypto.createPublicKey(input).export({ format: 'jwk' }));
    } catch (error) {
      if (error instanceof UnusableKeyError) throw error;
      throw new UnusableKeyError('the public part of the key could not be read');
    }
  }
  if (toStringTag(input) === 'CryptoKey') {
    const key = input as CryptoKey;
    if (!key.extractable)
      throw new UnusableKeyError(
        'a non-extractable CryptoKey has no readable public part: pass the CryptoKeyPair ({ privateKey, publicKey })',
      );
    const { exportJWK } = await loadJose();
    return publicJwkOf((await exportJWK(key)) as Record<string, unknown>);
  }
  return publicJwkOf(input as Record<string, unknown>);
}

/** The size in bits of an RSA modulus (big-endian bytes, leading zeros not counted). */
export function modulusBits(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i += 1;
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + Math.floor(Math.log2(bytes[i]!)) + 1;
}

/**
 * Reads the caller's DPoP key, or generates one (ES256, its private half not extractable). Errors
 * are {@link UnusableKeyError}s that say what is wrong with the key, never what it holds.
 */
export async function prepareDpopKey(policy: DpopPolicy): Promise<DpopKey> {
  const jose = await loadJose();
  if (!policy.key) {
    const pair = await jose.generateKeyPair('ES256');
    const publicJwk = publicJwkOf((await jose.exportJWK(pair.publicKey)) as Record<string, unknown>);
    return {
      signing: { key: pair.privateKey, alg: 'ES256', kid: undefined },
      publicJwk,
      thumbprint: await jose.calculateJwkThumbprint(publicJwk, 'sha256'),
    };
  }
  try {
    return await readDpopKey(jose, policy.key);
  } catch (error) {
    // jose refusing the caller's key (JWKInvalid, a key it cannot export) is the key's fault, not an outage.
    if (error instanceof UnusableKeyError) throw error;
    throw new UnusableKeyError('the key could not be read (is its public part complete and valid?)');
  }
}

/** The caller's DPoP key, read and checked. */
async function readDpopKey(jose: Jose, key: DpopKeyOptions): Promise<DpopKey> {
  const { privateKey, algorithm } = key;
  const pair = isCryptoKeyPair(privateKey)
    ? (privateKey as { privateKey: CryptoKey; publicKey: CryptoKey })
    : undefined;
  const signing = await prepareSigningKey({ clientId: '', privateKey: pair?.privateKey ?? privateKey, algorithm });
  const publicJwk = pair
    ? publicJwkOf((await jose.exportJWK(pair.publicKey)) as Record<string, unknown>)
    : await publicJwkOfInput(privateKey);
  if (publicJwk.kty === 'OKP' && publicJwk.crv !== 'Ed25519')
    throw new UnusableKeyError('an OKP key must be Ed25519 to sign DPoP proofs');
  // RFC 7518 §3.3, §3.5: RSA keys of 2048 bits or more.
  if (publicJwk.kty === 'RSA' && modulusBits(jose.base64url.decode(publicJwk.n ?? '')) < 2048)
    throw new UnusableKeyError('the RSA key is shorter than 2048 bits');
  return {
    // A proof's header names no key id: the key itself is in it (RFC 9449 §4.2).
    signing: { ...signing, kid: undefined },
    publicJwk,
    thumbprint: await jose.calculateJwkThumbprint(publicJwk, 'sha256'),
  };
}
