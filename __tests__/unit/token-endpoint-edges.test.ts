import { generateKeyPairSync } from 'node:crypto';
import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, type PaymentAuthOptions } from '../../src';
import type { CredentialsInput } from '../../src/token/credentials';
import { createTokenEndpoint, type TokenEndpointConfig } from '../../src/token/endpoint';
import { detachedError } from '../../src/token/errors';
import { decodeTokenBody } from '../../src/token/token-response';
import { createTimerGroup } from '../../src/util/timers';

const BASE = 'https://pay.test';
const TOKEN = '/api/v1/oauth2/token';

function attach(credentials: CredentialsInput, options: PaymentAuthOptions = {}) {
  return attachPaymentAuth(axios.create({ baseURL: `${BASE}/api/v1` }), credentials, options);
}

/** The error of a token acquisition that must fail. */
async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: { code?: string; message: string }) => error,
  );
}

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());
afterEach(() => {
  nock.cleanAll();
  jest.restoreAllMocks();
});

describe('token response bodies', () => {
  it('names a JSON null body as null', () => {
    expect(() => decodeTokenBody('null', 'application/json', 'https://pay.test/token')).toThrow(
      'the body is JSON null, not an object',
    );
  });

  it('reads a body as a form only when the media type itself is application/x-www-form-urlencoded', () => {
    expect(
      decodeTokenBody('access_token=abc&token_type=Bearer', 'application/x-www-form-urlencoded; charset=utf-8'),
    ).toEqual({
      access_token: 'abc',
      token_type: 'Bearer',
    });
    // A parameter that merely mentions the form type does not make the body a form.
    expect(() => decodeTokenBody('access_token=abc', 'text/plain; profile=application/x-www-form-urlencoded')).toThrow(
      'the body is not JSON (content-type "text/plain; profile=application/x-www-form-urlencoded")',
    );
  });
});

describe('token calls against a scripted server', () => {
  it('says content-type "none" when a 200 that is not JSON came without a Content-Type', async () => {
    nock(BASE).post(TOKEN).once().reply(200, 'hello');
    const auth = attach({ clientId: 'c', clientSecret: 's' }, { tokenRetries: 0 });
    const error = await failure(auth.getAccessToken());
    expect(error.code).toBe('TOKEN_RESPONSE_INVALID');
    expect(error.message).toContain('the body is not JSON (content-type "none")');
    auth.detach();
  });

  it('does not send an assertion again for invalid_dpop_proof when no DPoP proof was sent, even with a new server clock', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let calls = 0;
    nock(BASE)
      .post(TOKEN)
      .times(2)
      .reply(() => {
        calls += 1;
        return [
          400,
          { error: 'invalid_dpop_proof', error_description: 'no proof' },
          { Date: new Date(Date.now() + 5 * 60_000).toUTCString() },
        ];
      });
    const auth = attach(
      { clientId: 'c', privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string },
      { clientAuthMethod: 'private_key_jwt', tokenRetries: 0 },
    );
    const error = await failure(auth.getAccessToken());
    expect(error.message).toContain('invalid_dpop_proof');
    expect(calls).toBe(1);
    auth.detach();
  });

  it('does not resend a DPoP request refused with invalid_client, though the answer carries a new DPoP-Nonce', async () => {
    let calls = 0;
    nock(BASE)
      .post(TOKEN)
      .times(2)
      .reply(() => {
        calls += 1;
        return [400, { error: 'invalid_client' }, { 'DPoP-Nonce': `nonce-${calls}` }];
      });
    const auth = attach({ clientId: 'c', clientSecret: 's' }, { dpop: true, tokenRetries: 0 });
    const error = await failure(auth.getAccessToken());
    expect(error.code).toBe('CREDENTIALS_REJECTED');
    expect(calls).toBe(1);
    auth.detach();
  });
});

describe('the token endpoint client', () => {
  const config = (tokenRetries: number): TokenEndpointConfig => ({
    tokenUrl: `${BASE}${TOKEN}`,
    refreshUrl: undefined,
    clientAuthMethod: 'client_secret_post',
    tokenRequestFormat: 'form',
    tokenParams: {},
    tokenRetries,
    maxRetryAfterMs: 60_000,
    transport: {},
    knownSecrets: () => [],
    traceTokenCall: (_info, run) => run(),
  });
  const credentials = { clientId: 'c', clientSecret: 's' };

  it('rejects a call cut short by detach() with the DETACHED error, not as a timeout', async () => {
    const controller = new AbortController();
    nock(BASE)
      .post(TOKEN)
      .reply(() => {
        controller.abort(detachedError());
        return [200, { access_token: 'at', token_type: 'Bearer' }];
      });
    const deadline = { signal: controller.signal, timers: createTimerGroup(), remainingMs: () => 10_000 };
    const error = await failure(createTokenEndpoint(config(0)).clientCredentials(credentials, deadline));
    expect(error.code).toBe('DETACHED');
    expect(error.message).toBe(
      'Payment auth was detached while a request was waiting. detach() ends every pending wait',
    );
  });

  it('doubles the backoff ceiling from the first retry to the second, and stops when the wait would outlast the deadline', async () => {
    // With random() = 0.5 the waits are half the ceilings: 100 ms (ceiling 200), then 200 ms (ceiling 400).
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    let calls = 0;
    nock(BASE)
      .post(TOKEN)
      .times(3)
      .reply(() => {
        calls += 1;
        return [503, 'busy'];
      });
    // 150 ms are always left: the first wait (100 ms) fits, the second (200 ms) does not.
    const deadline = { signal: new AbortController().signal, timers: createTimerGroup(), remainingMs: () => 150 };
    const error = await failure(createTokenEndpoint(config(5)).clientCredentials(credentials, deadline));
    expect(error.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(calls).toBe(2);
  });
});
