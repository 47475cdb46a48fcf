import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { createCredentialSource, keySecrets } from '../../src/token/credential-source';
import { prepareSigningKey, signAssertion, UnusableKeyError } from '../../src/token/client-assertion';

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('signing keys: what is refused, and how', () => {
  it('refuses an OKP JWK on a curve other than Ed25519 (X25519) as a type it does not sign with', async () => {
    const { privateKey } = generateKeyPairSync('x25519');
    const jwk = privateKey.export({ format: 'jwk' });
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'X25519' });
    const error = await failure(prepareSigningKey({ clientId: 'c', privateKey: jwk } as never));
    expect(error).toBeInstanceOf(UnusableKeyError);
    expect(error.message).toBe(
      'the JWK (kty "OKP") is of a type this package does not sign with: RSA (2048 bits or more), EC P-256, P-384 or P-521, or Ed25519',
    );
  });

  it("names its errors 'UnusableKeyError', so a log line says what kind of failure it is", async () => {
    const error = await failure(prepareSigningKey({ clientId: 'c', privateKey: 'not a key' } as never));
    expect(error.name).toBe('UnusableKeyError');
    expect(String(error)).toBe(
      'UnusableKeyError: the PEM private key could not be read (is it a private key, unencrypted?)',
    );
  });

  it("accepts a JWK made for alg 'Ed25519' (the fully-specified name) and signs with it", async () => {
    const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg: 'Ed25519' };
    const key = await prepareSigningKey({ clientId: 'c', privateKey: jwk } as never);
    expect(key.alg).toBe('Ed25519');
    const jwt = await signAssertion(key, { iss: 'c', sub: 'c', aud: 'a', jti: 'j', iat: 1, exp: 2 });
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'Ed25519', typ: 'JWT' });
  });

  it('lists every algorithm it signs with when a JWK names another one', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256K' };
    const error = await failure(prepareSigningKey({ clientId: 'c', privateKey: jwk } as never));
    expect(error.message).toBe(
      'the JWK is for "ES256K", not one of RS256, PS256, ES256, ES384, ES512, EdDSA, Ed25519: set algorithm to sign with another',
    );
  });
});

describe('the text forms of a private key that errors and logs are cleaned of', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

  it('holds only non-empty texts of the key: no PEM marker line, no blank or short line, nothing but strings', () => {
    const secrets = keySecrets(pem);
    expect(secrets.every((s) => typeof s === 'string' && s.length >= 16)).toBe(true);
    expect(secrets).not.toContain('-----BEGIN PRIVATE KEY-----');
    expect(secrets).not.toContain('-----END PRIVATE KEY-----');
    // The EC key's JWK form has only "d" of the private members.
    expect(secrets).toContain((privateKey.export({ format: 'jwk' }) as { d: string }).d);
  });

  it('holds only the string members of an EC JWK (it has "d", no RSA primes)', () => {
    const jwk = privateKey.export({ format: 'jwk' });
    const secrets = keySecrets(jwk);
    expect(secrets).toContain(jwk.d);
    expect(secrets.every((s) => typeof s === 'string')).toBe(true);
  });

  it('learns the key a credentials provider returns, once it has been fetched', async () => {
    const source = createCredentialSource(
      async () => ({ clientId: 'client-1', privateKey: pem }),
      undefined,
      'private_key_jwt',
    );
    expect(source.knownSecrets()).toEqual([]);
    await source.get();
    expect(source.knownSecrets()).toContain(pem.trim());
    expect(source.knownSecrets()).toContain(pem.split('\n')[1]);
  });
});
