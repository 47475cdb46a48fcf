import { randomBytes } from 'node:crypto';
import { decrypt, encrypt, parseEncryptionKey } from '../../src/redis/encryption';

const bytes = randomBytes(32);
const MESSAGE = 'RedisTokenStore: encryptionKey must be 32 bytes (a Buffer, 64 hex characters or base64 of 32 bytes)';

describe('parseEncryptionKey', () => {
  it.each([
    ['a Buffer', () => Buffer.from(bytes)],
    ['a Uint8Array', () => new Uint8Array(bytes)],
    ['64 hex digits', () => bytes.toString('hex')],
    ['64 upper-case hex digits', () => bytes.toString('hex').toUpperCase()],
    ['hex read from a key file (a trailing newline)', () => `${bytes.toString('hex')}\n`],
    ['base64', () => bytes.toString('base64')],
    ['base64 read from a key file (a trailing newline)', () => `${bytes.toString('base64')}\n`],
    ['base64url', () => bytes.toString('base64url')],
  ])('reads %s', (_name, make) => {
    expect(parseEncryptionKey(make())).toEqual(bytes);
  });

  it.each([
    ['16 bytes', () => randomBytes(16)],
    ['33 bytes', () => randomBytes(33)],
    ['62 hex digits', () => bytes.toString('hex').slice(2)],
    ['64 hex digits and more', () => `${bytes.toString('hex')}==`],
    ['65 hex digits', () => `0${bytes.toString('hex')}`],
    ['non-ASCII text', () => 'é'.repeat(32)],
    ['base64 of 31 bytes', () => randomBytes(31).toString('base64')],
    ['a passphrase', () => 'correct horse battery staple'],
    ['an empty string', () => ''],
    ['null', () => null],
    ['a number', () => 32],
    ['an array of 32 numbers', () => Array.from({ length: 32 }, () => 1)],
  ])('refuses %s', (_name, make) => {
    expect(() => parseEncryptionKey(make() as string)).toThrow(new TypeError(MESSAGE));
  });
});

describe('encrypt and decrypt', () => {
  const key = randomBytes(32);

  it('round-trip, with a fresh IV each time', () => {
    const a = encrypt(key, '{"accessToken":"at"}', 'k');
    const b = encrypt(key, '{"accessToken":"at"}', 'k');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toContain('accessToken');
    expect(decrypt(key, a, 'k')).toBe('{"accessToken":"at"}');
    expect(decrypt(key, encrypt(key, '', 'k'), 'k')).toBe('');
    expect(decrypt(key, encrypt(key, 'tökén ✓', 'k'), 'k')).toBe('tökén ✓');
  });

  it('is AES-256-GCM: another implementation of it decrypts the value', async () => {
    const [, iv, tag, body] = encrypt(key, 'plain', 'aad').split('.');
    const webKey = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, ['decrypt']);
    const data = Buffer.concat([Buffer.from(body!, 'base64url'), Buffer.from(tag!, 'base64url')]);
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: Buffer.from(iv!, 'base64url'), additionalData: Buffer.from('aad') },
      webKey,
      data,
    );
    expect(Buffer.from(plain).toString('utf8')).toBe('plain');
  });

  it('fails with another key, another AAD or a changed value', () => {
    const value = encrypt(key, 'plain', 'k');
    expect(() => decrypt(randomBytes(32), value, 'k')).toThrow();
    expect(() => decrypt(key, value, 'other')).toThrow();
    const [v, iv, tag, body] = value.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => decrypt(key, [v, iv, tag, flipped.toString('base64url')].join('.'), 'k')).toThrow();
  });

  it.each([
    ['plain JSON', '{"accessToken":"at"}'],
    ['another version', (v: string) => v.replace(/^v1/, 'v2')],
    [
      'no IV',
      (v: string) =>
        v
          .split('.')
          .map((p, i) => (i === 1 ? '' : p))
          .join('.'),
    ],
    [
      'no tag',
      (v: string) =>
        v
          .split('.')
          .map((p, i) => (i === 2 ? '' : p))
          .join('.'),
    ],
    ['no body part', (v: string) => v.split('.').slice(0, 3).join('.')],
  ])('says a value of %s is not one of its own', (_name, change) => {
    const value = typeof change === 'string' ? change : change(encrypt(key, 'plain', 'k'));
    expect(() => decrypt(key, value, 'k')).toThrow(new Error('value is not encrypted by this store'));
  });
});
