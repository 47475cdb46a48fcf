import { toStringTag } from '../../util/objects';
import type { CryptoKey, JWK } from 'jose';
import { loadJose } from '../../util/jose';
import { UnusableKeyError, type SigningKey } from '../client-assertion';

/** Web Crypto's parameters for each JWS algorithm (RFC 7518 §3; RFC 8037 §3.1). */
function webCryptoAlgorithm(alg: SigningKey['alg']): Parameters<typeof crypto.subtle.sign>[0] {
  switch (alg) {
    case 'ES256':
      return { name: 'ECDSA', hash: 'SHA-256' };
    case 'ES384':
      return { name: 'ECDSA', hash: 'SHA-384' };
    case 'ES512':
      return { name: 'ECDSA', hash: 'SHA-512' };
    case 'RS256':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'PS256':
      return { name: 'RSA-PSS', saltLength: 32 };
    case 'EdDSA':
    case 'Ed25519':
      return { name: 'Ed25519' };
  }
}

/** A Node `KeyObject` as a Web Crypto key (jose reads its JWK form; Node 22.10+ converts it directly). */
async function asCryptoKey(signing: SigningKey): Promise<CryptoKey> {
  if (toStringTag(signing.key) !== 'KeyObject') return signing.key as CryptoKey;
  const keyObject = signing.key as { export(o: { format: 'jwk' }): JWK };
  const { importJWK } = await loadJose();
  try {
    return (await importJWK(keyObject.export({ format: 'jwk' }), signing.alg)) as CryptoKey;
  } catch {
    throw new UnusableKeyError(
      `the key could not be used with ${signing.alg} (does the key fit the algorithm? RSA keys need 2048 bits or more)`,
    );
  }
}

/**
 * Signs compact JWSs with one key and one protected header: the header is encoded once, and each
 * payload is signed by Web Crypto (the key was read by the runtime's crypto and `jose`). A proof is
 * made for every API request, so this is the request's hot path.
 */
export async function createJwsSigner(
  signing: SigningKey,
  header: Record<string, unknown>,
): Promise<(payload: Record<string, unknown>) => Promise<string>> {
  const { base64url } = await loadJose();
  const key = await asCryptoKey(signing);
  const algorithm = webCryptoAlgorithm(signing.alg);
  const encoder = new TextEncoder();
  const encodedHeader = base64url.encode(JSON.stringify({ ...header, alg: signing.alg }));
  return async (payload) => {
    const input = `${encodedHeader}.${base64url.encode(JSON.stringify(payload))}`;
    const signature = await crypto.subtle.sign(algorithm, key, encoder.encode(input));
    return `${input}.${base64url.encode(new Uint8Array(signature))}`;
  };
}
