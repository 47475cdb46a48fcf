import fc from 'fast-check';
import { isPaymentAuthError } from '../../src/errors/payment-auth-error';
import {
  decodeTokenBody,
  parseExpiresIn,
  readOAuthError,
  toTokenGrant,
  tokensOf,
} from '../../src/token/token-response';

function rejects(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isPaymentAuthError(error)).toBe(true);
    return (error as { code: string }).code;
  }
  throw new Error('expected a rejection');
}

describe('decodeTokenBody', () => {
  it.each([
    ['an empty body', '', 'application/json'],
    ['an HTML page from a gateway', '<html><body>502</body></html>', 'text/html'],
    ['truncated JSON', '{"access_token":"abc', 'application/json'],
    ['JSON null', 'null', 'application/json'],
    ['a JSON array', '[]', 'application/json'],
    ['a JSON string', '"token"', 'application/json'],
  ])('rejects %s with TOKEN_RESPONSE_INVALID and without quoting it', (_name, body, type) => {
    try {
      decodeTokenBody(body, type);
      throw new Error('accepted');
    } catch (error) {
      expect(isPaymentAuthError(error) && error.code).toBe('TOKEN_RESPONSE_INVALID');
      if (body.length > 4) expect((error as Error).message).not.toContain(body);
    }
  });

  it('reads a form-encoded body, as older servers send', () => {
    expect(
      decodeTokenBody('access_token=abc&token_type=bearer&expires_in=60', 'application/x-www-form-urlencoded'),
    ).toEqual({
      access_token: 'abc',
      token_type: 'bearer',
      expires_in: '60',
    });
  });

  it('reads JSON whatever the content type says', () => {
    expect(decodeTokenBody(' {"access_token":"x"} ', 'text/plain')).toEqual({ access_token: 'x' });
  });
});

describe('toTokenGrant', () => {
  it('accepts a Payment API token response', () => {
    expect(
      toTokenGrant({ access_token: 'at_1', token_type: 'Bearer', expires_in: 900, refresh_token: 'rt_1' }),
    ).toEqual({
      accessToken: 'at_1',
      expiresInS: 900,
      refreshToken: 'rt_1',
      refreshExpiresInS: undefined,
    });
  });

  it.each(['bearer', 'BEARER', 'Bearer', undefined, null])(
    'accepts token_type %p (RFC 6749 §5.1: case-insensitive)',
    (tokenType) => {
      expect(toTokenGrant({ access_token: 'a', token_type: tokenType }).accessToken).toBe('a');
    },
  );

  it.each([
    ['no access_token', { token_type: 'Bearer' }],
    ['an empty access_token', { access_token: '' }],
    ['a numeric access_token', { access_token: 42 }],
    ['an access_token with CR LF', { access_token: 'abc\r\nX-Evil: 1' }],
    ['an access_token with a space', { access_token: 'abc def' }],
    ['token_type DPoP', { access_token: 'a', token_type: 'DPoP' }],
    ['token_type mac', { access_token: 'a', token_type: 'mac' }],
    ['a numeric token_type', { access_token: 'a', token_type: 1 }],
    ['expires_in as a date string', { access_token: 'a', expires_in: '2026-12-01T00:00:00Z' }],
    ['expires_in "abc"', { access_token: 'a', expires_in: 'abc' }],
    ['expires_in true', { access_token: 'a', expires_in: true }],
    ['expires_in an object', { access_token: 'a', expires_in: {} }],
    ['a numeric refresh_token', { access_token: 'a', refresh_token: 7 }],
  ])('rejects %s', (_name, body) => {
    expect(rejects(() => toTokenGrant(body))).toBe('TOKEN_RESPONSE_INVALID');
  });

  it('treats an empty refresh_token as none', () => {
    expect(toTokenGrant({ access_token: 'a', refresh_token: '' }).refreshToken).toBeUndefined();
  });

  it('ignores unknown fields (RFC 6749 §5.1)', () => {
    expect(toTokenGrant({ access_token: 'a', scope: 'x', id_token: 'y', foo: { bar: 1 } } as never).accessToken).toBe(
      'a',
    );
  });
});

describe("toTokenGrant: a refused field that quotes the answer's own tokens", () => {
  const AT = 'at_Zk29xQpLmN3vB8wRt6Yh';
  const RT = 'rt_Qm4Lp9Xw2Kx8Vb7Nc3Zd';

  /** The message of the error of `body`. */
  function messageOf(body: Record<string, unknown>, quote?: (text: string, tokens: readonly string[]) => string) {
    try {
      toTokenGrant(body, quote);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected a rejection');
  }

  it.each([
    ['the access token', { access_token: AT, token_type: `MAC ${AT}` }],
    ['the refresh token', { access_token: AT, token_type: `MAC ${RT}`, refresh_token: RT }],
    [
      'the access token, percent-encoded',
      { access_token: `${AT}/+`, token_type: `MAC ${encodeURIComponent(`${AT}/+`)}` },
    ],
  ])('never quotes %s in a bad token_type', (_name, body) => {
    const message = messageOf(body);
    expect(message).toContain('token_type "MAC [REDACTED]" is not Bearer');
    for (const token of [AT, RT]) expect(message).not.toContain(token.slice(0, 8));
  });

  it('gives the quote the tokens of the answer, and uses what it makes of the text', () => {
    const seen: (readonly string[])[] = [];
    const message = messageOf({ access_token: AT, refresh_token: RT, token_type: 'MAC x' }, (text, tokens) => {
      seen.push(tokens);
      return `<${text.length}>`;
    });
    expect(seen).toEqual([[AT, RT]]);
    expect(message).toContain('token_type "<5>" is not Bearer');
  });

  it('still quotes a token_type that holds no token', () => {
    expect(messageOf({ access_token: AT, token_type: 'mac' })).toContain('token_type "mac" is not Bearer');
  });
});

describe('tokensOf', () => {
  it('lists the access and refresh tokens that are strings, and nothing else', () => {
    expect(tokensOf({ access_token: 'a', refresh_token: 'r', token_type: 'Bearer' })).toEqual(['a', 'r']);
    expect(tokensOf({ access_token: 42, refresh_token: ['r'] })).toEqual([]);
    expect(tokensOf({})).toEqual([]);
  });
});

describe('readOAuthError', () => {
  it('finds an RFC 6749 §5.2 error, also in a 200 body', () => {
    expect(readOAuthError({ error: 'invalid_client', error_description: 'nope', access_token: 'x' })).toEqual({
      error: 'invalid_client',
      error_description: 'nope',
    });
  });
  it('ignores bodies without a string error', () => {
    expect(readOAuthError({ error: { code: 'X' } })).toBeUndefined();
    expect(readOAuthError({ access_token: 'x' })).toBeUndefined();
  });
});

describe('parseExpiresIn (properties)', () => {
  it('gives a finite number or undefined for every input, or a typed rejection', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double(),
          fc.integer(),
          fc.string(),
          fc.constant(null),
          fc.constant(undefined),
          fc.boolean(),
          fc.object(),
        ),
        (value) => {
          let result: number | undefined;
          try {
            result = parseExpiresIn(value);
          } catch (error) {
            return isPaymentAuthError(error) && error.code === 'TOKEN_RESPONSE_INVALID';
          }
          return result === undefined || Number.isFinite(result);
        },
      ),
      { numRuns: 2000, seed: 20261128 },
    );
  });

  it('reads numeric strings as numbers', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        (n) => parseExpiresIn(String(n)) === n && parseExpiresIn(` ${n} `) === n,
      ),
      { seed: 1 },
    );
  });
});

describe('decodeTokenBody + toTokenGrant (properties)', () => {
  it('never yields a token from arbitrary text unless it is a JSON object with a valid access_token', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const grant = toTokenGrant(decodeTokenBody(text, 'application/json'));
          const parsed = JSON.parse(text) as { access_token: unknown };
          return typeof parsed.access_token === 'string' && grant.accessToken === parsed.access_token;
        } catch (error) {
          return isPaymentAuthError(error);
        }
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('round-trips any valid token response', () => {
    const token = fc.stringMatching(/^[\x21-\x7E]{1,64}$/);
    fc.assert(
      fc.property(
        token,
        fc.option(token, { nil: undefined }),
        fc.integer({ min: -100, max: 10 ** 7 }),
        fc.constantFrom('Bearer', 'bearer', 'BEARER'),
        (at, rt, exp, type) => {
          const body = JSON.stringify({
            access_token: at,
            token_type: type,
            expires_in: exp,
            ...(rt ? { refresh_token: rt } : {}),
          });
          const grant = toTokenGrant(decodeTokenBody(body, 'application/json'));
          return grant.accessToken === at && grant.refreshToken === rt && grant.expiresInS === exp;
        },
      ),
      { seed: 3 },
    );
  });
});
