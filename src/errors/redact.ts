import { base64Utf8, formUrlEncode, toBase64url } from '../util/encoding';

/** What replaces a secret or a token everywhere it could leave the package. */
export const REDACTED = '[REDACTED]';

/** The same percent-encoded text with lower-case hex digits, which a server may send back. */
function lowerHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** RFC 3986 percent-encoding of everything but unreserved characters (`encodeURIComponent` keeps `!'()*`). */
function strictUriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The text inside a JSON string literal, as `JSON.stringify` writes it, and with non-ASCII as `\uXXXX`. */
function jsonForms(text: string): string[] {
  const plain = JSON.stringify(text).slice(1, -1);
  const ascii = plain.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return [plain, ascii];
}

/** HTML/XML character references as an HTML error page would write them. */
function htmlForms(text: string): string[] {
  const named = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return [named.replace(/'/g, '&#39;'), named.replace(/'/g, '&#x27;'), named.replace(/'/g, '&apos;')];
}

/** Hex of the UTF-8 bytes, and every byte percent-encoded, in both cases. */
function byteForms(text: string): string[] {
  const hex = [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const percent = hex.replace(/../g, (pair) => `%${pair}`);
  return [hex, hex.toUpperCase(), percent, percent.toUpperCase()];
}

/**
 * The part of base64 that is the same wherever `text` sits in a longer message (one alignment of
 * three): a server that base64-encodes what it received (a whole form body) carries the secret
 * at any offset. A few bytes at each edge are not covered; the rest of the secret is.
 */
function base64Cores(text: string): string[] {
  const bytes = new TextEncoder().encode(text);
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const first = Math.ceil(shift / 3) * 3; // the first group holding only bytes of `text`
    const last = Math.floor(padded.length / 3) * 3; // the end of the last such group
    if (last - first < 6) continue; // too short to say anything
    let binary = '';
    for (const byte of padded.subarray(first, last)) binary += String.fromCharCode(byte);
    cores.push(btoa(binary));
  }
  return cores;
}

const FORMS_KEPT = 64;
const formsCache = new Map<string, readonly string[]>();

/**
 * Every form in which a secret can come back in server text: raw; URI-encoded the JavaScript way
 * and the strict RFC 3986 way, form-encoded, every byte percent-encoded, twice percent-encoded,
 * and `escape()`d, with upper- or lower-case escapes; hex; escaped inside a JSON string (once or
 * twice, with non-ASCII as `\uXXXX` or not); as HTML character references; base64 and base64url,
 * and the offset-independent part of the base64 of each textual form. Longest first, so a longer
 * form is replaced before a shorter one inside it. Cached per secret.
 */
export function secretForms(secret: string): readonly string[] {
  const cached = formsCache.get(secret);
  if (cached) return cached;
  const encoded = [encodeURIComponent(secret), strictUriEncode(secret), formUrlEncode(secret)];
  const json = jsonForms(secret);
  const textual = [secret, ...encoded, ...json];
  const base64 = base64Utf8(secret);
  const base64url = toBase64url(base64);
  const all = new Set([
    ...textual,
    ...encoded.map(lowerHex),
    encodeURIComponent(encodeURIComponent(secret)),
    escape(secret),
    ...jsonForms(json[0]!),
    ...htmlForms(secret),
    ...byteForms(secret),
    base64,
    base64url,
    ...textual.flatMap(base64Cores),
  ]);
  const forms = [...all].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length);
  if (formsCache.size >= FORMS_KEPT) formsCache.clear();
  formsCache.set(secret, forms);
  return forms;
}

/** Replaces every occurrence of each secret in `text`, in every form of {@link secretForms}. */
function replaceForms(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of secretForms(secret)) out = out.split(form).join(REDACTED);
  }
  return out;
}

const JSON_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const HTML_NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** JSON string escapes undone: `\uXXXX` in either case, `\/` (as PHP writes it), `\"`, `\\`, … */
function unescapeJson(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_m, hex: string | undefined, c: string) =>
    hex ? String.fromCharCode(parseInt(hex, 16)) : (JSON_ESCAPES[c] ?? c),
  );
}

/** Percent-encoding undone, whichever characters were encoded, in either case; `+` as a space or not. */
function unescapePercent(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  return spaced.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) =>
    new TextDecoder().decode(Uint8Array.from(run.slice(1).split('%'), (hex) => parseInt(hex, 16))),
  );
}

/** HTML character references undone: named, decimal and hex. */
function unescapeHtml(text: string): string {
  return text.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g, (m, dec, hex, name) => {
    const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : undefined;
    if (code === undefined) return HTML_NAMED[name as string]!;
    return code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

/**
 * `text` with the escapings a server may have applied to what it quotes undone, once and twice
 * over: JSON (any `\uXXXX` case, `\/`), percent-encoding of any set of characters (`encodeURI`,
 * Python's `quote`, a form), HTML character references. A secret quoted in a form that
 * {@link secretForms} does not list still shows in one of them.
 */
function unescapedVariants(text: string): string[] {
  const decoders: ((t: string) => string)[] = [];
  if (text.includes('\\')) decoders.push(unescapeJson);
  if (text.includes('%'))
    decoders.push(
      (t) => unescapePercent(t, false),
      (t) => unescapePercent(t, true),
    );
  if (text.includes('&')) decoders.push(unescapeHtml);
  let layer = [text];
  const seen = new Set(layer);
  for (let depth = 0; depth < 2 && decoders.length > 0; depth++) {
    const next: string[] = [];
    for (const t of layer) {
      for (const decode of decoders) {
        const d = decode(t);
        if (!seen.has(d)) {
          seen.add(d);
          next.push(d);
        }
      }
    }
    layer = next;
  }
  seen.delete(text);
  return [...seen];
}

/**
 * Replaces every occurrence of each secret in `text`, in every form of {@link secretForms}. The
 * base64 of a whole `client_id:client_secret` pair (an echoed Basic header) is among the secrets
 * the credentials give (see `CredentialSource.knownSecrets`). Should a secret still show once the
 * text's escapings are undone (a form not listed there, such as .NET's `\u002B` or PHP's `\/`),
 * that unescaped text is cleaned and returned instead (three times at most, an escaping each
 * time); failing that, `[REDACTED]` alone.
 * Used on text that comes from a server (an `error_description` may echo what it was sent).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const live = secrets.filter((secret): secret is string => !!secret && secret.length >= 4);
  let out = replaceForms(text, live);
  for (let round = 0; ; round++) {
    const leaking = unescapedVariants(out).find((variant) => live.some((secret) => variant.includes(secret)));
    if (leaking === undefined) return out;
    if (round === 3) return REDACTED;
    out = replaceForms(leaking, live);
  }
}

/**
 * Server text made safe to quote in an error or a log line: cleaned of every secret, control
 * characters (a forged log line, a terminal escape) replaced by spaces, and cut to `max`
 * characters.
 */
export function quoteServerText(text: string, secrets: readonly (string | undefined)[], max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = redactSecrets(text, secrets).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * A short, non-reversible fingerprint of a token for logs and hooks (FNV-1a, 32 bits, hex):
 * enough to tell two tokens apart, far too little to use one.
 */
export function fingerprint(token: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    hash ^= token.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
