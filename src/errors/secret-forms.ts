import { base64Utf8, formUrlEncode, toBase64url } from '../util/encoding';
import { readingsOf } from './unescape';

/*
 * The text forms in which a secret can come back in server text: its spellings (Unicode forms, a
 * lone surrogate as it travels) and the encodings of each. redact.ts searches text for them.
 */

/** A lone surrogate: in `u` mode the two halves of a well-formed pair are one code point. */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * `text` as it travels: a lone surrogate has no UTF-8 form, so every encoder (TextEncoder,
 * URLSearchParams) writes U+FFFD for it, and `encodeURIComponent` would throw.
 */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

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

/** Hex of the UTF-8 bytes, in both cases. */
function hexForms(text: string): string[] {
  const hex = [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return [hex, hex.toUpperCase()];
}

/** Every UTF-8 byte percent-encoded, in both cases. */
function percentBytes(text: string): string[] {
  return hexForms(text).map((hex) => hex.replace(/../g, (pair) => `%${pair}`));
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

/**
 * The spellings of a secret a server may hold: as given, with lone surrogates as U+FFFD (what was
 * sent), and each in Unicode's composed and decomposed forms (a secret read from a file written
 * on macOS is decomposed, and a server may compose what it received, or the other way round).
 */
function spellingsOf(secret: string): string[] {
  return [
    ...new Set([secret, wellFormed(secret)].flatMap((text) => [text, text.normalize('NFC'), text.normalize('NFD')])),
  ];
}

/**
 * The forms of one spelling: raw; URI-encoded the JavaScript way and the strict RFC 3986 way,
 * form-encoded, every byte percent-encoded, twice percent-encoded, and `escape()`d, with upper- or
 * lower-case escapes; escaped inside a JSON string (once or twice, with non-ASCII as `\uXXXX` or
 * not); as HTML character references; the hex (an echoed form body in hex holds the form-encoded
 * secret), base64 and base64url, and the offset-independent part of the base64 of each textual form.
 */
function formsOf(text: string): string[] {
  const sent = wellFormed(text);
  const encoded = [encodeURIComponent(sent), strictUriEncode(sent), formUrlEncode(sent)];
  const json = jsonForms(text);
  const textual = [text, ...encoded, ...json];
  const base64 = base64Utf8(text);
  return [
    ...textual,
    ...encoded.map(lowerHex),
    encodeURIComponent(encodeURIComponent(sent)),
    escape(text),
    ...jsonForms(json[0]!),
    ...htmlForms(text),
    ...textual.flatMap(hexForms),
    ...percentBytes(text),
    base64,
    toBase64url(base64),
    ...textual.flatMap(base64Cores),
  ];
}

interface SecretEntry {
  spellings: readonly string[];
  forms: readonly string[];
}

/**
 * The forms kept: of at most this many secrets, and this many characters of forms in all, which
 * bounds the memory whatever the secrets' length (a token may be 8 KiB, its forms many times
 * that), with room for the key material of many tenants (a PEM key gives dozens of secrets).
 */
const ENTRIES_KEPT = 1024;
const CHARACTERS_KEPT = 4 * 1024 * 1024;
const entries = new Map<string, SecretEntry>();
let charactersKept = 0;

function entryOf(secret: string): SecretEntry {
  const cached = entries.get(secret);
  if (cached) return cached;
  const spellings = spellingsOf(secret);
  const all = new Set(spellings.flatMap(formsOf));
  // An escaped echo of a secret that holds an escape-like sequence reads, once unescaped, as the
  // secret's own reading: those readings are looked for too (a text holding one is replaced whole).
  const readings = spellings.flatMap(readingsOf).filter((reading) => reading.length >= 4);
  const entry = {
    spellings: [...new Set([...spellings, ...readings])],
    forms: [...all].filter((form) => form.length >= 4).sort((a, b) => b.length - a.length),
  };
  const characters = [...entry.spellings, ...entry.forms].reduce((sum, text) => sum + text.length, 0);
  if (entries.size >= ENTRIES_KEPT || charactersKept + characters > CHARACTERS_KEPT) {
    entries.clear();
    charactersKept = 0;
  }
  entries.set(secret, entry);
  charactersKept += characters;
  return entry;
}

/**
 * Every form in which a secret can come back in server text: each of its spellings (as given, in
 * NFC and NFD, lone surrogates as U+FFFD) in each form of `formsOf` (raw, URI- and form-encoded,
 * JSON- and HTML-escaped, hex, base64 and more). Longest first, so a longer form is replaced
 * before a shorter one inside it. Never throws, whatever the secret holds. Cached per secret.
 */
export function secretForms(secret: string): readonly string[] {
  return entryOf(secret).forms;
}

/**
 * The spellings of a secret that unescaped server text is compared with (see {@link secretForms}),
 * and what each reads as once unescaped (of four characters or more), for a secret that holds an
 * escape-like sequence.
 */
export function secretSpellings(secret: string): readonly string[] {
  return entryOf(secret).spellings;
}
