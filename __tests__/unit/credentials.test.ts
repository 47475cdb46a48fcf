import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import axios from 'axios';
import { attachPaymentAuth } from '../../src';
import { isPaymentAuthError } from '../../src/errors/payment-auth-error';
import { prepareSigningKey } from '../../src/token/client-assertion';
import { createCredentialSource } from '../../src/token/credential-source';
import { sameCredentials, sameKey, type PrivateKeyJwtCredentials } from '../../src/token/credentials';

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

describe('credentials whose key throws when read', () => {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const secretText = `vault read failed for d=${jwk.d}`;
  const lazyJwk = () => ({
    ...jwk,
    get d(): string {
      throw new Error(secretText);
    },
  });
  const proxied = () =>
    new Proxy(jwk, {
      get() {
        throw new Error(secretText);
      },
    });
  const api = () => axios.create({ baseURL: 'https://api.example-pay.com/api/v1' });

  it.each([
    ['a JWK with a throwing getter', lazyJwk],
    ['a Proxy around a JWK', proxied],
  ])('given as %s: a TypeError at attach, without the getter’s text', (_what, key) => {
    let error: unknown;
    try {
      attachPaymentAuth(api(), { clientId: 'c', privateKey: key(), keyId: 'k1' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe(
      'attachPaymentAuth: the credentials could not be read: reading one of their fields threw',
    );
    expect(inspect(error, { depth: 10 })).not.toContain(jwk.d);
  });

  it.each([
    ['a JWK with a throwing getter', lazyJwk],
    ['a Proxy around a JWK', proxied],
  ])('from a provider, as %s: CREDENTIALS_MISSING (not an outage), without the getter’s text', async (_what, key) => {
    const source = createCredentialSource(
      async () => ({ clientId: 'c', privateKey: key() }),
      undefined,
      'private_key_jwt',
    );
    const failure = await source.get().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(isPaymentAuthError(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'CREDENTIALS_MISSING' });
    expect(inspect(failure, { depth: 10 })).not.toContain(jwk.d);
  });

  it('are read once: a JWK is copied at attach, and its getters never run again', async () => {
    let reads = 0;
    const counted = {
      ...jwk,
      get d(): string {
        reads += 1;
        return jwk.d!;
      },
    };
    const source = createCredentialSource({ clientId: 'c', privateKey: counted }, undefined, 'private_key_jwt');
    const credentials = (await source.get()) as PrivateKeyJwtCredentials;
    expect(reads).toBe(1);
    await prepareSigningKey(credentials);
    expect(source.knownSecrets()).toContain(jwk.d);
    expect(reads).toBe(1);
  });
});

describe('a clientId or clientSecret that is not well-formed UTF-16 (a lone surrogate)', () => {
  const api = () => axios.create({ baseURL: 'https://api.example-pay.com/api/v1' });
  const cut = 'pässwörd-🔑'.slice(0, -1); // cut inside the surrogate pair

  it.each([
    ['clientSecret', cut],
    ['clientSecret', 'abc\uD800def'],
    ['clientSecret', 'abc\uDC00def'],
    ['clientId', cut],
    ['clientId', '\uDFFFabc'],
  ])('is refused at attach: a TypeError naming %s, never quoting it', (field, value) => {
    const credentials = { clientId: 'c', clientSecret: 's3cret', [field]: value };
    expect(() => attachPaymentAuth(api(), credentials)).toThrow(
      new TypeError(`attachPaymentAuth: ${field} holds a lone surrogate (not well-formed UTF-16: a text cut in two?)`),
    );
  });

  it('is refused in a keyId too, and a whole surrogate pair is taken', () => {
    expect(() => attachPaymentAuth(api(), { clientId: 'c', clientSecret: 'pässwörd-🔑' })).not.toThrow();
    expect(() => attachPaymentAuth(api(), { clientId: 'c', privateKey: jwkOf(), keyId: 'k\uD83D' })).toThrow(
      /^attachPaymentAuth: keyId holds a lone surrogate/,
    );
  });

  it('from a provider: CREDENTIALS_MISSING (not an outage), never quoting it', async () => {
    for (const field of ['clientId', 'clientSecret']) {
      const source = createCredentialSource(
        async () => ({ clientId: 'c', clientSecret: 's3cret', [field]: cut }),
        undefined,
      );
      const failure = await source.get().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isPaymentAuthError(failure)).toBe(true);
      expect(failure).toMatchObject({ code: 'CREDENTIALS_MISSING' });
      expect((failure as Error).message).toMatch(
        `Credentials provider returned unusable credentials: ${field} holds a lone surrogate (not well-formed UTF-16: a text cut in two?)`,
      );
      expect(inspect(failure, { depth: 10 })).not.toContain('pässwörd');
    }
  });
});

function jwkOf(): Record<string, unknown> {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
}
