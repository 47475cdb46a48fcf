import { isStoredToken, tokenStoreKey } from '../../src/store/token-store';

// What a store hands back is read as a token only if every field has its type: a value written by
// another version, another program or a corrupted cache counts as "no token".
describe('isStoredToken', () => {
  const valid = { accessToken: 'at', issuedAt: 1, expiresAt: 2 };

  it.each([
    ['the required fields', valid],
    ['a refresh token and its expiry', { ...valid, refreshToken: 'rt', refreshExpiresAt: 3 }],
    ['a DPoP token and the thumbprint of its key', { ...valid, tokenType: 'DPoP', jkt: 'thumb' }],
  ])('accepts %s', (_name, value) => {
    expect(isStoredToken(value)).toBe(true);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'at'],
    ['a number', 1],
    ['an empty access token', { ...valid, accessToken: '' }],
    ['an access token that is not a string', { ...valid, accessToken: 1 }],
    ['no access token', { issuedAt: 1, expiresAt: 2 }],
    ['no issuedAt', { accessToken: 'at', expiresAt: 2 }],
    ['an issuedAt that is a string', { ...valid, issuedAt: '1' }],
    ['no expiresAt', { accessToken: 'at', issuedAt: 1 }],
    ['an expiresAt that is a string', { ...valid, expiresAt: '2' }],
    ['a refresh token that is not a string', { ...valid, refreshToken: 1 }],
    ['a refresh token that is null', { ...valid, refreshToken: null }],
    ['a refresh expiry that is not a number', { ...valid, refreshToken: 'rt', refreshExpiresAt: '3' }],
    ['a refresh expiry that is null', { ...valid, refreshToken: 'rt', refreshExpiresAt: null }],
    // A DPoP token is usable only with its key: without the thumbprint it cannot be told whose it is.
    ['a DPoP token without a thumbprint', { ...valid, tokenType: 'DPoP' }],
    ['a DPoP token with an empty thumbprint', { ...valid, tokenType: 'DPoP', jkt: '' }],
    ['a DPoP token with a thumbprint that is not a string', { ...valid, tokenType: 'DPoP', jkt: 1 }],
    ['a thumbprint without the DPoP type', { ...valid, jkt: 'thumb' }],
    ['another token type', { ...valid, tokenType: 'Bearer' }],
    ['a token type in another case', { ...valid, tokenType: 'dpop', jkt: 'thumb' }],
  ])('rejects %s', (_name, value) => {
    expect(isStoredToken(value)).toBe(false);
  });
});

// Replicas of different versions share a store during a rolling deploy: the key is a format that
// must not change by accident, and two different clients must never share a key.
describe('tokenStoreKey', () => {
  const url = 'https://pay.example/api/v1/oauth2/token';

  it('is the prefix, the encoded token URL and the encoded client id', () => {
    expect(tokenStoreKey('p:', url, 'client 1', {})).toBe(
      'p:https%3A%2F%2Fpay.example%2Fapi%2Fv1%2Foauth2%2Ftoken:client%201',
    );
  });

  it('appends the token parameters, sorted by name and encoded', () => {
    expect(tokenStoreKey('p:', url, 'c', { scope: 'a b', audience: 'x&y=z' })).toBe(
      'p:https%3A%2F%2Fpay.example%2Fapi%2Fv1%2Foauth2%2Ftoken:c:audience=x%26y%3Dz&scope=a%20b',
    );
  });

  it("with DPoP, ends with the key's thumbprint, encoded", () => {
    expect(tokenStoreKey('p:', url, 'c', { scope: 'a' }, 'ab/c+d')).toBe(
      'p:https%3A%2F%2Fpay.example%2Fapi%2Fv1%2Foauth2%2Ftoken:c:scope=a:jkt=ab%2Fc%2Bd',
    );
    expect(tokenStoreKey('p:', url, 'c', {}, 'k')).toBe(`${tokenStoreKey('p:', url, 'c', {})}:jkt=k`);
  });

  it('does not depend on the order the parameters were given in', () => {
    expect(tokenStoreKey('p:', url, 'c', { b: '2', a: '1' })).toBe(tokenStoreKey('p:', url, 'c', { a: '1', b: '2' }));
  });

  it.each([
    ['another client id', [url, 'c2', {}]],
    ['another token URL', ['https://other.example/token', 'c', {}]],
    ['another scope', [url, 'c', { scope: 'b' }]],
    ['a parameter value that spells another parameter', [url, 'c', { scope: 'a&audience=x' }]],
    ['a client id that spells a parameter', [url, 'c:scope=a', {}]],
  ] as const)('differs for %s', (_name, [u, id, params]) => {
    const base = tokenStoreKey('p:', url, 'c', { scope: 'a', audience: 'x' });
    expect(tokenStoreKey('p:', u, id, params)).not.toBe(base);
    expect(tokenStoreKey('p:', u, id, params)).not.toBe(tokenStoreKey('p:', url, 'c', { scope: 'a' }));
  });
});
