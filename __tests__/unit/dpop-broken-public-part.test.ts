import { generateKeyPairSync, KeyObject, webcrypto } from 'node:crypto';
import { DpopProofs } from '../../src/token/dpop/dpop-proofs';
import { ServerClock } from '../../src/token/server-clock';
import { isPaymentAuthError } from '../../src/errors/payment-auth-error';

const rsaJwk = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<string, string>;

/** A KeyObject whose public exponent is zero: Web Crypto takes `e: ""`, and Node exports it back so. */
async function zeroExponentKeyObject(): Promise<KeyObject> {
  const key = await webcrypto.subtle.importKey(
    'jwk',
    { ...rsaJwk(), e: '' },
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    true,
    ['sign'],
  );
  return KeyObject.from(key);
}

describe('a DPoP key whose public part is broken', () => {
  it.each([
    ['an RSA private JWK with an empty "e"', async () => ({ ...rsaJwk(), e: '' })],
    ['a KeyObject with a zero exponent', zeroExponentKeyObject],
  ])('%s is an unusable key (CREDENTIALS_MISSING), not an outage of the token endpoint', async (_name, make) => {
    const privateKey = await make();
    const proofs = new DpopProofs({ key: { privateKey } }, new ServerClock(() => Date.now(), undefined));
    const error = await proofs.proof('authorization', { method: 'post', url: new URL('https://a.test/token') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isPaymentAuthError(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'CREDENTIALS_MISSING',
      message: expect.stringMatching(/^DPoP proof could not be made: the key's public part has no "e"/),
    });
  });

  it('a CryptoKeyPair whose public key cannot be exported is an unusable key, not an outage', async () => {
    const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const publicKey = await webcrypto.subtle.importKey(
      'spki',
      await webcrypto.subtle.exportKey('spki', pair.publicKey),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
    const proofs = new DpopProofs(
      { key: { privateKey: { privateKey: pair.privateKey, publicKey } } },
      new ServerClock(() => Date.now(), undefined),
    );
    const error = await proofs.proof('authorization', { method: 'post', url: new URL('https://a.test/token') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'CREDENTIALS_MISSING',
      message: expect.stringMatching(/^DPoP proof could not be made: the key could not be read/),
    });
  });
});
