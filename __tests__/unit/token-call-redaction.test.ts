import axios from 'axios';
import nock from 'nock';
import { attachPaymentAuth, type PaymentAuthOptions } from '../../src';
import type { CredentialsInput } from '../../src/token/credentials';
import { startDeadline } from '../../src/token/deadline';
import { createTokenEndpoint } from '../../src/token/endpoint';
import { createTimerGroup } from '../../src/util/timers';

// The cleaning of what a token endpoint sends back, at the token call: it never throws (a long or
// odd secret turned a rejection into a "network error" that was retried and opened the breaker),
// and it knows the tokens of the answer it quotes.

const BASE = 'https://pay.test';
const TOKEN = '/api/v1/oauth2/token';

function attach(credentials: CredentialsInput, options: PaymentAuthOptions = {}) {
  return attachPaymentAuth(axios.create({ baseURL: `${BASE}/api/v1` }), credentials, options);
}

/** The error of a token acquisition that must fail. */
async function failure(auth: ReturnType<typeof attach>) {
  return auth.getAccessToken().then(
    () => {
      throw new Error('expected a failure');
    },
    (error: { code: string; message: string }) => error,
  );
}

/** Characters a long client secret or assertion is made of, in a sequence that does not repeat soon. */
function longText(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let text = '';
  for (let x = length; text.length < length;) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    text += alphabet[x >>> 26]!;
  }
  return text;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe('a token call with a long secret', () => {
  it('reports a client secret of 12,000 characters that the server refused as refused, once', async () => {
    const secret = longText(12_000);
    nock(BASE)
      .post(TOKEN)
      .once()
      .reply(400, { error: 'invalid_client', error_description: `unknown secret ${secret}` });
    const auth = attach({ clientId: 'c', clientSecret: secret }, { clientAuthMethod: 'client_secret_post' });
    const error = await failure(auth);
    expect(error.code).toBe('CREDENTIALS_REJECTED');
    expect(error.message).toContain('unknown secret [REDACTED]');
    expect(auth.status().breaker.state).toBe('closed');
    auth.detach();
  });

  it('reports a client assertion of 22,000 characters that the server refused as refused, once', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'PS256', kid: 'kms-key-1', x5c: [longText(15_000)] }));
    const assertion = `${header.toString('base64url')}.${longText(400)}.${longText(342)}`;
    expect(assertion.length).toBeGreaterThan(20_000);
    nock(BASE).post(TOKEN).once().reply(400, { error: 'invalid_client', error_description: 'authentication failed' });
    const auth = attach({ clientId: 'c', clientAssertion: () => assertion }, { issuer: 'https://as.example' });
    const error = await failure(auth);
    expect(error.code).toBe('CREDENTIALS_REJECTED');
    expect(error.message).toContain('(authentication failed)');
    auth.detach();
  });
});

describe('a token answer that quotes its own tokens in a field that is refused', () => {
  const AT = 'at_Zk29xQpLmN3vB8wRt6Yh';
  const RT = 'rt_Qm4Lp9Xw2Kx8Vb7Nc3Zd';

  it.each([
    ['a bad token_type', 200, { access_token: AT, token_type: `MAC ${AT}` }],
    ['an error on a 200', 200, { error: 'invalid_client', error_description: `not for ${AT}`, access_token: AT }],
    ['an error that names the refresh token', 400, { error: `bad_${RT}`, refresh_token: RT }],
  ])('never quotes them: %s', async (_name, status, body) => {
    nock(BASE).post(TOKEN).reply(status, body);
    const auth = attach({ clientId: 'c', clientSecret: 'canary-secret-8f3a' }, { tokenRetries: 0 });
    const error = await failure(auth);
    expect(error.message).toContain('[REDACTED]');
    for (const token of [AT, RT]) expect(error.message).not.toContain(token.slice(0, 8));
    auth.detach();
  });
});

describe('a token call whose known secrets hold a lone surrogate', () => {
  it('reports the server’s refusal, cleaned of the secret as it was sent', async () => {
    const secret = 'pässwörd-Kx9Qw2Lp-\ud83d';
    nock(BASE)
      .post(TOKEN)
      .reply(400, { error: 'invalid_client', error_description: 'unknown secret pässwörd-Kx9Qw2Lp-\ufffd' });
    const endpoint = createTokenEndpoint({
      tokenUrl: `${BASE}${TOKEN}`,
      refreshUrl: undefined,
      clientAuthMethod: 'client_secret_post',
      tokenRequestFormat: 'form',
      tokenParams: {},
      tokenRetries: 0,
      maxRetryAfterMs: 0,
      transport: {},
      knownSecrets: () => [secret],
      traceTokenCall: (_info, run) => run(),
    });
    const controller = new AbortController();
    const deadline = startDeadline(10_000, createTimerGroup(), controller.signal);
    try {
      const error = await endpoint.clientCredentials({ clientId: 'c', clientSecret: 'other-secret' }, deadline).then(
        () => {
          throw new Error('expected a failure');
        },
        (e: { code: string; message: string }) => e,
      );
      expect(error.code).toBe('CREDENTIALS_REJECTED');
      expect(error.message).toContain('(unknown secret [REDACTED])');
    } finally {
      deadline.end();
    }
  });
});
