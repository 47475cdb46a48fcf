import {
  REDACTED,
  fingerprint,
  holdsSecret,
  quoteServerText,
  redactSecrets,
  secretForms,
} from '../../src/errors/redact';

// Expected forms are written out or computed with Node's own encoders (Buffer, encodeURIComponent),
// never with the helpers under test.
const SECRET = 's+/=&% é\'!()*<>"~';

describe('secretForms', () => {
  const forms = secretForms(SECRET);
  const utf8 = Buffer.from(SECRET, 'utf8');
  const hex = utf8.toString('hex');

  it.each([
    ['raw', SECRET],
    ['URI-encoded', encodeURIComponent(SECRET)],
    [
      'URI-encoded with lower-case escapes',
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    ],
    ['strict RFC 3986', 's%2B%2F%3D%26%25%20%C3%A9%27%21%28%29%2A%3C%3E%22~'],
    ['strict RFC 3986, lower-case escapes', 's%2b%2f%3d%26%25%20%c3%a9%27%21%28%29%2a%3c%3e%22~'],
    ['form-encoded', 's%2B%2F%3D%26%25+%C3%A9%27%21%28%29*%3C%3E%22%7E'],
    ['form-encoded, lower-case escapes', 's%2b%2f%3d%26%25+%c3%a9%27%21%28%29*%3c%3e%22%7e'],
    ['URI-encoded twice', encodeURIComponent(encodeURIComponent(SECRET))],
    ['escape()d', 's+/%3D%26%25%20%E9%27%21%28%29*%3C%3E%22%7E'],
    ['inside a JSON string', 's+/=&% é\'!()*<>\\"~'],
    ['inside a JSON string, non-ASCII escaped', 's+/=&% \\u00e9\'!()*<>\\"~'],
    ['inside a JSON string twice', 's+/=&% é\'!()*<>\\\\\\"~'],
    ['HTML, &#39;', 's+/=&amp;% é&#39;!()*&lt;&gt;&quot;~'],
    ['HTML, &#x27;', 's+/=&amp;% é&#x27;!()*&lt;&gt;&quot;~'],
    ['HTML, &apos;', 's+/=&amp;% é&apos;!()*&lt;&gt;&quot;~'],
    ['hex', hex],
    ['hex, upper case', hex.toUpperCase()],
    ['every byte percent-encoded', hex.replace(/../g, (p) => `%${p}`)],
    ['every byte percent-encoded, upper case', hex.toUpperCase().replace(/../g, (p) => `%${p}`)],
    ['base64', utf8.toString('base64')],
    ['base64url', utf8.toString('base64url')],
  ])('holds the %s form', (_name, form) => {
    expect(forms).toContain(form);
  });

  it('holds the base64 of each textual form wherever it sits in a longer message', () => {
    for (const form of [SECRET, encodeURIComponent(SECRET), 's+/=&% \\u00e9\'!()*<>\\"~']) {
      for (const prefix of ['', 'x', 'xy']) {
        const message = Buffer.from(`${prefix}${form} and what followed`).toString('base64');
        expect(forms.some((f) => message.includes(f) && f.length >= 8)).toBe(true);
      }
    }
  });

  it('has each form once, longest first, none shorter than four characters', () => {
    expect(new Set(forms).size).toBe(forms.length);
    for (let i = 1; i < forms.length; i++) expect(forms[i - 1]!.length).toBeGreaterThanOrEqual(forms[i]!.length);
    const short = secretForms('ab');
    expect(short).not.toContain('ab');
    expect(short).toEqual(expect.arrayContaining(['YWI=', '6162', '%61%62']));
    expect(short.every((f) => f.length >= 4)).toBe(true);
  });

  it('has no base64 core for a secret too short to have one at some offset', () => {
    // Four bytes leave fewer than six whole bytes at every offset: no core, only the whole forms.
    expect(secretForms('abcd')).toEqual(['%61%62%63%64', '61626364', 'YWJjZA==', 'YWJjZA', 'abcd']);
    // Eight bytes at offset 0 leave exactly six: their base64 is a core.
    expect(secretForms('abcdefgh')).toContain(Buffer.from('abcdef').toString('base64'));
  });

  it('is computed once per secret (the bound of the cache is tested below)', () => {
    const first = secretForms('cached-secret-1');
    expect(secretForms('cached-secret-1')).toBe(first);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence of every form', () => {
    const text = `a=${SECRET}; b=${encodeURIComponent(SECRET)}; c=${Buffer.from(SECRET).toString('base64')}; d=${SECRET}`;
    expect(redactSecrets(text, [SECRET])).toBe(`a=${REDACTED}; b=${REDACTED}; c=${REDACTED}; d=${REDACTED}`);
  });

  it('replaces a longer form whole before a shorter form inside it', () => {
    // The base64 core of the first six bytes is a prefix of the whole base64.
    expect(redactSecrets(Buffer.from('abcdefgh').toString('base64'), ['abcdefgh'])).toBe(REDACTED);
  });

  it('finds a secret in base64 of a longer message at any offset', () => {
    for (const prefix of ['', 'x', 'xy', 'xyz']) {
      const message = Buffer.from(`${prefix}client_secret=abcdefgh&grant_type=x`).toString('base64');
      expect(redactSecrets(message, ['abcdefgh'])).toContain(REDACTED);
    }
  });

  it('skips missing, empty and three-character secrets, and keeps four-character ones', () => {
    expect(redactSecrets('abc abcd', [undefined, '', 'abc'])).toBe('abc abcd');
    expect(redactSecrets('abc abcd', ['abcd'])).toBe(`abc ${REDACTED}`);
  });

  it('cleans every secret given, and text without one stays as it is', () => {
    expect(redactSecrets('one two three', ['one-', 'three', 'two '])).toBe(`one ${REDACTED}${REDACTED}`);
    expect(redactSecrets('nothing here', ['secret'])).toBe('nothing here');
  });
});

describe('quoteServerText', () => {
  it('replaces control characters and line separators with spaces, and nothing else', () => {
    const controls = '\u0000\u0009\u000a\u001b\u001f\u007f\u0085\u009f\u2028\u2029';
    expect(quoteServerText(`a${controls}b`, [], 100)).toBe(`a${' '.repeat(controls.length)}b`);
    const printable = ' ~\u00a0é\u2027\u202a';
    expect(quoteServerText(printable, [], 100)).toBe(printable);
  });

  it('finds a secret with spaces echoed with control characters in their place, as the text will show', () => {
    const secret = 'correct horse battery staple';
    for (const separator of ['\t', '\n', '\u2028', '\u0000'])
      expect(quoteServerText(`bad secret ${secret.replaceAll(' ', separator)}`, [secret], 200)).toBe(
        `bad secret ${REDACTED}`,
      );
  });

  it('cleans the secrets before it cuts', () => {
    expect(quoteServerText('token=supersecret', ['supersecret'], 100)).toBe(`token=${REDACTED}`);
    // The cut falls inside the secret: cleaning first means no prefix of it is kept.
    expect(quoteServerText('token=supersecret', ['supersecret'], 9)).toBe(`token=[RE…`);
  });

  it('cuts to max characters with an ellipsis, and keeps text of exactly max', () => {
    expect(quoteServerText('abcdef', [], 6)).toBe('abcdef');
    expect(quoteServerText('abcdefg', [], 6)).toBe('abcdef…');
  });
});

describe('fingerprint', () => {
  // FNV-1a, 32 bits, written independently with BigInt.
  function fnv1a(text: string): string {
    let hash = 0x811c9dc5n;
    for (const unit of Array.from({ length: text.length }, (_, i) => text.charCodeAt(i))) {
      hash ^= BigInt(unit);
      hash = (hash * 0x01000193n) & 0xffffffffn;
    }
    return hash.toString(16).padStart(8, '0');
  }

  it('is FNV-1a of the UTF-16 code units, as eight hex digits', () => {
    expect(fingerprint('')).toBe('811c9dc5');
    expect(fingerprint('a')).toBe('e40c292c');
    for (const text of ['token', 'é', '\u{1f600}', 'x'.repeat(1000)]) expect(fingerprint(text)).toBe(fnv1a(text));
  });

  it('keeps leading zeros', () => {
    let i = 0;
    while (!fnv1a(String(i)).startsWith('0')) i++;
    const text = String(i);
    expect(fingerprint(text)).toMatch(/^0[0-9a-f]{7}$/);
    expect(fingerprint(text)).toBe(fnv1a(text));
  });
});

describe('redactSecrets: escapings no listed form covers', () => {
  const secret = 'abc+def&ghi/jkl=é';
  const nfd = secret.normalize('NFD');
  const latin1Percent = 'abc%2Bdef%26ghi%2Fjkl%3D%E9';
  const jsonThenPercent = encodeURIComponent(JSON.stringify('abc+def&ghi\\/jkl=é'));
  const percentThenHtml = 'abc%2Bdef%26ghi%2Fjkl%3D%C3%A9'.replace(/%/g, '&#37;');
  it.each([
    ["PHP's json_encode (\\/)", '{"client_secret":"abc+def&ghi\\/jkl=é"}'],
    [
      ".NET's System.Text.Json (\\u002B, upper-case \\u00E9)",
      '{"client_secret":"abc\\u002Bdef\\u0026ghi/jkl=\\u00E9"}',
    ],
    ['encodeURI', 'secret=abc+def&ghi/jkl=%C3%A9'],
    ["Python's quote", 'secret=abc%2Bdef%26ghi/jkl%3D%C3%A9'],
    ['decimal character references', 'abc&#43;def&#38;ghi&#47;jkl&#61;&#233;'],
    ['hex character references, upper case', 'abc&#X2B;def&amp;ghi&#x2f;jkl=&#xE9;'],
    ["PHP's htmlentities", 'abc+def&amp;ghi/jkl=&eacute;'],
    ['HTML5 named references', 'abc&plus;def&amp;ghi&sol;jkl&equals;é'],
    ['Latin-1 percent-encoding', latin1Percent],
    ['UTF-8 read as Latin-1', 'abc+def&ghi/jkl=Ã©'],
    ["Python's bytes repr", "b'abc+def&ghi/jkl=\\xc3\\xa9'"],
    ['Unicode NFD, the accent as a character reference', 'abc+def&amp;ghi/jkl=e&#x301;'],
    ['quoted-printable', 'abc+def&ghi/jkl=3D=C3=A9'],
    ['JSON-escaped, then percent-encoded', jsonThenPercent],
    ['percent-encoded, then HTML references', percentThenHtml],
    ['percent-encoded three times', encodeURIComponent(encodeURIComponent(encodeURIComponent(secret)))],
  ])('%s: the whole text is replaced', (_name, text) => {
    expect(redactSecrets(`bad request ${text} end`, [secret])).toBe(REDACTED);
  });

  it('finds UTF-8 read as Latin-1 in a text that also holds characters beyond Latin-1 (curly quotes, €)', () => {
    for (const text of ['Invalid client secret “motdepassÃ©”', '€ motdepassÃ©', 'motdepassÃ© — and é alone'])
      expect(redactSecrets(text, ['motdepassé'])).toBe(REDACTED);
    expect(holdsSecret('{"a":"€","b":"motdepassÃ©"}', ['motdepassé'])).toBe(true);
  });

  it('finds a token quoted with escaped slashes', () => {
    expect(redactSecrets('Bearer tok\\/AbC+dEf\\/123= refused', ['tok/AbC+dEf/123='])).toBe(REDACTED);
  });

  it('never unescapes what it keeps: escaped text without a secret stays exactly as it was', () => {
    for (const text of [
      'a\\u00E9 b%2F c&#47; d\\/ e=3D',
      '&lt;img src=x onerror=alert(1)&gt;',
      'line\\u000Aforged \\u001b[2J',
      'abc+def&ghi/jkl=e', // the secret but for its last letter
    ]) {
      expect(redactSecrets(text, [secret])).toBe(text);
    }
  });

  it('keeps what a listed form already cleaned in place, with its context', () => {
    expect(redactSecrets(`a ${encodeURIComponent(secret)} b`, [secret])).toBe(`a ${REDACTED} b`);
    // The decomposed spelling is a listed form: replaced in place too.
    expect(redactSecrets(`a ${nfd} b`, [secret])).toBe(`a ${REDACTED} b`);
  });

  it('looks at a text that holds no piece of the secret as written', () => {
    const symbols = '+&/=%é!';
    expect(redactSecrets(`x ${symbols.replace('+', '\\u002B')} y`, [symbols])).toBe(REDACTED);
  });
});

describe('redactSecrets: huge escaped texts', () => {
  it('reads a megabyte of percent-encoded bytes as Latin-1 without running out of stack', () => {
    const text = `${'%41'.repeat(400_000)} abc%2Bdef%26ghi%2Fjkl%3D%E9`;
    expect(redactSecrets(text, ['abc+def&ghi/jkl=é'])).toBe(REDACTED);
    expect(redactSecrets('%41'.repeat(400_000), ['abc+def&ghi/jkl=é'])).toBe('%41'.repeat(400_000));
  });
});

describe('secretForms: bytes under 0x10 and the bound of the cache', () => {
  it('writes a byte under 0x10 with its leading zero in the hex and every-byte percent forms', () => {
    const secret = 'tab\there'; // the tab is byte 09
    const hex = Buffer.from(secret).toString('hex');
    expect(hex).toBe('7461620968657265');
    expect(secretForms(secret)).toEqual(expect.arrayContaining([hex, hex.toUpperCase(), '%74%61%62%09%68%65%72%65']));
    expect(redactSecrets(`echo ${hex} end`, [secret])).toBe(`echo ${REDACTED} end`);
  });

  /** The forms function of a freshly loaded module, whose cache starts empty. */
  function freshSecretForms(): typeof secretForms {
    let fresh: typeof secretForms | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      fresh = (require('../../src/errors/redact') as { secretForms: typeof secretForms }).secretForms;
    });
    return fresh!;
  }

  it('keeps the forms of 1,024 secrets, and forgets them all when a 1,025th is computed', () => {
    const forms = freshSecretForms();
    const first = forms('kept-secret-0');
    const others = Array.from({ length: 1023 }, (_, i) => forms(`kept-secret-${i + 1}`));
    // 1,024 secrets held (the key material of dozens of tenants): each is still served from the cache.
    expect(forms('kept-secret-0')).toBe(first);
    expect(forms('kept-secret-1')).toBe(others[0]);
    expect(forms('kept-secret-1023')).toBe(others[1022]);
    forms('kept-secret-1024');
    const again = forms('kept-secret-0');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('forgets them all when the forms kept would pass 4 Mi characters (a bound on memory, whatever the secrets)', () => {
    const forms = freshSecretForms();
    const size = (list: readonly string[]) => list.reduce((sum, form) => sum + form.length, 0);
    const first = forms('kept-secret-0');
    const long = ['a', 'b', 'c'].map((letter) => forms(`long-${letter.repeat(60_000)}`));
    expect(size(long.flat())).toBeLessThan(4 * 1024 * 1024);
    expect(size(long.flat()) + size(long[0]!)).toBeGreaterThan(4 * 1024 * 1024);
    expect(forms('kept-secret-0')).toBe(first); // three long secrets fit
    forms(`long-${'d'.repeat(60_000)}`); // a fourth would pass the bound
    expect(forms('kept-secret-0')).not.toBe(first);
  });

  it('keeps the forms of one secret while another is computed', () => {
    const forms = freshSecretForms();
    const first = forms('first-secret');
    forms('second-secret');
    expect(forms('first-secret')).toBe(first);
  });
});

describe('redactSecrets: several secrets', () => {
  it('replaces a secret that holds another whole, whatever the order the secrets are given in', () => {
    expect(redactSecrets('token abcdefgh end', ['abcd', 'abcdefgh'])).toBe(`token ${REDACTED} end`);
    expect(redactSecrets('token abcdefgh end', ['abcdefgh', 'abcd'])).toBe(`token ${REDACTED} end`);
    expect(redactSecrets('token abcd-efgh end', ['abcd', 'abcdefgh'])).toBe(`token ${REDACTED}-efgh end`);
  });
});

describe('redactSecrets: HTML5 named references of punctuation', () => {
  it.each([
    ['bsol', '\\'],
    ['lpar', '('],
    ['ast', '*'],
    ['lsqb', '['],
    ['Hat', '^'],
  ])('reads &%s; as %s', (name, char) => {
    const secret = `s3cretkey${char}`;
    // The reference ends the text: a backslash would otherwise escape what follows it.
    expect(redactSecrets(`invalid secret: s3cretkey&${name};`, [secret])).toBe(REDACTED);
    expect(redactSecrets(`invalid secret: s3cretkey&${name};`, ['s3cretkey-'])).toBe(
      `invalid secret: s3cretkey&${name};`,
    );
  });
});

describe('redactSecrets: readings it does not make', () => {
  it('does not read characters beyond Latin-1 as bytes of UTF-8 (only their low bytes would spell the secret)', () => {
    // U+01C3 and U+01A9 have the low bytes C3 A9, the UTF-8 of é; the é after them is Latin-1.
    const text = 'motdepass\u01c3\u01a9 (\u00e9)';
    expect(redactSecrets(text, ['motdepassé'])).toBe(text);
    expect(holdsSecret(text, ['motdepassé'])).toBe(false);
  });
});

describe('holdsSecret', () => {
  it('says no, without throwing, when no secret is worth looking for', () => {
    expect(holdsSecret('token abcd', [])).toBe(false);
    expect(holdsSecret('token abc', [undefined, '', 'abc'])).toBe(false);
  });

  it('says yes for a listed form and for a secret that shows once unescaped, no otherwise', () => {
    expect(holdsSecret(`token ${encodeURIComponent('ab/cd')}`, ['ab/cd'])).toBe(true);
    expect(holdsSecret('token ab&sol;cd', ['ab/cd'])).toBe(true);
    expect(holdsSecret('token ab-cd', ['ab/cd'])).toBe(false);
  });
});

describe('redactSecrets: a secret in another Unicode normal form', () => {
  const nfd = 'Zu\u0308rich-Se\u0301cret-Kx9Qw2Lp'; // as read from a file written on macOS
  const nfc = nfd.normalize('NFC');
  const asciiJson = (text: string) =>
    text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

  it.each([
    ['raw', nfc],
    ['JSON-escaped', asciiJson(nfc)],
    ['percent-encoded', encodeURIComponent(nfc)],
    ['form-encoded', new URLSearchParams({ a: nfc }).toString().slice(2)],
  ])('finds a decomposed secret that the server composed, %s, and cleans it in place', (_name, echo) => {
    expect(redactSecrets(`bad secret ${echo}.`, [nfd])).toBe(`bad secret ${REDACTED}.`);
    expect(holdsSecret(`bad secret ${echo}.`, [nfd])).toBe(true);
  });

  it('finds a composed secret that the server decomposed, and one composed only in part', () => {
    expect(redactSecrets(`bad secret ${encodeURIComponent(nfd)}.`, [nfc])).toBe(`bad secret ${REDACTED}.`);
    const mixed = 'Zu\u0308rich-S\u00e9cret-Kx9Qw2Lp';
    expect(redactSecrets(`bad secret ${asciiJson(mixed)}.`, [nfd])).toBe(REDACTED);
    expect(redactSecrets(`bad secret ${asciiJson(mixed)}.`, [nfc])).toBe(REDACTED);
  });
});

describe('redactSecrets: UTF-8 read as windows-1252', () => {
  // windows-1252's characters for the bytes 0x80–0x9F (WHATWG's index), written out: Node's own
  // TextDecoder reads that label as ISO-8859-1.
  const high = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
  /** The UTF-8 of `text` read as windows-1252, as browsers, Java, .NET and Python do. */
  const cp1252 = (text: string) =>
    [...Buffer.from(text, 'utf8')]
      .map((byte) => (byte >= 0x80 && byte < 0xa0 ? high[byte - 0x80]! : String.fromCharCode(byte)))
      .join('');

  it('misreads € and ß as windows-1252 does', () => {
    expect(cp1252('Preis€100')).toBe('Preisâ‚¬100');
    expect(cp1252('Straße')).toBe('StraÃŸe');
  });

  it.each(['Preis€100-Kx9Qw2Lp', 'Straße-Kx9Qw2Lp', 'Škoda-Kx9Qw2Lp', 'Zürich-Kx9Qw2Lp', 'naïve—Kx9Qw2Lp'])(
    'finds %s misread, raw and URI-encoded',
    (secret) => {
      expect(cp1252(secret)).not.toBe(secret);
      for (const echo of [cp1252(secret), encodeURIComponent(cp1252(secret)), `“${cp1252(secret)}”`]) {
        expect(redactSecrets(`unknown secret ${echo}`, [secret])).toBe(REDACTED);
        expect(holdsSecret(`{"error_description":"unknown secret ${echo}"}`, [secret], 1)).toBe(true);
      }
    },
  );

  it('reads the misread of the bytes 0x80–0x9F back, as Preisâ‚¬ and StraÃŸe spell them', () => {
    expect(redactSecrets('Preis\u00e2\u201a\u00ac100-Kx9Qw2Lp', ['Preis€100-Kx9Qw2Lp'])).toBe(REDACTED);
    expect(redactSecrets('Stra\u00c3\u0178e-Kx9Qw2Lp', ['Straße-Kx9Qw2Lp'])).toBe(REDACTED);
    // Still read as ISO-8859-1 (C1 controls for the same bytes).
    expect(redactSecrets('Stra\u00c3\u009fe-Kx9Qw2Lp', ['Straße-Kx9Qw2Lp'])).toBe(REDACTED);
    expect(redactSecrets('Stra\u00c3\u0178e-Kx9Qw2Lq', ['Straße-Kx9Qw2Lp'])).toBe('Stra\u00c3\u0178e-Kx9Qw2Lq');
  });
});

describe('redactSecrets: escapes applied to letters and digits', () => {
  const secret = 'Kx9Qw2LpAbCdEf';
  const chars = [...secret];
  const hex4 = (c: string) => c.charCodeAt(0).toString(16).padStart(4, '0');
  const bytes = [...Buffer.from(secret)];

  it.each([
    ['JSON \\u on every character, lower-case hex', chars.map((c) => `\\u${hex4(c)}`).join('')],
    ['JSON \\u on every character, upper-case hex', chars.map((c) => `\\u${hex4(c).toUpperCase()}`).join('')],
    ['JSON \\u on the first character only', `\\u${hex4(chars[0]!)}${chars.slice(1).join('')}`],
    ['JSON \\u on the last character only', `${chars.slice(0, -1).join('')}\\u${hex4(chars.at(-1)!)}`],
    ['HTML hex references', chars.map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('')],
    ['HTML hex references, upper case', chars.map((c) => `&#X${c.charCodeAt(0).toString(16).toUpperCase()};`).join('')],
    ['HTML decimal references', chars.map((c) => `&#${c.charCodeAt(0)};`).join('')],
    ['an HTML hex reference on the first letter', `&#x${secret.charCodeAt(0).toString(16)};${secret.slice(1)}`],
    ['an HTML decimal reference on the first letter', `&#${secret.charCodeAt(0)};${secret.slice(1)}`],
    ['every byte percent-encoded twice', bytes.map((b) => `%25${b.toString(16).toUpperCase()}`).join('')],
    ['\\x escapes', chars.map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('')],
    ['\\u{…} escapes', chars.map((c) => `\\u{${c.charCodeAt(0).toString(16)}}`).join('')],
    ['quoted-printable on the first letter', `=${secret.charCodeAt(0).toString(16).toUpperCase()}${secret.slice(1)}`],
  ])('%s: the whole text is replaced', (_name, echo) => {
    expect(echo.includes(secret)).toBe(false);
    expect(redactSecrets(`invalid_request: ${echo}`, [secret])).toBe(REDACTED);
    expect(holdsSecret(JSON.stringify({ error_description: echo }), [secret], 1)).toBe(true);
  });

  it('reads \\u{…} beyond the BMP, and leaves an out-of-range one as it is', () => {
    expect(redactSecrets('key \\u{1F511}-Kx9Qw2Lp', ['🔑-Kx9Qw2Lp'])).toBe(REDACTED);
    expect(redactSecrets('key \\u{110000}-Kx9Qw2Lp', ['🔑-Kx9Qw2Lp'])).toBe('key \\u{110000}-Kx9Qw2Lp');
  });

  it('finds a secret that shows only half-way through the unescaping', () => {
    // `ab%41cd` shows after one pass; a second pass would read its `%41` on as `A`.
    expect(redactSecrets('secret ab&#37;41cd!', ['ab%41cd'])).toBe(REDACTED);
  });

  it('holds the hex of the form-encoded secret, as a hex dump of a whole form body shows it', () => {
    const withReserved = 'Sup3rS3cret-Kx9Qw2Lp/+=';
    const body = `client_id=my-client&client_secret=${encodeURIComponent(withReserved)}`;
    const hex = Buffer.from(body).toString('hex');
    expect(secretForms(withReserved)).toEqual(
      expect.arrayContaining([Buffer.from(encodeURIComponent(withReserved)).toString('hex')]),
    );
    for (const dump of [hex, hex.toUpperCase()]) {
      const clean = redactSecrets(`dump ${dump}`, [withReserved]);
      expect(clean).toContain(REDACTED);
      expect(clean).not.toContain(Buffer.from(encodeURIComponent(withReserved)).toString('hex').slice(0, 12));
    }
  });

  it('reads =HH as quoted-printable wherever it stands, as the letters of a secret too', () => {
    // `=41` reads as `A`: the text may hold `Abcdef12` with its first letter escaped.
    expect(redactSecrets('etag=41bcdef12', ['Abcdef12'])).toBe(REDACTED);
    expect(redactSecrets('etag=41bcdef13', ['Abcdef12'])).toBe('etag=41bcdef13');
    expect(redactSecrets('secret=3DAbcdef12=3D', ['=Abcdef12='])).toBe(REDACTED);
  });

  it('leaves a text whose escapes spell something else as it was', () => {
    const text = chars.map((c) => `\\u${hex4(c === 'E' ? 'F' : c)}`).join('');
    expect(redactSecrets(text, [secret])).toBe(text);
    expect(holdsSecret(text, [secret])).toBe(false);
  });
});

describe('redactSecrets: long secrets', () => {
  /** A secret of `length` base64url characters, as a long client assertion or key is made of. */
  const longSecret = (length: number, seed: number) => {
    let text = '';
    let x = seed;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    while (text.length < length) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      text += alphabet[x >>> 26]!;
    }
    return text;
  };

  it.each([10_000, 12_000, 22_000, 100_000])(
    'cleans a secret of %i characters in every form, without throwing',
    (n) => {
      const secret = longSecret(n, n);
      const others = [longSecret(5_000, 1), 'tok_short_1234'];
      for (const echo of [
        secret,
        Buffer.from(secret).toString('hex'),
        encodeURIComponent(`${secret}/`).replace(/[A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16)}`),
        Buffer.from(secret).toString('base64'),
      ]) {
        const text = `invalid_client: ${echo} tok_short_1234`;
        expect(() => redactSecrets(text, [secret, ...others])).not.toThrow();
        const clean = redactSecrets(text, [secret, ...others]);
        expect(clean).not.toContain(echo.slice(0, 64));
        expect(clean).not.toContain('tok_short_1234');
        expect(holdsSecret(text, [secret, ...others])).toBe(true);
      }
      expect(redactSecrets('invalid_client', [secret, ...others])).toBe('invalid_client');
      expect(quoteServerText('invalid_client', [secret, ...others], 64)).toBe('invalid_client');
    },
  );

  it('cleans as well on an engine that refuses long regular expressions: forms are searched as plain strings', () => {
    const Original = RegExp;
    // An engine with a lower limit than V8's: it refuses any pattern of more than 100 characters.
    globalThis.RegExp = new Proxy(Original, {
      construct(target, args: [string, string?]) {
        if (String(args[0]).length > 100) throw new SyntaxError('Invalid regular expression: too large');
        return new target(...args);
      },
    });
    try {
      const secret = 'refused-pattern-secret-1';
      const text = `a ${secret} b ${encodeURIComponent(`${secret}/`)} c`;
      expect(redactSecrets(text, [secret, `${secret}/`])).toBe(`a ${REDACTED} b ${REDACTED} c`);
      expect(holdsSecret(text, [secret, `${secret}/`])).toBe(true);
      expect(holdsSecret('a b c', [secret, `${secret}/`])).toBe(false);
    } finally {
      globalThis.RegExp = Original;
    }
  });
});

describe('redactSecrets: lone surrogates', () => {
  it.each([
    ['a high surrogate alone', 'abc\ud800def-Kx9Qw2Lp'],
    ['a low surrogate alone', 'abc\udc00def-Kx9Qw2Lp'],
    ['a pair cut at the end', 'pässwörd-Kx9Qw2Lp-🔑'.slice(0, -1)],
  ])('cleans a secret with %s, as given and as it was sent, without throwing', (_name, secret) => {
    const sent = secret.replace(/[\ud800-\udfff]/g, '\ufffd');
    for (const echo of [secret, sent, encodeURIComponent(sent), JSON.stringify(secret).slice(1, -1)]) {
      const text = `bad secret ${echo} end`;
      expect(() => redactSecrets(text, [secret])).not.toThrow();
      expect(redactSecrets(text, [secret])).toBe(`bad secret ${REDACTED} end`);
      expect(holdsSecret(text, [secret])).toBe(true);
    }
    expect(quoteServerText('invalid_client \ud800', [secret], 64)).toBe('invalid_client \ud800');
    expect(() => secretForms(secret)).not.toThrow();
  });
});
