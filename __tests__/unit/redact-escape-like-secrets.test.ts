import { redactSecrets } from '../../src/errors/redact';

// A secret that itself holds an escape-like sequence: unescaping an escaped echo decodes the
// secret's own sequence too. Escapings written out here, never with the helpers under test.
const hex4 = (c: string): string => c.codePointAt(0)!.toString(16).padStart(4, '0');
const ESCAPINGS: Record<string, (s: string) => string> = {
  raw: (s) => s,
  'every character as \\uXXXX': (s) => [...s].map((c) => `\\u${hex4(c)}`).join(''),
  'the first letter as \\uXXXX': (s) => `\\u${hex4(s)}${s.slice(1)}`,
  'the first letter as &#NN;': (s) => `&#${s.codePointAt(0)!};${s.slice(1)}`,
  'every byte as \\xHH': (s) => [...Buffer.from(s)].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join(''),
  'every character as \\u{X}': (s) => [...s].map((c) => `\\u{${c.codePointAt(0)!.toString(16)}}`).join(''),
  'every byte as %hh': (s) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
  'quoted-printable': (s) =>
    [...Buffer.from(s)].map((b) => `=${b.toString(16).padStart(2, '0').toUpperCase()}`).join(''),
  encodeURI: (s) => encodeURI(s),
  encodeURIComponent: (s) => encodeURIComponent(s),
  'PHP json_encode': (s) => JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/'),
  '.NET System.Text.Json': (s) =>
    JSON.stringify(s)
      .slice(1, -1)
      .replace(/[<>&'+]/g, (c) => `\\u${hex4(c).toUpperCase()}`),
  'Go encoding/json': (s) =>
    JSON.stringify(s)
      .slice(1, -1)
      .replace(/[<>&]/g, (c) => `\\u${hex4(c)}`),
  JSON: (s) => JSON.stringify(s).slice(1, -1),
  'JSON twice': (s) => JSON.stringify(JSON.stringify(s)).slice(1, -1),
  HTML: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
};
const SECRETS = [
  'Kx9%2Fq+Lp-Secret7',
  'Kx9%2Fq/Lp-Secret7',
  'Kx9%2Fq&Lp-Secret7',
  'Kx9\\q/Lp-Secret7',
  'Kx9\\q-Lp-Secret7',
  'Kx9%3Dq-Lp-Secret7',
  'Kx9&amp;Lp-Secret7',
  'pass%20word-Kx9Qw2Lp',
  'pass%2Bword-Kx9Qw2Lp',
  'pass\\u0041word-Kx9Qw2Lp',
  'pass&#65;word-Kx9Qw2Lp',
  'pass=41word-Kx9Qw2Lp',
  'pass=3Dword-Kx9Qw2Lp',
  'pass\\x41word-Kx9',
  'pass\\nword-Kx9Qw2Lp',
  'pass\\\\word-Kx9Qw2Lp',
  'pass\\/word-Kx9',
  'pä&ss%20wörd+/=xyz',
  'p%E9ss-Kx9Qw2Lp',
  'p%C3%A9ss-Kx9Qw2Lp',
];

describe('redactSecrets: a secret that holds an escape-like sequence', () => {
  for (const secret of SECRETS) {
    it(`finds ${JSON.stringify(secret)} in every escaped echo`, () => {
      const kept = Object.entries(ESCAPINGS).filter(([, escape]) => {
        const echo = escape(secret);
        const clean = redactSecrets(`Invalid client secret: ${echo}.`, [secret]);
        return clean.includes(echo) || clean.includes(secret);
      });
      expect(kept.map(([name]) => name)).toEqual([]);
    });
  }

  it('leaves text that holds neither the secret nor its reading as it is', () => {
    const text = 'Invalid client secret: Kx9%2Fq+Lp-Other7 (see https://example.com/a%2Fb)';
    expect(redactSecrets(text, ['Kx9%2Fq+Lp-Secret7'])).toBe(text);
  });
});
