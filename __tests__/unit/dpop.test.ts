import { generateKeyPairSync } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  jwtVerify,
  EmbeddedJWK,
  base64url,
} from 'jose';
import { createHash } from 'node:crypto';
import { dpopChallengeError } from '../../src/token/dpop/dpop-challenge';
import { DpopNonces } from '../../src/token/dpop/dpop-nonces';
import { DpopProofs, htuOf } from '../../src/token/dpop/dpop-proofs';
import { modulusBits, prepareDpopKey } from '../../src/token/dpop/dpop-key';
import { DpopVerifier } from '../../src/testing/sandbox-dpop';
import { normalizeDpop } from '../../src/options/dpop-options';
import { ServerClock } from '../../src/token/server-clock';
import { isPaymentAuthError } from '../../src/errors/payment-auth-error';
import { toTokenGrant } from '../../src/token/token-response';
import { isStoredToken, tokenStoreKey } from '../../src/store/token-store';

const NOW = Date.parse('2026-12-01T10:00:00Z');

async function verify(jwt: string) {
  return jwtVerify(jwt, EmbeddedJWK, { typ: 'dpop+jwt', currentDate: new Date(NOW) });
}

describe('DPoP proofs (RFC 9449 §4.2)', () => {
  it('carry typ dpop+jwt, the public JWK alone, htm, htu without query or fragment, iat on the server clock and a new jti each', async () => {
    const clock = new ServerClock(() => NOW, 7_000);
    const proofs = new DpopProofs({ key: undefined }, clock);
    const url = new URL('HTTPS://API.Example:443/api/v1/payments/p%201?expand=x#frag');
    const a = await proofs.proof('resource', { method: 'post', url });
    const b = await proofs.proof('resource', { method: 'post', url });
    const { payload, protectedHeader } = await verify(a.jwt);
    expect(protectedHeader.typ).toBe('dpop+jwt');
    expect(protectedHeader.alg).toBe('ES256');
    expect(Object.keys(protectedHeader.jwk!).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(payload).toEqual({
      jti: expect.any(String),
      htm: 'POST',
      htu: 'https://api.example/api/v1/payments/p%201',
      iat: Math.floor((NOW + 7_000) / 1000),
    });
    expect((await verify(b.jwt)).payload.jti).not.toBe(payload.jti);
    expect(await calculateJwkThumbprint(protectedHeader.jwk!)).toBe(await proofs.thumbprint());
  });

  it('hash the access token into ath, and carry the latest nonce of the origin', async () => {
    const proofs = new DpopProofs({ key: undefined }, new ServerClock(() => NOW, undefined));
    proofs.nonces.learn('resource', 'https://api.example', 'nonce-1');
    proofs.nonces.learn('resource', 'https://other.example', 'nonce-other');
    const token = 'tok.en_~+/=';
    const proof = await proofs.proof('resource', {
      method: 'get',
      url: new URL('https://api.example/x'),
      accessToken: token,
    });
    const { payload } = await verify(proof.jwt);
    expect(payload.ath).toBe(base64url.encode(createHash('sha256').update(token, 'ascii').digest()));
    expect(payload.nonce).toBe('nonce-1');
    expect(proof.nonce).toBe('nonce-1');
    // Another token, another hash (the hash of the last token is kept, never a stale one).
    const next = await proofs.proof('resource', {
      method: 'get',
      url: new URL('https://api.example/x'),
      accessToken: 'other',
    });
    expect((await verify(next.jwt)).payload.ath).toBe(base64url.encode(createHash('sha256').update('other').digest()));
  });

  it('keep one key for the life of the attachment', async () => {
    const proofs = new DpopProofs({ key: undefined }, new ServerClock(() => NOW, undefined));
    const first = await proofs.thumbprint();
    await proofs.proof('resource', { method: 'get', url: new URL('https://a.example/') });
    expect(await proofs.thumbprint()).toBe(first);
    expect(await new DpopProofs({ key: undefined }, new ServerClock(() => NOW, undefined)).thumbprint()).not.toBe(
      first,
    );
  });

  it('htu is scheme, host, port and path', () => {
    expect(htuOf(new URL('http://127.0.0.1:8080/a/b?c=d#e'))).toBe('http://127.0.0.1:8080/a/b');
    expect(htuOf(new URL('https://h.example:443'))).toBe('https://h.example/');
  });
});

describe('the DPoP key', () => {
  it.each(['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'])(
    'reads a %s key as a JWK, PEM, KeyObject and CryptoKeyPair, to the same public key',
    async (alg) => {
      const pair = await generateKeyPair(alg, { extractable: true });
      const jwk = await exportJWK(pair.privateKey);
      const pem = await exportPKCS8(pair.privateKey);
      const expected = await calculateJwkThumbprint(await exportJWK(pair.publicKey));
      const { createPrivateKey } = await import('node:crypto');
      for (const privateKey of [jwk, pem, createPrivateKey(pem), pair, pair.privateKey]) {
        const algorithm = alg === 'PS256' ? ('PS256' as const) : undefined;
        const key = await prepareDpopKey({ key: { privateKey, algorithm } });
        expect(key.thumbprint).toBe(expected);
        expect(Object.keys(key.publicJwk)).not.toContain('d');
        const proofs = new DpopProofs({ key: { privateKey, algorithm } }, new ServerClock(() => NOW, undefined));
        const { protectedHeader } = await verify(
          (await proofs.proof('resource', { method: 'get', url: new URL('https://a/') })).jwt,
        );
        expect(protectedHeader.alg).toBe(alg);
        expect(protectedHeader.kid).toBeUndefined();
      }
    },
  );

  it('refuses a non-extractable lone CryptoKey, a public key, an unusable type, and never quotes the key', async () => {
    const pair = await generateKeyPair('ES256');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    const cases: [unknown, RegExp][] = [
      [pair.privateKey, /non-extractable CryptoKey has no readable public part/],
      [{ ...(await exportJWK(pair.publicKey)), d: undefined }, /private JWK|could not/],
      [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQ', d: 'x' }, /type this package does not sign with|could not/],
      [pem, /could not sign|2048/],
    ];
    for (const [privateKey, message] of cases) {
      const proofs = new DpopProofs(
        { key: { privateKey: privateKey as object } },
        new ServerClock(() => NOW, undefined),
      );
      const error = await proofs.proof('resource', { method: 'get', url: new URL('https://a/') }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPaymentAuthError(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(message);
      expect(JSON.stringify(error)).not.toContain(pem.split('\n')[1]);
    }
  });
});

describe('RSA key size', () => {
  it('counts the bits of the modulus, not its bytes', () => {
    expect(modulusBits(new Uint8Array([0x80, 0, 0]))).toBe(24);
    expect(modulusBits(new Uint8Array([0x7f, 0, 0]))).toBe(23);
    expect(modulusBits(new Uint8Array([0, 0x01, 0]))).toBe(9);
    expect(modulusBits(new Uint8Array([0, 0]))).toBe(0);
  });

  it.each([2040, 2047])('refuses a %d-bit RSA key, which is less than 2048 bits', async (bits) => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const proofs = new DpopProofs({ key: { privateKey } }, new ServerClock(() => NOW, undefined));
    await expect(proofs.thumbprint()).rejects.toMatchObject({
      code: 'CREDENTIALS_MISSING',
      message: expect.stringMatching(/shorter than 2048 bits/),
    });
  });
});

describe("the sandbox's memory of jtis", () => {
  it('never forgets a jti before its proof expires: full, it refuses new proofs, never takes a replay', async () => {
    let now = NOW;
    const verifier = new DpopVerifier(false, () => now, 3);
    const proofs = new DpopProofs({ key: undefined }, new ServerClock(() => now, undefined));
    const htu = 'http://127.0.0.1/api/v1/oauth2/token';
    const request = (jwt: string) => ({ headersDistinct: { dpop: [jwt] }, method: 'POST' }) as never;
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { jwt } = await proofs.proof('authorization', { method: 'POST', url: new URL(htu) });
      sent.push(jwt);
      expect(await verifier.verify(request(jwt), htu)).toMatchObject({ ok: true });
    }
    const fourth = (await proofs.proof('authorization', { method: 'POST', url: new URL(htu) })).jwt;
    expect(await verifier.verify(request(fourth), htu)).toMatchObject({
      ok: false,
      description: expect.stringMatching(/too many/),
    });
    expect(await verifier.verify(request(sent[0]!), htu)).toMatchObject({
      ok: false,
      description: expect.stringMatching(/replayed/),
    });
    // Once the first proofs have expired, there is room again.
    now += 66_000;
    const later = (await proofs.proof('authorization', { method: 'POST', url: new URL(htu) })).jwt;
    expect(await verifier.verify(request(later), htu)).toMatchObject({ ok: true });
  });
});

describe('DPoP nonces (RFC 9449 §8, §9)', () => {
  it('are kept per origin, updated from each answer, and reported as changed only when they change', () => {
    const nonces = new DpopNonces();
    expect(nonces.learn('resource', 'https://a', 'n1')).toBe(true);
    expect(nonces.learn('resource', 'https://a', 'n1')).toBe(false);
    expect(nonces.learn('resource', 'https://a', ['n0', 'n1b', 'n2'])).toBe(true);
    expect(nonces.get('resource', 'https://a')).toBe('n2');
    expect(nonces.learn('resource', 'https://a', '  n3 ')).toBe(true);
    expect(nonces.get('resource', 'https://a')).toBe('n3');
    expect(nonces.get('resource', 'https://b')).toBeUndefined();
  });

  it.each([undefined, null, '', '   ', 'bad"quote', 'back\\slash', 'line\r\nbreak', 'é', 'x'.repeat(1025), 42, {}])(
    'ignores a nonce that is not 1*NQCHAR: %p',
    (value) => {
      const nonces = new DpopNonces();
      nonces.learn('resource', 'https://a', 'n1');
      expect(nonces.learn('resource', 'https://a', value)).toBe(false);
      expect(nonces.get('resource', 'https://a')).toBe('n1');
    },
  );

  it("keeps the authorization server's and the resource server's apart, even on one origin (RFC 9449 §9)", () => {
    const nonces = new DpopNonces();
    nonces.learn('authorization', 'https://a', 'as-1');
    nonces.learn('resource', 'https://a', 'rs-1');
    expect(nonces.get('authorization', 'https://a')).toBe('as-1');
    expect(nonces.get('resource', 'https://a')).toBe('rs-1');
  });

  it('never takes back an older nonce from the late answer to a request sent before the current one was learned', () => {
    const nonces = new DpopNonces();
    nonces.learn('resource', 'https://a', 'n1');
    const sentEarly = nonces.version; // a request goes out with n1
    const sentAlso = nonces.version; // and another
    expect(nonces.learn('resource', 'https://a', 'n2', sentAlso)).toBe(true); // its challenge brings n2
    expect(nonces.learn('resource', 'https://a', 'n1', sentEarly)).toBe(false); // a late answer, still n1
    expect(nonces.get('resource', 'https://a')).toBe('n2');
    // An answer to a request sent after n2 was learned is news, whatever it says.
    expect(nonces.learn('resource', 'https://a', 'n3', nonces.version)).toBe(true);
    expect(nonces.get('resource', 'https://a')).toBe('n3');
  });

  it('keeps at most 64 servers, the least recently changed going first', () => {
    const nonces = new DpopNonces();
    for (let i = 0; i < 100; i++) nonces.learn('resource', `https://h${i}`, `n${i}`);
    expect(nonces.get('resource', 'https://h99')).toBe('n99');
    expect(nonces.get('resource', 'https://h36')).toBe('n36');
    expect(nonces.get('resource', 'https://h35')).toBeUndefined();
  });
});

describe('WWW-Authenticate DPoP challenges (RFC 9449 §7.1)', () => {
  it.each([
    ['DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"', 'use_dpop_nonce'],
    ['dpop algs="ES256 PS256", error=invalid_dpop_proof', 'invalid_dpop_proof'],
    ['Bearer realm="x", error="invalid_token", DPoP error="use_dpop_nonce"', 'use_dpop_nonce'],
    ['DPoP algs="ES256", Bearer error="invalid_token"', undefined],
    ['Bearer error="use_dpop_nonce"', undefined],
    ['DPoP error_description="a, error=use_dpop_nonce", algs="ES256"', undefined],
    [['Bearer realm="x"', 'DPoP error="invalid_token"'], 'invalid_token'],
    ['DPoP', undefined],
    ['', undefined],
    [undefined, undefined],
    [42, undefined],
    [`DPoP ${'x="y", '.repeat(2000)}error="use_dpop_nonce"`, undefined],
    ['DPoP error = "spaced"', 'spaced'],
    ['DPoP  error="two-spaces"', 'two-spaces'],
    ['DPoP realm="a\\"b, c", error="after-escape"', 'after-escape'],
    ['DPoP error="x" trailing', undefined],
    ['DPoP error=unquoted_value', 'unquoted_value'],
    ['Bearer abc==, DPoP error="after-token68"', 'after-token68'],
    ['DPoP x_error="not-it", error="it"', 'it'],
    ['Newauth realm="apps", type=1, DPoP error="it"', 'it'],
    ['DPo@P error="bad-scheme"', undefined],
    // A quoted comma does not end a parameter: what looks like an error inside the quotes is text.
    ['DPoP error_description="a, error=use_dpop_nonce, b", error="invalid_dpop_proof"', 'invalid_dpop_proof'],
    // A word with a character no scheme name may hold (here `/`) starts no new challenge.
    ['DPoP algs="ES256", a/b c, error="after-non-token"', 'after-non-token'],
  ])('%p → %p', (header, expected) => {
    expect(dpopChallengeError(header)).toBe(expected);
  });
});

describe('the dpop option, each refusal with its reason', () => {
  it.each([
    [null, /dpop must be true, false or \{ privateKey, algorithm\? \}, got null/],
    [0, /dpop must be true, false or .*got 0/],
    ['', /dpop must be true, false or .*got ""/],
    [[], /dpop must be true, false or .*got an array/],
    [{ privateKey: null }, /dpop\.privateKey must be .*got null/],
    [{ privateKey: 5 }, /dpop\.privateKey must be .*got number/],
    [{ privateKey: [] }, /dpop\.privateKey must be .*got object/],
    [{ privateKey: 'not pem' }, /dpop\.privateKey is a string but not a PEM private key/],
    [{ privateKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }, /not a PEM private key/],
    [{ privateKey: { kty: 'EC' } }, /must be a private JWK \(with "kty" and "d"\)/],
    [{ privateKey: { d: 'x' } }, /must be a private JWK \(with "kty" and "d"\)/],
    [{ privateKey: { kty: 'EC', d: 5 } }, /must be a private JWK/],
    [{ privateKey: { privateKey: {}, publicKey: {} } }, /must be a private JWK/],
    [{ privateKey: { kty: 'EC', d: 'x' }, extra: 1, more: 2 }, /unknown dpop options extra, more/],
    [{ privateKey: { kty: 'EC', d: 'x' }, extra: 1 }, /unknown dpop option extra$/],
    [
      { privateKey: { kty: 'EC', d: 'x' }, algorithm: 'HS256' },
      /dpop\.algorithm must be one of ES256, .*got a string of 5 characters/,
    ],
    [{ privateKey: { kty: 'EC', d: 'x' }, algorithm: null }, /dpop\.algorithm must be one of .*got null/],
  ])('refuses %p', (value, message) => {
    expect(() => normalizeDpop(value)).toThrow(message);
  });

  it('takes a private JWK, a PEM, a KeyObject, a CryptoKey and a CryptoKeyPair, with or without an algorithm', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(pair.privateKey);
    const pem = await exportPKCS8(pair.privateKey);
    const { createPrivateKey } = await import('node:crypto');
    for (const privateKey of [jwk, pem, createPrivateKey(pem), pair.privateKey, pair])
      for (const algorithm of [undefined, 'ES256'] as const)
        expect(normalizeDpop({ privateKey, ...(algorithm ? { algorithm } : {}) })).toEqual({
          key: { privateKey, algorithm },
        });
    expect(normalizeDpop({ privateKey: '-----BEGIN EC PRIVATE KEY-----\n' })).toEqual({
      key: { privateKey: '-----BEGIN EC PRIVATE KEY-----\n', algorithm: undefined },
    });
  });
});

describe('the dpop option', () => {
  it.each([null, 0, '', 'yes', 1, [], { privateKey: null }, { privateKey: '' }, { privateKey: 'not pem' }])(
    'refuses %p with a TypeError',
    (value) => {
      expect(() => normalizeDpop(value)).toThrow(TypeError);
    },
  );

  it('refuses unknown fields, a public JWK and an unknown algorithm, without quoting the key', () => {
    expect(() => normalizeDpop({ privateKey: { kty: 'EC', d: 'secret-d' }, kid: 'k' })).toThrow(
      /unknown dpop option kid/,
    );
    expect(() => normalizeDpop({ privateKey: { kty: 'EC', x: 'x', y: 'y' } })).toThrow(/private JWK/);
    expect(() => normalizeDpop({ privateKey: { kty: 'EC', d: 'secret-d' }, algorithm: 'HS256' })).toThrow(
      /dpop.algorithm must be one of/,
    );
    try {
      normalizeDpop({ privateKey: { kty: 'EC', d: 'secret-d' }, algorithm: 'none' });
    } catch (error) {
      expect(String(error)).not.toContain('secret-d');
    }
  });

  it('false and undefined are off; true generates a key', () => {
    expect(normalizeDpop(undefined)).toBeUndefined();
    expect(normalizeDpop(false)).toBeUndefined();
    expect(normalizeDpop(true)).toEqual({ key: undefined });
  });
});

describe('DPoP tokens in answers and in the store', () => {
  it('accepts token_type DPoP only when a proof was sent, and Bearer always', () => {
    const body = { access_token: 'abc', token_type: 'DPoP', expires_in: 900 };
    expect(toTokenGrant(body, undefined, undefined, true).tokenType).toBe('DPoP');
    expect(toTokenGrant({ ...body, token_type: 'dpop' }, undefined, undefined, true).tokenType).toBe('DPoP');
    expect(toTokenGrant({ ...body, token_type: 'Bearer' }, undefined, undefined, true).tokenType).toBeUndefined();
    expect(() => toTokenGrant(body)).toThrow(/token_type DPoP.*set the dpop option/);
    expect(() => toTokenGrant({ ...body, token_type: 'MAC' }, undefined, undefined, true)).toThrow(
      /is not DPoP or Bearer/,
    );
  });

  it('keys stored tokens by the key thumbprint, and validates the binding of a stored token', () => {
    const plain = tokenStoreKey('p:', 'https://as/token', 'client', {});
    expect(tokenStoreKey('p:', 'https://as/token', 'client', {}, 'jkt-1')).toBe(`${plain}:jkt=jkt-1`);
    expect(tokenStoreKey('p:', 'https://as/token', 'client', {}, 'jkt-2')).not.toBe(
      tokenStoreKey('p:', 'https://as/token', 'client', {}, 'jkt-1'),
    );
    const base = { accessToken: 'a', issuedAt: 1, expiresAt: 2 };
    expect(isStoredToken({ ...base, tokenType: 'DPoP', jkt: 'j' })).toBe(true);
    expect(isStoredToken({ ...base, tokenType: 'DPoP' })).toBe(false);
    expect(isStoredToken({ ...base, tokenType: 'DPoP', jkt: '' })).toBe(false);
    expect(isStoredToken({ ...base, jkt: 'j' })).toBe(false);
    expect(isStoredToken({ ...base, tokenType: 'Bearer' })).toBe(false);
  });
});

it('a proof decodes to the header a server reads', async () => {
  const proofs = new DpopProofs({ key: undefined }, new ServerClock(() => NOW, undefined));
  const { jwt } = await proofs.proof('resource', { method: 'get', url: new URL('https://a/') });
  expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
});
