/*
 * What server text reads as once the escapings a server may apply to what it quotes are undone:
 * used only to tell whether a secret is still in it (redact.ts), never to show it.
 */

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

/** One decoder for every reading (a decoder per run would cost more than the reading). */
const utf8 = new TextDecoder();

/** Bytes written as `%HH`, `\xHH` or `=HH`, read as UTF-8 (or as Latin-1, one character a byte). */
function bytesToText(run: string, latin1: boolean): string {
  let text = ''; // one character a byte, for any length (no spread of a huge array)
  let ascii = true;
  for (const pair of run.match(/[0-9a-fA-F]{2}/g) ?? []) {
    const byte = parseInt(pair, 16);
    ascii &&= byte < 0x80;
    text += String.fromCharCode(byte);
  }
  return latin1 || ascii ? text : utf8.decode(Uint8Array.from(text, (c) => c.charCodeAt(0)));
}

/** The character of a code point written in hex or decimal, or `written` as it is when there is none. */
function codePoint(code: number, written: string): string {
  return code <= 0x10ffff ? String.fromCodePoint(code) : written;
}

/**
 * A backslash escape, read from left to right so that an escaped backslash is one (`\\u0041` is a
 * backslash and `u0041`, read on as `A` by the next pass): a run of `\xHH` bytes, `\u{X…}`,
 * `\uXXXX` (either case), or any other character after a backslash (`\/`).
 */
const BACKSLASH_ESCAPE = /(?:\\x[0-9a-fA-F]{2})+|\\u\{([0-9a-fA-F]{1,6})\}|\\u([0-9a-fA-F]{4})|\\([\s\S])/g;

/**
 * One pass that undoes every escaping a server may apply to text it quotes: JSON and language
 * escapes (`\uXXXX` in either case, `\u{X…}`, `\xHH`, `\/`), percent-encoding of any characters
 * (`+` read as itself or as a space), HTML references (decimal, hex, named), quoted-printable.
 */
function unescapeOnce(text: string, plusIsSpace: boolean, latin1: boolean): string {
  const unslashed = text.replace(BACKSLASH_ESCAPE, (m, braced?: string, hex?: string, other?: string) => {
    if (other !== undefined) return other;
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    return braced !== undefined ? codePoint(parseInt(braced, 16), m) : bytesToText(m, latin1);
  });
  return (plusIsSpace ? unslashed.replace(/\+/g, ' ') : unslashed)
    .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => bytesToText(run, latin1))
    .replace(/(?:=[0-9A-F]{2})+/g, (run) => bytesToText(run, latin1))
    .replace(
      /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]+));/g,
      (m, dec?: string, hex?: string, name?: string) => {
        if (name !== undefined) {
          const letter = /^([A-Za-z])(acute|grave|circ|uml|tilde|cedil|ring)$/.exec(name);
          return letter ? (letter[1]! + DIACRITICS[letter[2]!]!).normalize('NFC') : (HTML_NAMED[name] ?? m);
        }
        return codePoint(dec !== undefined ? Number(dec) : parseInt(hex!, 16), m);
      },
    );
}

/**
 * windows-1252's characters for the bytes 0x80–0x9F (the WHATWG index: what "latin1" decodes to
 * in browsers, and what Java, .NET and Python's cp1252 give); the five it leaves undefined read as
 * the C1 controls, as in ISO-8859-1. Every other byte 0xA0–0xFF is the Latin-1 character.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const CP1252_BYTE = new Map([...CP1252_HIGH].map((char, i) => [char, 0x80 + i]));
/** A run of characters that single bytes 0x80–0xFF read as, in Latin-1 or in windows-1252. */
const MISREAD_RUN = new RegExp(`[\\u0080-\\u00ff${CP1252_HIGH}]+`, 'g');
const HAS_MISREAD_RUN = new RegExp(MISREAD_RUN.source);

/**
 * A run of characters that bytes 0x80–0xFF read as, read back as the UTF-8 whose bytes they are
 * (`Ã©` → `é`, `â‚¬` → `€`, `ÃŸ` → `ß`); each run on its own, so that other text (`—`) does not
 * stop the reading.
 */
function misreadUtf8(run: string): string {
  return utf8.decode(Uint8Array.from(run, (c) => CP1252_BYTE.get(c) ?? c.charCodeAt(0)));
}

/** Something one of the readings below changes: an escape character, a `+`, a character beyond ASCII. */
const CHANGEABLE = /[\\%&=+\u0080-\uffff]/;
/** What the unescaping passes change: an escape character or a `+`. */
const ESCAPE_CHARACTER = /[\\%&=+]/;
const NON_ASCII = /[\u0080-\uffff]/;

/** Passes of unescaping {@link showsUnescaped} makes at least. */
const PASSES = 4;

/**
 * Combining marks kept after a character when a reading is composed. `normalize` sorts a run of
 * marks into canonical order in time quadratic in its length (a letter with 100,000 marks out of
 * order takes seconds), and a server chooses what it sends; a secret of realistic shape never
 * holds dozens of marks in a row, so only a run's first marks are kept in the composed reading.
 */
const MARKS_KEPT = 32;
const LONG_MARK_RUN = new RegExp(`(\\p{M}{${MARKS_KEPT}})\\p{M}+`, 'gu');

/** `reading` in Unicode's composed form, each run of combining marks cut to {@link MARKS_KEPT}: linear in its length. */
function composed(reading: string): string {
  return reading.replace(LONG_MARK_RUN, '$1').normalize('NFC');
}

/**
 * Whether one of `spellings` shows in `text` or in what it reads as once its escapings are undone,
 * pass after pass (`4 + extraPasses` at most, for an escaping inside another; each pass looked at),
 * with `+` as itself and as a space, bytes as UTF-8 and as Latin-1, and each of those also in
 * Unicode's composed form and as UTF-8 that was read as Latin-1 or windows-1252 (`Ã©` for `é`).
 * Every text is read wherever the secret may hide in it (every letter may be the escaped one);
 * only readings that cannot bring a spelling out are skipped: a text with no escape character and
 * no character beyond ASCII, `+` as a space when no spelling holds a space, bytes as Latin-1 when
 * none holds a Latin-1 character, a misread when all are ASCII. Linear in the length of the text.
 */
export function showsUnescaped(text: string, spellings: readonly string[], extraPasses = 0): boolean {
  if (spellings.length === 0) return false;
  const shows = (reading: string): boolean => spellings.some((spelling) => reading.includes(spelling));
  // A spelling may be the reading of a secret that holds an escape (see `readingsOf`).
  if (!CHANGEABLE.test(text)) return shows(text);
  const nonAscii = spellings.some((spelling) => NON_ASCII.test(spelling));
  const variants: (readonly [plusIsSpace: boolean, latin1: boolean])[] = [[false, false]];
  if (spellings.some((spelling) => spelling.includes(' '))) variants.push([true, false]);
  if (spellings.some((spelling) => /[\u0080-\u00ff]/.test(spelling))) variants.push([false, true]);
  /** The reading, composed, and read back from a misread: whether a spelling shows in any. */
  const showsInAny = (reading: string): boolean => {
    if (!NON_ASCII.test(reading)) return shows(reading);
    if (shows(reading) || shows(composed(reading))) return true;
    if (!nonAscii) return false; // a misread reads back only as characters beyond ASCII
    if (!HAS_MISREAD_RUN.test(reading)) return false;
    const misread = reading.replace(MISREAD_RUN, misreadUtf8);
    return shows(misread) || shows(composed(misread));
  };
  if (showsInAny(text)) return true;
  if (!ESCAPE_CHARACTER.test(text)) return false;
  for (const [plusIsSpace, latin1] of variants) {
    let current = text;
    for (let pass = 0; pass < PASSES + extraPasses; pass++) {
      const next = unescapeOnce(current, plusIsSpace, latin1);
      if (next === current) break;
      current = next;
      if (showsInAny(current)) return true;
    }
  }
  return false;
}

/**
 * What `text` reads as once unescaped, pass after pass, in each reading {@link showsUnescaped}
 * makes (`+` as itself and as a space, bytes as UTF-8 and as Latin-1). Applied to a secret that
 * holds an escape-like sequence (`%2F`, `=3D`, `\\`, `&amp;`): the unescaping of an escaped echo
 * decodes the secret's own sequence too, so the echo reads as the secret's reading, not as the
 * secret.
 */
export function readingsOf(text: string): string[] {
  const readings = new Set<string>();
  for (const [plusIsSpace, latin1] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    let current = text;
    for (let pass = 0; pass < PASSES; pass++) {
      const next = unescapeOnce(current, plusIsSpace, latin1);
      if (next === current) break;
      current = next;
      readings.add(current);
    }
  }
  readings.delete(text);
  return [...readings];
}
