import { REDACTED, redactSecrets } from '../../src/errors/redact';

// A letter followed by combining marks out of canonical order (U+0301 is of class 230, U+0316 of
// class 220): Unicode normalisation sorts such a run in time quadratic in its length, so the
// cleaning must never hand a long run to `normalize` (a megabyte of them took minutes).
const SECRET = 'Sup3rS3cret-Kx9Qw2Lp';
const run = (n: number): string => `a${'\u0301'.repeat(n)}${'\u0316'.repeat(n)}`;

/** The longest run of combining marks in any string `normalize` is called on while `body` runs. */
function longestRunNormalized(body: () => void): number {
  const normalize = jest.spyOn(String.prototype, 'normalize');
  try {
    body();
    return Math.max(
      0,
      ...normalize.mock.contexts.map((text) =>
        Math.max(0, ...(String(text).match(/\p{M}+/gu) ?? []).map((marks) => marks.length)),
      ),
    );
  } finally {
    normalize.mockRestore();
  }
}

describe('redactSecrets: runs of combining marks out of canonical order', () => {
  it('never normalises a run of more than 32 of them, and finds the secret escaped among them', () => {
    const marks = run(5_000);
    let clean = '';
    const longest = longestRunNormalized(() => {
      clean = redactSecrets(`${marks} \\u0053up3rS3cret-Kx9Qw2Lp ${marks}`, [SECRET]);
    });
    expect(longest).toBeLessThanOrEqual(32);
    expect(clean).toBe(REDACTED);
  });

  it('leaves a text of them that quotes no secret as it is, and replaces a secret quoted as it is', () => {
    const marks = run(1000);
    expect(redactSecrets(marks, [SECRET])).toBe(marks);
    expect(redactSecrets(`${marks} ${SECRET} ${marks}`, [SECRET])).toBe(`${marks} ${REDACTED} ${marks}`);
  });

  it('still finds a decomposed secret with a few marks in a row', () => {
    const secret = 'Ke\u0301\u0316y-Sec\u0300ret';
    const text = `${run(100_000)} ${secret.normalize('NFC').replace('K', '\\u004b')}`;
    expect(redactSecrets(text, [secret])).toBe(REDACTED);
  });
});
