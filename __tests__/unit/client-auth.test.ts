import fc from 'fast-check';
import { basicAuthorization, buildGrantRequest } from '../../src/token/client-auth';
import { formUrlEncode } from '../../src/util/encoding';

function decodeBasic(header: string): [string, string] {
  const decoded = atob(header.replace(/^Basic /, ''));
  const colon = decoded.indexOf(':');
  const unform = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
  return [unform(decoded.slice(0, colon)), unform(decoded.slice(colon + 1))];
}

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('form-encodes id and secret before base64, so a colon in the id is unambiguous', () => {
    const header = basicAuthorization({ clientId: 'my:client id', clientSecret: 'p@ss:w%rd+é' });
    expect(atob(header.slice(6))).toBe('my%3Aclient+id:p%40ss%3Aw%25rd%2B%C3%A9');
  });

  it('encodes the RFC 6749 Appendix B characters as a form encoder does', () => {
    expect(formUrlEncode("client %&+-_.!~*'()")).toBe('client+%25%26%2B-_.%21%7E*%27%28%29');
  });

  it('round-trips any id and secret', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1 }),
        fc.string({ unit: 'grapheme', minLength: 1 }),
        (clientId, clientSecret) => {
          const header = basicAuthorization({ clientId, clientSecret });
          const before = atob(header.slice(6));
          const [id, secret] = decodeBasic(header);
          return /^[A-Za-z0-9%+*\-._:]*$/.test(before) && id === clientId && secret === clientSecret;
        },
      ),
      { numRuns: 1000, seed: 11 },
    );
  });
});

describe('buildGrantRequest', () => {
  const credentials = { clientId: 'id', clientSecret: 's3cret' };

  it('puts the credentials in the Authorization header only, with basic', () => {
    const request = buildGrantRequest({ grant_type: 'client_credentials' }, credentials, 'client_secret_basic', 'form');
    expect(request.data).toBe('grant_type=client_credentials');
    expect(request.headers).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${btoa('id:s3cret')}`,
    });
  });

  it('puts the credentials in the body only, with post', () => {
    const request = buildGrantRequest({ grant_type: 'client_credentials' }, credentials, 'client_secret_post', 'form');
    expect(request.data).toBe('grant_type=client_credentials&client_id=id&client_secret=s3cret');
    expect(request.headers.Authorization).toBeUndefined();
  });

  it('sends JSON when asked', () => {
    const request = buildGrantRequest(
      { grant_type: 'refresh_token', refresh_token: 'rt' },
      credentials,
      'client_secret_post',
      'json',
    );
    expect(JSON.parse(request.data)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt',
      client_id: 'id',
      client_secret: 's3cret',
    });
    expect(request.headers['Content-Type']).toBe('application/json');
  });

  it('sends client_id, the assertion type and the assertion with private_key_jwt, and no secret', () => {
    const request = buildGrantRequest(
      { grant_type: 'client_credentials' },
      { clientId: 'id', privateKey: { kty: 'EC', d: 'x' } },
      'private_key_jwt',
      'form',
      'h.p.s',
    );
    expect(Object.fromEntries(new URLSearchParams(request.data))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'id',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'h.p.s',
    });
    expect(request.headers).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(() =>
      buildGrantRequest(
        { grant_type: 'client_credentials' },
        { clientId: 'id', privateKey: 'k' },
        'private_key_jwt',
        'form',
      ),
    ).toThrow(/needs a client assertion/);
  });

  it.each(['tls_client_auth', 'self_signed_tls_client_auth'] as const)(
    'sends client_id alone with %s: the certificate authenticates',
    (method) => {
      const request = buildGrantRequest({ grant_type: 'client_credentials' }, { clientId: 'id' }, method, 'json');
      expect(JSON.parse(request.data)).toEqual({ grant_type: 'client_credentials', client_id: 'id' });
      expect(request.headers.Authorization).toBeUndefined();
    },
  );
});
