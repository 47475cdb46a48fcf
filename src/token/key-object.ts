import type { AssertionAlgorithm } from './credentials';

/** A Node `KeyObject` (Bun's, Deno's), as far as this package reads one. */
export interface NodeKeyObject {
  type?: unknown;
  asymmetricKeyType?: unknown;
  asymmetricKeyDetails?: { namedCurve?: unknown };
  export(options: object): unknown;
}

/** The curves this package signs with, by the names Node gives them in `asymmetricKeyDetails`. */
const CURVES: Record<string, AssertionAlgorithm> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** Key types whose JWK form Node writes with no fixed-size field, or refuses cleanly (RSA-PSS on older Node). */
const VARIABLE_SIZE_TYPES: readonly unknown[] = ['rsa', 'rsa-pss', 'ed25519'];

/**
 * The algorithm a `KeyObject` calls for, from its type and details alone: RSA → RS256, RSA-PSS →
 * PS256, P-256 → ES256, P-384 → ES384, P-521 → ES512, Ed25519 → EdDSA. Nothing is exported.
 */
export function algorithmOfKeyObject(key: NodeKeyObject): AssertionAlgorithm | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'rsa-pss':
      return 'PS256';
    case 'ed25519':
      return 'EdDSA';
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return typeof curve === 'string' ? CURVES[curve] : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * What keeps a private `KeyObject` from being used or read in its JWK form, or undefined. Node
 * takes a JWK whose `d` is longer than its curve (a few bytes added), but its JWK export of that
 * key fails a native assertion and aborts the process, where no `try` can catch it; `jose` makes
 * that export to sign with a `KeyObject` on Node before 22.10. Its PKCS#8 export refuses the same
 * key with a plain error, so a key is only read as a JWK once that export went through, and only
 * when it is of a type this package signs with (Node writes an EC `d` at the curve's size: a
 * curve whose order is longer than its field could still abort).
 */
export function keyObjectProblem(key: NodeKeyObject): string | undefined {
  if (key.type !== 'private') return 'is not a private key';
  const type = key.asymmetricKeyType;
  if (!VARIABLE_SIZE_TYPES.includes(type) && !(type === 'ec' && algorithmOfKeyObject(key)))
    return 'is of a type this package does not sign with: RSA (2048 bits or more), EC P-256, P-384 or P-521, or Ed25519';
  try {
    key.export({ format: 'der', type: 'pkcs8' });
  } catch {
    return 'is inconsistent: its private part does not fit its key type (a JWK "d" longer than its curve?)';
  }
  return undefined;
}
