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
function replaceForms(text: string, secrets: readonly string[]): string {
  const pattern = formsPattern(secrets);
  return pattern ? text.replace(pattern, REDACTED) : text;
}

/** Patterns kept: one per set of secrets in use (a token may be 8 KiB, its forms several times that). */
const PATTERNS_KEPT = 8;
const patternCache = new Map<string, RegExp | undefined>();

/**
 * One pattern for every form of every secret, longest first: a text is searched once, however
 * many secrets and forms there are (an error body of 200,000 strings is cleaned string by string).
 * Cached per set of secrets.
 */
function formsPattern(secrets: readonly string[]): RegExp | undefined {
  const key = secrets.join('\u0000');
  if (patternCache.has(key)) return patternCache.get(key);
  const forms = [...new Set(secrets.flatMap((secret) => secretForms(secret)))].sort((a, b) => b.length - a.length);
  const pattern = forms.length
    ? new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
    : undefined;
  if (patternCache.size >= PATTERNS_KEPT) patternCache.clear();
  patternCache.set(key, pattern);
  return pattern;
}

/** Named HTML references of ASCII punctuation (HTML5) and of the Latin-1 letters, by what they name. */
const HTML_NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  plus: '+',
  sol: '/',
  bsol: '\\',
  equals: '=',
  percnt: '%',
  num: '#',
  excl: '!',
  quest: '?',
  colon: ':',
  semi: ';',
  comma: ',',
  period: '.',
  lowbar: '_',
  dollar: '$',
  lpar: '(',
  rpar: ')',
  ast: '*',
  commat: '@',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  verbar: '|',
  grave: '`',
  Hat: '^',
  tilde: '~',
  szlig: '\u00df',
};
const DIACRITICS: Record<string, string> = {
  acute: '\u0301',
  grave: '\u0300',
  circ: '\u0302',
  uml: '\u0308',
  tilde: '\u0303',
  cedil: '\u0327',
  ring: '\u030a',
};

/** Bytes written as `%HH`, `\xHH` or `=HH`, read as UTF-8 (or as Latin-1, one character a byte). */
function bytesToText(run: string, latin1: boolean): string {
  const bytes = Uint8Array.from(run.match(/[0-9a-fA-F]{2}/g) ?? [], (hex) => parseInt(hex, 16));
  if (!latin1) return new TextDecoder().decode(bytes);
  let text = ''; // one character a byte, for any length (no spread of a huge array)
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/**
 * One pass that undoes every escaping a server may apply to text it quotes: JSON and
 * language escapes (`\uXXXX` in either case, `\xHH`, `\/`), percent-encoding of any characters
 * (`+` read as itself or as a space), HTML references (decimal, hex, named), quoted-printable.
 */
function unescapeOnce(text: string, plusIsSpace: boolean, latin1: boolean): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/(?:\\x[0-9a-fA-F]{2})+/g, (run) => bytesToText(run, latin1))
    .replace(/\\([^u])/g, '$1')
    .replace(plusIsSpace ? /\+/g : /(?!)/g, ' ')
    .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => bytesToText(run, latin1))
    .replace(/(?:=[0-9A-F]{2})+/g, (run) => bytesToText(run, latin1))
    .replace(
      /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]+));/g,
      (m, dec?: string, hex?: string, name?: string) => {
        if (name !== undefined) {
          const letter = /^([A-Za-z])(acute|grave|circ|uml|tilde|cedil|ring)$/.exec(name);
          return letter ? (letter[1]! + DIACRITICS[letter[2]!]!).normalize('NFC') : (HTML_NAMED[name] ?? m);
        }
        const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
        return code <= 0x10ffff ? String.fromCodePoint(code) : m;
      },
    );
}

/**
 * What `text` reads as once its escapings are undone, as far as they go (four passes at most, for
 * an escaping inside another), with `+` as itself and as a space, bytes as UTF-8 and as Latin-1,
 * and each of those also in Unicode's composed form and as UTF-8 that was read as Latin-1
 * (`Ã©` for `é`). Used only to tell whether a secret is still there.
 */
function unescapedReadings(text: string, passes: number): string[] {
  const readings = new Set<string>();
  for (const [plusIsSpace, latin1] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    let current = text;
    for (let pass = 0; pass < passes; pass++) {
      const next = unescapeOnce(current, plusIsSpace, latin1);
      if (next === current) break;
      current = next;
    }
    readings.add(current);
    readings.add(current.normalize('NFC'));
    if (/[\u0080-\u00ff]/.test(current)) readings.add(current.replace(/[\u0080-\u00ff]+/g, misreadUtf8));
  }
  readings.delete(text);
  return [...readings];
}

/**
 * A run of characters U+0080–U+00FF read back as the UTF-8 whose bytes they are (`Ã©` → `é`); each
 * run on its own, so that other text (curly quotes, `€`) does not stop the reading.
 */
function misreadUtf8(run: string): string {
  return new TextDecoder().decode(Uint8Array.from(run, (c) => c.charCodeAt(0)));
}

/**
 * A piece of `secret` that the escapings above keep as it is (its longest run of letters and
 * digits), to skip texts that cannot hold it; undefined when it has no run of two.
 */
function plainCore(secret: string): string | undefined {
  const runs = secret.match(/[A-Za-z0-9]{2,}/g);
  return runs ? runs.reduce((a, b) => (b.length > a.length ? b : a)) : undefined;
}

/**
 * Replaces every occurrence of each secret in `text`, in every form of {@link secretForms}. The
 * base64 of a whole `client_id:client_secret` pair (an echoed Basic header) is among the secrets
 * the credentials give (see `CredentialSource.knownSecrets`). Should a secret still show once the
 * text's escapings are undone (a form not listed there: .NET's `\u002B`, PHP's `\/`, Python's
 * `quote`, an escaping inside another), the whole text is `[REDACTED]`: where it sits in the
 * escaped text cannot be told, and an unescaped copy would bring back what the escaping defused
 * (markup, control characters).
 * Used on text that comes from a server (an `error_description` may echo what it was sent).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const live = liveSecrets(secrets);
  const out = replaceForms(text, live);
  return showsOnceUnescaped(out, live) ? REDACTED : out;
}

/** The secrets worth looking for: four characters or more. */
function liveSecrets(secrets: readonly (string | undefined)[]): string[] {
  return secrets.filter((secret): secret is string => !!secret && secret.length >= 4);
}

/**
 * Whether a secret shows in `text` once its escapings are undone; `extraPasses` for a text that
 * wraps others in one more escaping (the JSON text of a body whose strings may be escaped).
 */
function showsOnceUnescaped(text: string, secrets: readonly string[], extraPasses = 0): boolean {
  if (!/[\\%&=+\u0080-\uffff]/.test(text)) return false;
  const suspects = secrets.filter((secret) => {
    const core = plainCore(secret);
    return core === undefined || text.includes(core);
  });
  if (suspects.length === 0) return false;
  return unescapedReadings(text, 4 + extraPasses).some((reading) =>
    suspects.some((secret) => reading.includes(secret)),
  );
}

/**
 * Whether `redactSecrets` would change `text` at all: a secret in a listed form, or one that shows
 * once the text is unescaped (with `extraPasses` more passes). One search of the text, for a large
 * body that is then only cleaned string by string when this says so.
 */
export function holdsSecret(text: string, secrets: readonly (string | undefined)[], extraPasses = 0): boolean {
  const live = liveSecrets(secrets);
  const pattern = formsPattern(live);
  if (pattern) {
    pattern.lastIndex = 0;
    if (pattern.test(text)) return true;
  }
  return showsOnceUnescaped(text, live, extraPasses);
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
