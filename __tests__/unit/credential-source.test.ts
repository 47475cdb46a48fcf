import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { isPaymentAuthError, PaymentAuthError } from '../../src';
import { createCredentialSource, keySecrets } from '../../src/token/credential-source';
import type { CredentialsInput } from '../../src/token/credentials';

// Credentials are checked at attach time (a TypeError naming the field, never its value) or, from a
// provider, at each call (a CREDENTIALS_MISSING error); what the source has seen of secrets and keys
// is what error and log text is cleaned of.

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;

/** The rejection of `promise`, or undefined when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the secrets a credential source knows of a PEM private key', () => {
  const source = createCredentialSource({ clientId: 'client-1', privateKey: pem }, undefined, 'private_key_jwt');
  const body = pem
    .split('\n')
    .filter((line) => line !== '' && !line.includes('-----'))
    .map((line) => line.trim());

  it('include the key body as one text, its line ends taken out', () => {
    expect(body.length).toBeGreaterThan(1);
    expect(source.knownSecrets()).toContain(body.join(''));
  });

  it('include each line of the key body on its own (a log may wrap the key where the PEM does)', () => {
    for (const line of body) expect(source.knownSecrets()).toContain(line);
  });

  it('include the private member d of the same key in JWK form', () => {
    const { d } = createPrivateKey(pem).export({ format: 'jwk' });
    expect(d).toEqual(expect.any(String));
    expect(source.knownSecrets()).toContain(d);
  });
});

describe('the secrets a credential source knows without a client secret or a key', () => {
  it('are none for the client id of a client certificate (tls_client_auth)', () => {
    const source = createCredentialSource({ clientId: 'client-1' }, undefined, 'tls_client_auth');
    expect(source.knownSecrets()).toEqual([]);
  });

  it('are none for a clientAssertion signer (the source never sees its key)', async () => {
    const source = createCredentialSource(
      () => ({ clientId: 'client-1', clientAssertion: async () => 'a.b.c' }),
      undefined,
      'private_key_jwt',
    );
    await source.get();
    expect(source.knownSecrets()).toEqual([]);
  });
});

describe('keySecrets', () => {
  it('finds nothing in null, undefined or a number: they are no key', () => {
    expect(keySecrets(null)).toEqual([]);
    expect(keySecrets(undefined)).toEqual([]);
    expect(keySecrets(42)).toEqual([]);
  });
});

describe('credentials given at attach time', () => {
  it('for private_key_jwt that are not an object: a TypeError naming the two shapes the method takes', () => {
    expect(() =>
      createCredentialSource('client-1:secret' as unknown as CredentialsInput, undefined, 'private_key_jwt'),
    ).toThrow(
      new TypeError(
        'attachPaymentAuth: credentials must be an object { clientId, privateKey } or { clientId, clientAssertion }, got string',
      ),
    );
  });

  it('with one field the method never sends: the message names it and says "remove it"', () => {
    expect(() =>
      createCredentialSource(
        { clientId: 'client-1', clientSecret: 'secret-1', keyId: 'kid-1' } as unknown as CredentialsInput,
        undefined,
        'client_secret_post',
      ),
    ).toThrow(
      new TypeError(
        'attachPaymentAuth: credentials for client_secret_post hold keyId, which client_secret_post never sends: remove it, or set clientAuthMethod to the method it is for',
      ),
    );
  });

  it('with two fields the method never sends: the message names both and says "remove them"', () => {
    expect(() =>
      createCredentialSource(
        {
          clientId: 'client-1',
          clientSecret: 'secret-1',
          keyId: 'kid-1',
          algorithm: 'ES256',
        } as unknown as CredentialsInput,
        undefined,
        'client_secret_basic',
      ),
    ).toThrow(
      new TypeError(
        'attachPaymentAuth: credentials for client_secret_basic hold keyId and algorithm, which client_secret_basic never sends: remove them, or set clientAuthMethod to the method they are for',
      ),
    );
  });

  it('for private_key_jwt with a clientAssertion and a clientSecret: a TypeError, the secret would never be sent', () => {
    expect(() =>
      createCredentialSource(
        {
          clientId: 'client-1',
          clientAssertion: async () => 'a.b.c',
          clientSecret: 'secret-1',
        } as unknown as CredentialsInput,
        undefined,
        'private_key_jwt',
      ),
    ).toThrow(
      new TypeError(
        'attachPaymentAuth: credentials for private_key_jwt hold clientSecret, which private_key_jwt never sends: remove it, or set clientAuthMethod to the method it is for',
      ),
    );
  });

  it('with a privateKey that is a number: a TypeError naming the type "number"', () => {
    expect(() =>
      createCredentialSource(
        { clientId: 'client-1', privateKey: 42 } as unknown as CredentialsInput,
        undefined,
        'private_key_jwt',
      ),
    ).toThrow(
      new TypeError(
        'attachPaymentAuth: privateKey must be a private JWK, a PEM string, a KeyObject or a CryptoKey, got number',
      ),
    );
  });

  it('with a privateKey that is null: a TypeError naming "null"', () => {
    expect(() =>
      createCredentialSource(
        { clientId: 'client-1', privateKey: null } as unknown as CredentialsInput,
        undefined,
        'private_key_jwt',
      ),
    ).toThrow(
      new TypeError(
        'attachPaymentAuth: privateKey must be a private JWK, a PEM string, a KeyObject or a CryptoKey, got null',
      ),
    );
  });

  it('with a client secret holding U+009F (the last C1 control character): a TypeError naming clientSecret', () => {
    expect(() => createCredentialSource({ clientId: 'client-1', clientSecret: 'secret\u009f' }, undefined)).toThrow(
      new TypeError('attachPaymentAuth: clientSecret holds a control character (a line end read from a file?)'),
    );
  });

  it('with a private key and no keyId or algorithm: passed on as clientId and privateKey alone', async () => {
    const source = createCredentialSource({ clientId: 'client-1', privateKey: pem }, undefined, 'private_key_jwt');
    const credentials = await source.get();
    expect(Object.keys(credentials).sort()).toEqual(['clientId', 'privateKey']);
    expect(credentials).toStrictEqual({ clientId: 'client-1', privateKey: pem });
  });
});

describe('no credentials given', () => {
  it('for private_key_jwt: a TypeError saying the environment holds no key', () => {
    expect(() =>
      createCredentialSource(
        undefined,
        { PAYMENT_CLIENT_ID: 'client-1', PAYMENT_CLIENT_SECRET: 'secret-1' },
        'private_key_jwt',
      ),
    ).toThrow(
      new TypeError(
        'attachPaymentAuth: private_key_jwt needs credentials { clientId, privateKey } or { clientId, clientAssertion }; the environment holds no key',
      ),
    );
  });
});

describe('a credentials provider', () => {
  it('that returns null: the call fails with CREDENTIALS_MISSING, "got null"', async () => {
    const source = createCredentialSource(
      () => null as unknown as { clientId: string; clientSecret: string },
      undefined,
    );
    const failure = await rejectionOf(source.get());
    expect(isPaymentAuthError(failure)).toBe(true);
    expect(failure).toBeInstanceOf(PaymentAuthError);
    expect((failure as PaymentAuthError).code).toBe('CREDENTIALS_MISSING');
    expect((failure as PaymentAuthError).message).toBe(
      'Credentials provider returned unusable credentials: credentials must be an object { clientId, clientSecret }, got null. return { clientId, clientSecret } with non-empty strings',
    );
  });

  it('for private_key_jwt that returns a string: the hint names the two shapes the method takes', async () => {
    const source = createCredentialSource(() => 'client-1' as never, undefined, 'private_key_jwt');
    const failure = await rejectionOf(source.get());
    expect((failure as PaymentAuthError).code).toBe('CREDENTIALS_MISSING');
    expect((failure as PaymentAuthError).hint).toBe(
      'return { clientId, privateKey } or { clientId, clientAssertion } with non-empty strings',
    );
  });
});
