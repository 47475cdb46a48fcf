import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { sameCredentials, sameKey } from '../../src/token/credentials';

// Credentials rejected twice are held back until a pause has passed, unless the provider returns
// other ones (a rotated secret or key is sent at once): "the same credentials" must mean the same
// secret, the same key, the same signer, and nothing looser or stricter.

const pem = (): string =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

describe('sameKey', () => {
  const { privateKey: keyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = keyObject.export({ format: 'jwk' }) as Record<string, unknown>;
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  it('is the same for one object, one PEM text, a JWK with the same d, and KeyObjects that are equal', () => {
    expect(sameKey(keyObject, keyObject)).toBe(true);
    const text = pem();
    expect(sameKey(text, `${text}`)).toBe(true);
    expect(sameKey(jwk, { ...jwk })).toBe(true);
    expect(sameKey({ kty: 'EC', d: 'dd' }, { kty: 'EC', d: 'dd', x: 'another field' })).toBe(true);
    const again = keyObject.export({ type: 'pkcs8', format: 'der' });
    const copy = createPrivateKey({ key: again, format: 'der', type: 'pkcs8' });
    expect(copy).not.toBe(keyObject);
    expect(sameKey(keyObject, copy)).toBe(true);
    expect(sameKey(undefined, undefined)).toBe(true);
  });

  it('is another for another PEM, another d, a JWK without d, another KeyObject, or one key and nothing', () => {
    expect(sameKey(pem(), pem())).toBe(false);
    expect(sameKey({ kty: 'EC', d: 'dd' }, { kty: 'EC', d: 'de' })).toBe(false);
    expect(sameKey({ kty: 'EC', x: 'x' }, { kty: 'EC', x: 'x' })).toBe(false);
    expect(sameKey({ kty: 'EC', d: 1 }, { kty: 'EC', d: 1 })).toBe(false);
    expect(sameKey({ kty: 'EC', d: 'dd' }, 'dd')).toBe(false);
    expect(sameKey('dd', { kty: 'EC', d: 'dd' })).toBe(false);
    expect(sameKey(keyObject, other)).toBe(false);
    expect(sameKey(keyObject, jwk)).toBe(false);
    expect(sameKey(jwk, null)).toBe(false);
    expect(sameKey(null, jwk)).toBe(false);
    expect(sameKey(jwk, undefined)).toBe(false);
  });

  it('is another when comparing throws, or answers anything but true', () => {
    const throwing = {
      equals: () => {
        throw new Error('not comparable');
      },
    };
    expect(sameKey(throwing, {})).toBe(false);
    // A key whose comparison throws is not compared by its d instead.
    expect(sameKey({ ...throwing, d: 'dd' }, { d: 'dd' })).toBe(false);
    expect(sameKey({ equals: () => 'yes' }, {})).toBe(false);
    expect(sameKey({ equals: () => true }, {})).toBe(true);
    // `equals` is called on the first key, with the second.
    const seen: unknown[] = [];
    const first = {
      equals(this: unknown, other: unknown) {
        seen.push(this, other);
        return true;
      },
    };
    const second = { kty: 'EC' };
    expect(sameKey(first, second)).toBe(true);
    expect(seen).toEqual([first, second]);
  });
});

describe('sameCredentials', () => {
  const signer = async (): Promise<string> => 'assertion';

  it('compares the id, the secret, the key and its id and algorithm, and the kind of signer', () => {
    expect(sameCredentials({ clientId: 'a', clientSecret: 's' }, { clientId: 'a', clientSecret: 's' })).toBe(true);
    expect(sameCredentials({ clientId: 'a', clientSecret: 's' }, { clientId: 'b', clientSecret: 's' })).toBe(false);
    expect(sameCredentials({ clientId: 'a', clientSecret: 's' }, { clientId: 'a', clientSecret: 't' })).toBe(false);
    const key = { kty: 'EC', d: 'dd' };
    expect(sameCredentials({ clientId: 'a', privateKey: key }, { clientId: 'a', privateKey: { ...key } })).toBe(true);
    expect(
      sameCredentials({ clientId: 'a', privateKey: key }, { clientId: 'a', privateKey: { kty: 'EC', d: 'x' } }),
    ).toBe(false);
    expect(
      sameCredentials({ clientId: 'a', privateKey: key, keyId: 'k1' }, { clientId: 'a', privateKey: key, keyId: 'k2' }),
    ).toBe(false);
    expect(
      sameCredentials(
        { clientId: 'a', privateKey: key, algorithm: 'ES256' },
        { clientId: 'a', privateKey: key, algorithm: 'ES384' },
      ),
    ).toBe(false);
    // A signer rotates its keys on its side: a new closure is the same signer.
    expect(
      sameCredentials({ clientId: 'a', clientAssertion: signer }, { clientId: 'a', clientAssertion: async () => 'x' }),
    ).toBe(true);
    expect(sameCredentials({ clientId: 'a', clientAssertion: signer }, { clientId: 'a', privateKey: key })).toBe(false);
    expect(sameCredentials({ clientId: 'a', clientAssertion: signer }, { clientId: 'a' } as never)).toBe(false);
    expect(sameCredentials({ clientId: 'a' }, { clientId: 'a' })).toBe(true);
  });
});
