import { rejectedError, unavailableStatusError, unreadableResponseError } from '../../src/token/errors';

// The errors of the token side: what the message says, and which code and hint a refusal gets.

const TOKEN_URL = 'https://auth.example.test/oauth2/token';
const LOGIN_URL = 'https://auth.example.test/login';
const URL_HINT =
  'the URL, not the secret, is the likely problem: nothing there took the grant; set tokenUrl, or give baseURL the API root (https://host or https://host/api/v1): the default token URL is /api/v1/oauth2/token there';
const GRANT_HINT = 'check that this client may use the client_credentials grant and the token URL';

describe('unavailableStatusError', () => {
  it("names the server's Retry-After in whole seconds, rounded up", () => {
    const error = unavailableStatusError(503, TOKEN_URL, 2500);
    expect(error.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(error.retryAfterMs).toBe(2500);
    expect(error.message).toBe(
      `Token endpoint ${TOKEN_URL} answered 503 (Retry-After: 3 s). the token endpoint is overloaded or down; requests will try again`,
    );
  });

  it('says nothing of Retry-After when the server sent none', () => {
    expect(unavailableStatusError(429, TOKEN_URL).message).toBe(
      `Token endpoint ${TOKEN_URL} answered 429. the token endpoint is overloaded or down; requests will try again`,
    );
  });
});

describe('unreadableResponseError', () => {
  it('names the endpoint and the size limit', () => {
    const error = unreadableResponseError(65536, TOKEN_URL);
    expect(error.code).toBe('TOKEN_RESPONSE_INVALID');
    expect(error.message).toBe(
      `Token endpoint ${TOKEN_URL} returned an invalid token response: larger than 65536 bytes or unreadable`,
    );
  });
});

describe('rejectedError at a URL that does not look like a token endpoint', () => {
  it('for a 400 without an OAuth error: TOKEN_REQUEST_REJECTED with the grant hint, not the URL hint', () => {
    const error = rejectedError(400, 'client_credentials', undefined, LOGIN_URL);
    expect(error.code).toBe('TOKEN_REQUEST_REJECTED');
    expect(error.hint).toBe(GRANT_HINT);
    expect(error.message).toBe(`Token request to ${LOGIN_URL} rejected with 400. ${GRANT_HINT}`);
  });

  it('for a 400 invalid_scope: the scope hint', () => {
    const error = rejectedError(
      400,
      'client_credentials',
      { error: 'invalid_scope', error_description: undefined },
      LOGIN_URL,
    );
    expect(error.code).toBe('TOKEN_REQUEST_REJECTED');
    expect(error.hint).toBe('check the scope option');
  });

  it('for a 401 with an OAuth error code (the endpoint speaks OAuth): CREDENTIALS_REJECTED', () => {
    const error = rejectedError(
      401,
      'client_credentials',
      { error: 'unauthorized_client', error_description: undefined },
      LOGIN_URL,
    );
    expect(error.code).toBe('CREDENTIALS_REJECTED');
    expect(error.hint).toBe('check clientId and clientSecret');
  });

  it('for a 401 without an OAuth error code: TOKEN_REQUEST_REJECTED with the URL hint', () => {
    const error = rejectedError(
      401,
      'client_credentials',
      { error: 'Unauthorized', error_description: undefined },
      LOGIN_URL,
    );
    expect(error.code).toBe('TOKEN_REQUEST_REJECTED');
    expect(error.hint).toBe(URL_HINT);
  });
});

describe('rejectedError at a token endpoint URL', () => {
  it('for a 401 without an OAuth error: CREDENTIALS_REJECTED (the secret, not the URL)', () => {
    const error = rejectedError(401, 'client_credentials', undefined, TOKEN_URL);
    expect(error.code).toBe('CREDENTIALS_REJECTED');
    expect(error.hint).toBe('check clientId and clientSecret');
  });

  it('for a 404: TOKEN_REQUEST_REJECTED with the URL hint', () => {
    expect(rejectedError(404, 'client_credentials', undefined, TOKEN_URL).hint).toBe(URL_HINT);
  });
});
