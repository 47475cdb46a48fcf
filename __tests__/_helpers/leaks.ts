import { inspect } from 'node:util';

/**
 * A client secret that is not URL-safe: `+ / = & %`, a space, a colon and non-ASCII characters, so
 * its raw, URI-encoded, form-encoded and base64 forms all differ. Tests use it wherever they choose
 * the credentials, so that redaction of every form is exercised, not only of the raw one.
 */
export const HOSTILE_SECRET = 'cAnary+/=&% :é-секрет-9d2f';

/** `application/x-www-form-urlencoded` encoding of one value (spaces as `+`). */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

/** The base64 of `id:secret`, form-encoded first as an RFC 6749 §2.3.1 Basic header carries it. */
export function basicPair(clientId: string, clientSecret: string): string {
  return Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`, 'utf8').toString('base64');
}

const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());

/**
 * Every form a secret could take in a serialised error or a server's echo: raw, base64 of its
 * UTF-8 bytes, URI-encoded and form-encoded (with upper- or lower-case escapes).
 */
export function forms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const form = formEncode(secret);
  return [
    ...new Set([secret, Buffer.from(secret, 'utf8').toString('base64'), uri, lowerHex(uri), form, lowerHex(form)]),
  ];
}

/** All the ways a user may print an error or a log line. */
export function renderings(value: unknown): string[] {
  const out: string[] = [];
  const attempt = (f: () => unknown): void => {
    try {
      out.push(String(f()));
    } catch (error) {
      out.push(`<render failed: ${(error as Error).message}>`);
    }
  };
  attempt(() => JSON.stringify(value));
  attempt(() => inspect(value, { depth: 8 }));
  attempt(() => inspect(value, { depth: Infinity, showHidden: true }));
  attempt(() => String(value));
  attempt(() => (value as { stack?: unknown } | null)?.stack);
  attempt(() => (value as { toJSON?: () => unknown } | null)?.toJSON?.());
  attempt(() => JSON.stringify((value as { cause?: unknown } | null)?.cause));
  attempt(() => inspect((value as { cause?: unknown } | null)?.cause, { depth: 8 }));
  return out;
}

/** The secrets from `canaries` found, in any of their {@link forms}, in any rendering of `value`. */
export function findLeaks(value: unknown, canaries: readonly string[]): string[] {
  const texts = renderings(value);
  const found: string[] = [];
  for (const canary of canaries) {
    for (const form of forms(canary)) {
      if (texts.some((t) => t.includes(form))) found.push(canary);
    }
  }
  return [...new Set(found)];
}

/** Fails when any canary appears in any rendering of `value`. */
export function expectNoLeaks(value: unknown, canaries: readonly string[]): void {
  expect(findLeaks(value, canaries)).toEqual([]);
}
