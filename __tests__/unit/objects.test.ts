import { hasControlCharacter, isCryptoKeyPair } from '../../src/util/objects';

describe('hasControlCharacter', () => {
  it('is true for C0 controls, DEL and C1 controls up to U+009F', () => {
    for (const code of [0x00, 0x0a, 0x0d, 0x1f, 0x7f, 0x80, 0x9e, 0x9f])
      expect([code, hasControlCharacter(`a${String.fromCharCode(code)}b`)]).toEqual([code, true]);
  });

  it('is false for printable text, from the space to U+007E and from U+00A0 on', () => {
    for (const code of [0x20, 0x41, 0x7e, 0xa0, 0xe9, 0x20ac])
      expect([code, hasControlCharacter(`a${String.fromCharCode(code)}b`)]).toEqual([code, false]);
    expect(hasControlCharacter('')).toBe(false);
  });
});

describe('isCryptoKeyPair', () => {
  it('is false for null, undefined and a string, without throwing', () => {
    expect(isCryptoKeyPair(null)).toBe(false);
    expect(isCryptoKeyPair(undefined)).toBe(false);
    expect(isCryptoKeyPair('key')).toBe(false);
  });

  it('is true for a Web Crypto key pair, false for an object with other keys', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    expect(isCryptoKeyPair(pair)).toBe(true);
    expect(isCryptoKeyPair({ privateKey: pair.privateKey, publicKey: {} })).toBe(false);
  });
});
