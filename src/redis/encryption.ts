import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

const HEX_KEY = /^[0-9a-f]{64}$/i;

/**
 * Reads a 32-byte AES-256 key from bytes, or from a hex or base64 string. Surrounding whitespace
 * (the newline of a key file) is ignored.
 */
export function parseEncryptionKey(value: string | Uint8Array): Buffer {
  // null, a number, an object: the same clear refusal as a key of the wrong length.
  const key =
    typeof value === 'string'
      ? decodeKeyText(value.trim())
      : value instanceof Uint8Array
        ? Buffer.from(value)
        : Buffer.alloc(0);
  if (key.length !== 32)
    throw new TypeError(
      'RedisTokenStore: encryptionKey must be 32 bytes (a Buffer, 64 hex characters or base64 of 32 bytes)',
    );
  return key;
}

function decodeKeyText(text: string): Buffer {
  return HEX_KEY.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
}

/**
 * AES-256-GCM with a random 96-bit IV per value; the Redis key is bound as additional
 * authenticated data, so a value copied under another key does not decrypt.
 */
export function encrypt(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

/** Decrypts a value of {@link encrypt}; throws when the key, the AAD or the value is wrong. */
export function decrypt(key: Buffer, value: string, aad: string): string {
  const [version, iv, tag, body] = value.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('value is not encrypted by this store');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
