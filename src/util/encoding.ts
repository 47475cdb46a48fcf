/** Base64 of the UTF-8 bytes of `text` (`btoa` alone takes Latin-1 only). */
export function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** base64 rewritten with the URL-safe alphabet and no padding (RFC 4648 §5). */
export function toBase64url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * `application/x-www-form-urlencoded` encoding of one value (the WHATWG form encoding, which
 * leaves `*-._` as they are and writes a space as `+`).
 */
export function formUrlEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
