import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { prepareSigningKey, UnusableKeyError } from '../../src/token/client-assertion';
import { createCredentialSource, keySecrets } from '../../src/token/credential-source';
import { prepareDpopKey } from '../../src/token/dpop/dpop-key';
import { algorithmOfKeyObject, keyObjectProblem } from '../../src/token/key-object';

// Node takes a private JWK whose "d" is longer than its curve, but its JWK export of that key fails
// a native assertion and aborts the process (no try/catch stops it). Here each JWK export of a key
// that would abort is caught by a spy instead, and recorded: the package must never make one.

const CURVES = ['P-256', 'P-384', 'P-521'] as const;

/** Private KeyObjects all share one prototype: the spy sees every export, the package's own included. */
const privatePrototype = Object.getPrototypeOf(generateKeyPairSync('ed25519').privateKey) as KeyObject;
const originalExport = privatePrototype.export as (this: KeyObject, options?: object) => unknown;
/** Whether Node's JWK export of `key` would abort: its PKCS#8 export refuses the same keys with an error. */
function wouldAbort(key: KeyObject): boolean {
  if (key.asymmetricKeyType !== 'ec') return false;
  try {
    originalExport.call(key, { format: 'der', type: 'pkcs8' });
    return false;
  } catch {
    return true;
  }
}

let aborting: number;
beforeEach(() => {
  aborting = 0;
  jest.spyOn(privatePrototype, 'export').mockImplementation(function (this: KeyObject, options?: object) {
    if ((options as { format?: string } | undefined)?.format === 'jwk' && wouldAbort(this)) {
      aborting += 1;
      throw new Error('this JWK export would have aborted the process');
    }
    return originalExport.call(this, options) as never;
  });
});
afterEach(() => jest.restoreAllMocks());

/**
 * The JWK with three bytes too many in "d", and the KeyObject Node 20 makes of it (whose JWK export
 * aborts); undefined where Node refuses such a JWK at import (Node 22 on), and nothing can abort.
 */
function badKey(curve: (typeof CURVES)[number]) {
  const jwk = generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ format: 'jwk' });
  const bad = { ...jwk, d: `${jwk.d}AAAA` };
  let keyObject: KeyObject | undefined;
  try {
    keyObject = createPrivateKey({ key: bad, format: 'jwk' });
  } catch {
    keyObject = undefined;
  }
  return { jwk: bad, keyObject };
}

describe.each(CURVES)('a %s private key whose "d" is longer than its curve', (curve) => {
  it('is taken by Node 20, whose JWK export of it would abort (the spy sees it), or refused by Node at import', () => {
    const { jwk, keyObject } = badKey(curve);
    if (keyObject) {
      expect(() => keyObject.export({ format: 'jwk' })).toThrow('would have aborted');
      expect(aborting).toBe(1);
    } else expect(() => createPrivateKey({ key: jwk, format: 'jwk' })).toThrow('Invalid JWK');
  });

  it('is never exported as a JWK to find the text to hide: what was given is hidden', () => {
    const { jwk, keyObject } = badKey(curve);
    expect(keySecrets(jwk)).toContain(jwk.d);
    if (keyObject) expect(keySecrets(keyObject)).toEqual([]);
    expect(aborting).toBe(0);
  });

  it('is refused before signing, as a JWK, a KeyObject or a DPoP key, never exported as a JWK', async () => {
    const { jwk, keyObject } = badKey(curve);
    await expect(prepareSigningKey({ clientId: 'c', privateKey: jwk })).rejects.toBeInstanceOf(UnusableKeyError);
    if (keyObject)
      await expect(prepareSigningKey({ clientId: 'c', privateKey: keyObject })).rejects.toThrow(
        new UnusableKeyError(
          'the KeyObject is inconsistent: its private part does not fit its key type (a JWK "d" longer than its curve?)',
        ),
      );
    for (const privateKey of keyObject ? [jwk, keyObject] : [jwk])
      await expect(prepareDpopKey({ key: { privateKey } })).rejects.toBeInstanceOf(UnusableKeyError);
    expect(aborting).toBe(0);
  });

  it('from a credentials provider: its text to hide is collected without a JWK export', async () => {
    const { jwk, keyObject } = badKey(curve);
    for (const privateKey of keyObject ? [jwk, keyObject] : [jwk]) {
      const source = createCredentialSource(async () => ({ clientId: 'c', privateKey }), undefined, 'private_key_jwt');
      await expect(source.get()).resolves.toMatchObject({ clientId: 'c' });
    }
    expect(aborting).toBe(0);
  });
});

describe('the algorithm of a KeyObject', () => {
  it('follows its type and curve, without exporting it', () => {
    const keys: [KeyObject, string | undefined][] = [
      [generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, 'ES256'],
      [generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'ES384'],
      [generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey, 'ES512'],
      [generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey, undefined],
      [generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, 'RS256'],
      [generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey, 'PS256'],
      [generateKeyPairSync('ed25519').privateKey, 'EdDSA'],
      [generateKeyPairSync('x25519').privateKey, undefined],
    ];
    const spy = jest.spyOn(privatePrototype, 'export');
    for (const [key, alg] of keys) expect(algorithmOfKeyObject(key)).toBe(alg);
    expect(spy).not.toHaveBeenCalled();
  });

  it('is read only from a private key of a type it signs with, whose PKCS#8 form can be made', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(keyObjectProblem(ec)).toBeUndefined();
    expect(keyObjectProblem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)).toBeUndefined();
    expect(keyObjectProblem(generateKeyPairSync('ed25519').privateKey)).toBeUndefined();
    expect(keyObjectProblem(createPublicKey(ec))).toBe('is not a private key');
    for (const other of [
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey,
      generateKeyPairSync('x25519').privateKey,
    ])
      expect(keyObjectProblem(other)).toMatch(/^is of a type this package does not sign with/);
    const { keyObject } = badKey('P-256');
    if (keyObject) expect(keyObjectProblem(keyObject)).toMatch(/^is inconsistent/);
    expect(aborting).toBe(0);
  });
});
