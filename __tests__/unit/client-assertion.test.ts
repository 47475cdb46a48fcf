import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JWK,
} from 'jose';
import { AssertionSource } from '../../src/token/assertion-source';
import {
  ASSERTION_LIFETIME_S,
  assertionClaims,
  prepareSigningKey,
  signAssertion,
  UnusableKeyError,
} from '../../src/token/client-assertion';
import { parseHttpDate, ServerClock } from '../../src/token/server-clock';
import { isPaymentAuthError } from '../../src/errors/payment-auth-error';

const NOW = Date.parse('2026-12-01T10:00:00Z');

async function keyPair(alg: string, options: object = {}) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...options });
  return { privateKey, publicKey, jwk: await exportJWK(privateKey), pem: await exportPKCS8(privateKey) };
}

describe('client assertions (RFC 7523 §3)', () => {
  it('carries iss = sub = client id, the audience, a fresh jti, iat now and exp 60 s ahead', () => {
    const a = assertionClaims('client-1', 'https://as.example', NOW + 999);
    const b = assertionClaims('client-1', 'https://as.example', NOW + 999);
    expect(a).toEqual({
      iss: 'client-1',
      sub: 'client-1',
      aud: 'https://as.example',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: NOW / 1000,
      exp: NOW / 1000 + 60,
    });
    expect(a.jti).not.toBe(b.jti);
    expect(ASSERTION_LIFETIME_S).toBeLessThanOrEqual(60);
  });

  it.each([
    ['ES256', {}],
    ['ES384', {}],
    ['ES512', {}],
    ['RS256', {}],
    ['PS256', {}],
    ['EdDSA', { crv: 'Ed25519' }],
  ])(
    'signs with a %s key given as JWK, PEM, KeyObject and CryptoKey, the algorithm following the key',
    async (alg, options) => {
      const { privateKey, publicKey, jwk, pem } = await keyPair(alg, options);
      // The JWK carries no alg: RSA keys default to RS256 (and say PS256 only when asked).
      const expected = alg === 'PS256' ? 'RS256' : alg;
      for (const input of [jwk, pem, createPrivateKey(pem), privateKey]) {
        const key = await prepareSigningKey({ clientId: 'c', privateKey: input as object });
        const jws = await signAssertion(key, assertionClaims('c', 'aud', Date.now()));
        const header = decodeProtectedHeader(jws);
        if ((input as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'CryptoKey') {
          // A CryptoKey knows what it was made for: RSA-PSS keys sign PS256.
          expect(header.alg).toBe(alg);
        } else {
          expect(header.alg).toBe(expected);
        }
        const verifier = await importJWK(await exportJWK(publicKey), header.alg);
        await expect(jwtVerify(jws, verifier, { audience: 'aud', issuer: 'c', subject: 'c' })).resolves.toBeTruthy();
      }
    },
  );

  it('takes the algorithm, the kid and a JWK alg as given', async () => {
    const { jwk, publicKey } = await keyPair('PS256');
    const explicit = await prepareSigningKey({ clientId: 'c', privateKey: jwk, algorithm: 'PS256', keyId: 'k1' });
    expect(explicit).toMatchObject({ alg: 'PS256', kid: 'k1' });
    const fromJwk = await prepareSigningKey({ clientId: 'c', privateKey: { ...jwk, alg: 'PS256', kid: 'k2' } });
    expect(fromJwk).toMatchObject({ alg: 'PS256', kid: 'k2' });
    const jws = await signAssertion(fromJwk, assertionClaims('c', 'aud', Date.now()));
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'PS256', typ: 'JWT', kid: 'k2' });
    await expect(jwtVerify(jws, publicKey)).resolves.toBeTruthy();
  });

  it('reads a PKCS#1 RSA and a SEC1 EC PEM through the runtime crypto', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pkcs1 = rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string;
    const sec1 = ec.privateKey.export({ format: 'pem', type: 'sec1' }) as string;
    expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    expect((await prepareSigningKey({ clientId: 'c', privateKey: pkcs1 })).alg).toBe('RS256');
    expect((await prepareSigningKey({ clientId: 'c', privateKey: sec1 })).alg).toBe('ES384');
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    const usable = typeof (pss as { toCryptoKey?: unknown }).toCryptoKey === 'function';
    const prepared = prepareSigningKey({ clientId: 'c', privateKey: pss });
    if (usable) await expect(prepared).resolves.toMatchObject({ alg: 'PS256' });
    else await expect(prepared).rejects.toThrow(/RSA-PSS key \(id-RSASSA-PSS\) cannot be used on this Node/);
    // A plain RSA key signs PS256 when asked.
    const rsaPss = await prepareSigningKey({ clientId: 'c', privateKey: rsa.privateKey, algorithm: 'PS256' });
    const jws = await signAssertion(rsaPss, assertionClaims('c', 'aud', Date.now()));
    expect(decodeProtectedHeader(jws).alg).toBe('PS256');
  });

  it('refuses a JWK made for an algorithm it does not sign with, rather than sign with another', async () => {
    const { jwk } = await keyPair('RS256');
    await expect(prepareSigningKey({ clientId: 'c', privateKey: { ...jwk, alg: 'RS512' } })).rejects.toThrow(
      /the JWK is for "RS512"/,
    );
    // Unless the algorithm is named.
    await expect(
      prepareSigningKey({ clientId: 'c', privateKey: { ...jwk, alg: 'RS512' }, algorithm: 'RS256' }),
    ).resolves.toMatchObject({ alg: 'RS256' });
  });

  it('names the key types it signs with for one it does not (Ed448, secp256k1)', async () => {
    for (const key of [
      generateKeyPairSync('ed448').privateKey,
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey,
    ])
      await expect(prepareSigningKey({ clientId: 'c', privateKey: key })).rejects.toThrow(
        /of a type this package does not sign with: RSA \(2048 bits or more\), EC P-256, P-384 or P-521, or Ed25519/,
      );
  });

  it('names the key types it signs with for a key that has no JWK form (DH, DSA), as a KeyObject or a PEM', async () => {
    // Node makes DH key pairs from a named group; the type definitions do not list 'dh'.
    const dhKeyPair = generateKeyPairSync as unknown as (
      type: 'dh',
      options: { group: string },
    ) => { privateKey: KeyObject };
    const dh = dhKeyPair('dh', { group: 'modp14' }).privateKey;
    const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 }).privateKey;
    for (const key of [dh, dsa, dsa.export({ format: 'pem', type: 'pkcs8' }) as string]) {
      const attempt = prepareSigningKey({ clientId: 'c', privateKey: key });
      await expect(attempt).rejects.toBeInstanceOf(UnusableKeyError);
      await expect(attempt).rejects.toThrow(
        /of a type this package does not sign with: RSA \(2048 bits or more\), EC P-256, P-384 or P-521, or Ed25519/,
      );
    }
  });

  it('refuses public keys, garbage and a key that does not fit the algorithm, without quoting them', async () => {
    const { jwk, publicKey } = await keyPair('ES256');
    const pub = await exportJWK(publicKey);
    const cases: [object | string, string?][] = [
      [pub as JWK],
      ['-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----'],
      [publicKey],
      [createPrivateKey((await keyPair('ES256')).pem), 'RS256'],
      [jwk, 'RS256'],
      [{ kty: 'oct', d: 'x' }],
    ];
    for (const [privateKey, algorithm] of cases) {
      const attempt = (async () => {
        const key = await prepareSigningKey({
          clientId: 'c',
          privateKey,
          ...(algorithm ? { algorithm: algorithm as 'RS256' } : {}),
        });
        return signAssertion(key, assertionClaims('c', 'aud', Date.now()));
      })();
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UnusableKeyError);
      expect(String((error as Error).message)).not.toContain(jwk.d!);
      expect(String((error as Error).message)).not.toContain('bm90IGEga2V5');
    }
  });
});

describe('the algorithm a key calls for', () => {
  it.each([
    ['ES256', {}],
    ['ES384', {}],
    ['ES512', {}],
    ['EdDSA', { crv: 'Ed25519' }],
  ])('is %s for an EC or Ed25519 CryptoKey made for it, never PS256', async (alg, options) => {
    const { privateKey } = await keyPair(alg, options);
    await expect(prepareSigningKey({ clientId: 'c', privateKey })).resolves.toMatchObject({ alg });
  });

  it('is PS256 for an RSA-PSS KeyObject that the runtime can hand to jose (toCryptoKey), read without a JWK export', async () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    // Node 22.10 and later have KeyObject#toCryptoKey; on older Node its presence is what is checked.
    if (typeof (pss as { toCryptoKey?: unknown }).toCryptoKey !== 'function')
      Object.defineProperty(pss, 'toCryptoKey', { value: () => undefined });
    // An RSA-PSS key has no JWK form: reading its type from one would fail.
    expect(() => pss.export({ format: 'jwk' })).toThrow();
    await expect(prepareSigningKey({ clientId: 'c', privateKey: pss })).resolves.toMatchObject({ alg: 'PS256' });
  });

  it('refuses a public JWK as not a private one (no "d"), before importing it', async () => {
    const { publicKey } = await keyPair('ES256');
    await expect(prepareSigningKey({ clientId: 'c', privateKey: await exportJWK(publicKey) })).rejects.toThrow(
      new UnusableKeyError('privateKey must be a private JWK (with "d"), a PEM string, a KeyObject or a CryptoKey'),
    );
  });
});

describe('AssertionSource', () => {
  it('makes a new assertion per call on the server clock, and keeps only the last few', async () => {
    const { jwk } = await keyPair('ES256');
    const clock = new ServerClock(() => NOW, 30_000);
    const source = new AssertionSource('https://as.example', clock);
    const made: string[] = [];
    for (let i = 0; i < 6; i++) made.push(await source.create({ clientId: 'c', privateKey: jwk }));
    expect(new Set(made.map((j) => decodeJwt(j).jti)).size).toBe(6);
    expect(decodeJwt(made[0]!)).toMatchObject({ iat: (NOW + 30_000) / 1000, aud: 'https://as.example' });
    expect(source.recent()).toEqual(made.slice(-4).flatMap((j) => [j, j.split('.')[1], j.split('.')[2]]));
  });

  it('asks a clientAssertion callback with the claims, and reports its failures without its message', async () => {
    const clock = new ServerClock(() => NOW, undefined);
    const source = new AssertionSource('aud', clock);
    const seen: unknown[] = [];
    const jws = await source.create({
      clientId: 'c',
      clientAssertion: async (claims) => {
        seen.push(claims);
        return 'aGVhZGVy.cGF5bG9hZA.c2ln';
      },
    });
    expect(jws).toBe('aGVhZGVy.cGF5bG9hZA.c2ln');
    expect(seen).toEqual([expect.objectContaining({ iss: 'c', sub: 'c', aud: 'aud', iat: NOW / 1000 })]);
    const thrown = await source
      .create({
        clientId: 'c',
        clientAssertion: () => {
          throw new Error('KMS said: key material xyz-secret');
        },
      })
      .catch((e: unknown) => e);
    expect(isPaymentAuthError(thrown) && thrown.code).toBe('CREDENTIALS_MISSING');
    expect(JSON.stringify(thrown)).not.toContain('xyz-secret');
    for (const bad of ['', 'not a jws', 42, 'a.b.c d']) {
      const error = await source
        .create({ clientId: 'c', clientAssertion: () => bad as string })
        .catch((e: unknown) => e);
      expect(isPaymentAuthError(error) && error.code).toBe('CREDENTIALS_MISSING');
    }
  });

  it('passes on a failure to load jose as it is, not as an unusable key', async () => {
    const { jwk } = await keyPair('ES256');
    const missing = Object.assign(new Error("Cannot find module 'jose'"), { code: 'MODULE_NOT_FOUND' });
    try {
      await jest.isolateModulesAsync(async () => {
        jest.doMock('../../src/util/jose', () => ({ loadJose: () => Promise.reject(missing) }));
        // A fresh copy of the module, on the jose loader above.
        const { AssertionSource: Source } = jest.requireActual<{ AssertionSource: typeof AssertionSource }>(
          '../../src/token/assertion-source',
        );
        const source = new Source('aud', new ServerClock(() => NOW, undefined));
        await expect(source.create({ clientId: 'c', privateKey: jwk })).rejects.toBe(missing);
      });
    } finally {
      jest.dontMock('../../src/util/jose');
    }
  });

  it('imports a key once for as long as the same key is given', async () => {
    const { jwk } = await keyPair('ES256');
    const source = new AssertionSource('aud', new ServerClock(() => NOW, undefined));
    const credentials = { clientId: 'c', privateKey: jwk };
    const a = await source.create(credentials);
    const b = await source.create({ ...credentials });
    expect(decodeProtectedHeader(a)).toEqual(decodeProtectedHeader(b));
  });
});

describe('ServerClock', () => {
  let wall = NOW;
  const at = (ms: number) => new Date(ms).toUTCString();
  beforeEach(() => {
    wall = NOW;
  });

  it("learns the server's offset from a Date header, ignoring the header's rounding", () => {
    const clock = new ServerClock(() => wall, undefined);
    expect(clock.learn(at(NOW + 400), NOW, NOW + 100)).toBe(false); // within a second: none
    expect(clock.offsetMs).toBe(0);
    expect(clock.learn(at(NOW + 120_000), NOW, NOW + 100)).toBe(true);
    expect(clock.offsetMs).toBeGreaterThan(119_000);
    expect(clock.offsetMs).toBeLessThan(121_000);
    expect(clock.now()).toBe(wall + clock.offsetMs);
    expect(clock.learn(at(NOW + 120_000), NOW, NOW + 100)).toBe(false); // the same: unchanged
    expect(clock.learn(at(NOW - 60_000), NOW, NOW)).toBe(true);
    expect(clock.offsetMs).toBeLessThan(-59_000);
    expect(clock.learn(at(NOW), NOW, NOW)).toBe(true); // back in step
    expect(clock.offsetMs).toBe(0);
  });

  it('reads every form of HTTP date', () => {
    const expected = Date.UTC(1994, 10, 6, 8, 49, 37);
    for (const text of [
      'Sun, 06 Nov 1994 08:49:37 GMT',
      'Sunday, 06-Nov-94 08:49:37 GMT',
      'Sun Nov  6 08:49:37 1994',
      ' Sun Nov  6 08:49:37 1994 ',
    ])
      expect([text, parseHttpDate(text)]).toEqual([text, expected]);
    // Not HTTP dates: no zone, other zones, garbage around (read in the local zone by Date.parse).
    for (const text of [
      'not a date',
      'Sun, 06 Nov 1994 08:49:37',
      'Sun, 06 Nov 1994 08:49:37 EST',
      'Sun Nov  6 08:49:37 1994;',
      'x Sun Nov  6 08:49:37 1994',
      'Sun, 06 Nov 1994 08:49:37 GMT garbage',
      '2026-12-06T08:00:00',
    ])
      expect([text, parseHttpDate(text)]).toEqual([text, undefined]);
  });

  it('keeps what the Date header showed for the hint, even with an explicit skew', () => {
    const fixed = new ServerClock(() => wall, 0);
    expect(fixed.learn(at(NOW + 180_000), NOW, NOW)).toBe(false);
    expect(fixed.offsetMs).toBe(0);
    expect(fixed.explicit).toBe(true);
    expect(fixed.seenOffsetMs).toBeGreaterThan(179_000);
  });

  it('never trusts an offset beyond the limit, an unreadable date, or anything with an explicit skew', () => {
    const clock = new ServerClock(() => wall, undefined, 600_000);
    expect(clock.learn(at(NOW + 3_600_000), NOW, NOW)).toBe(false);
    expect(clock.offsetMs).toBe(0);
    expect(clock.untrustedOffsetMs).toBeGreaterThan(3_599_000);
    for (const date of ['yesterday', '', undefined, 42, ['x']]) expect(clock.learn(date, NOW, NOW)).toBe(false);
    const fixed = new ServerClock(() => wall, -5000);
    expect(fixed.learn(at(NOW + 120_000), NOW, NOW)).toBe(false);
    expect(fixed.now()).toBe(NOW - 5000);
  });
});
