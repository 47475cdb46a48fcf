import { Readable } from 'node:stream';
import axios from 'axios';
import { attachPaymentAuth, type PaymentAuthOptions } from '../../src';
import { basicPair, expectNoLeaks, findLeaks, forms, HOSTILE_SECRET } from '../_helpers/leaks';
import { rejection } from '../_helpers/rejection';
import { startRecordingServer, type Recorded, type RecordingServer } from '../_helpers/servers';
import type { ServerResponse } from 'node:http';

// Not URL-safe: its raw, URI-encoded, form-encoded and base64 forms all differ.
const SECRET = HOSTILE_SECRET;
const credentials = { clientId: 'canary-client', clientSecret: SECRET };
/** Every token the server issued in this file, kept across tests: the file-wide scan needs them all. */
const issued: string[] = [];
/** The tokens issued in the current test: the live tokens of its attachments, which servers echo. */
let issuedInTest: string[] = [];
const canaries = () => [SECRET, basicPair(credentials.clientId, SECRET), ...issued];

type Mode = 'ok' | 'invalid_client' | 'echo' | 'error500' | 'malformed' | 'redirect' | 'hang';
let tokenMode: Mode = 'ok';
let refreshMode: Mode = 'ok';
let apiMode: 'ok' | '401' | '500' | 'drop' | 'hang' = 'ok';

/** What a careless server echoes: the secret in each of its forms, the request's own header and body, the live tokens. */
function echo(req: Recorded): string {
  return [
    ...forms(SECRET),
    `authorization ${req.headers.authorization ?? ''}`,
    `body ${req.body}`,
    `tokens ${issuedInTest.join(',')}`,
  ].join(' | ');
}

function tokenReply(mode: Mode, req: Recorded, res: ServerResponse, refresh: boolean): void {
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (mode === 'hang') return;
  if (mode === 'invalid_client')
    return json(401, { error: 'invalid_client', error_description: echo(req) }, { 'WWW-Authenticate': 'Basic' });
  if (mode === 'echo') return json(400, { error: 'invalid_request', error_description: echo(req) });
  if (mode === 'error500') return json(500, { message: `internal ${echo(req)}` });
  if (mode === 'malformed') {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(`<html>${echo(req)}</html>`);
    return;
  }
  if (mode === 'redirect') return json(307, {}, { Location: '/elsewhere' });
  const accessToken = `at-canary-${issued.length}-${Math.random().toString(36).slice(2)}`;
  const refreshToken = `rt-canary-${issued.length}-${Math.random().toString(36).slice(2)}`;
  const tokens = [accessToken, ...(refresh ? [] : [refreshToken])];
  issued.push(...tokens);
  issuedInTest.push(...tokens);
  json(200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: 900,
    ...(refresh ? {} : { refresh_token: refreshToken }),
  });
}

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer('127.0.0.1', (req: Recorded, res) => {
    if (req.url === '/api/v1/oauth2/token') return tokenReply(tokenMode, req, res, false);
    if (req.url === '/api/v1/oauth2/refresh') return tokenReply(refreshMode, req, res, true);
    if (apiMode === 'hang') return;
    if (apiMode === 'drop') return void res.socket?.destroy();
    const status = apiMode === '401' ? 401 : apiMode === '500' ? 500 : 200;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ error: { code: status === 401 ? 'INVALID_TOKEN' : 'X', message: 'm', request_id: 'req_1' } }),
    );
  });
});
afterAll(() => server.close());

const lines: unknown[] = [];
const logger = {
  debug: (...a: unknown[]) => lines.push(a),
  info: (...a: unknown[]) => lines.push(a),
  warn: (...a: unknown[]) => lines.push(a),
  error: (...a: unknown[]) => lines.push(a),
};
const hooks: Pick<PaymentAuthOptions, 'onAuthError' | 'onTokenAcquired' | 'onTokenRefreshed'> = {
  onAuthError: (e) => lines.push(e),
  onTokenAcquired: (e) => lines.push(e),
  onTokenRefreshed: (e) => lines.push(e),
};

let now = 0;
function attach(options: PaymentAuthOptions = {}) {
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const auth = attachPaymentAuth(api, credentials, { logger, ...hooks, clock: () => now, tokenRetries: 1, ...options });
  return { api, auth };
}

beforeEach(() => {
  tokenMode = 'ok';
  refreshMode = 'ok';
  apiMode = 'ok';
  issuedInTest = [];
  now = 0;
});
afterAll(() => {
  // Every log line and hook payload of the whole file, scanned with every token ever issued in
  // it (not only the last test's).
  expect(lines.length).toBeGreaterThan(10);
  expect(issued.length).toBeGreaterThan(issuedInTest.length);
  for (const line of lines) expectNoLeaks(line, canaries());
});

describe('no error that leaves the package holds a secret or a live token', () => {
  it.each(['invalid_client', 'echo', 'error500', 'malformed', 'redirect'] as const)(
    'token endpoint failure: %s',
    async (mode) => {
      tokenMode = mode;
      for (const clientAuthMethod of ['client_secret_basic', 'client_secret_post'] as const) {
        const { api, auth } = attach({ clientAuthMethod });
        expectNoLeaks(await rejection(api.get('/payments')), canaries());
        expectNoLeaks(await rejection(auth.getAccessToken()), canaries());
        auth.detach();
      }
    },
  );

  it('token endpoint timeout and connection refused', async () => {
    tokenMode = 'hang';
    const { api, auth } = attach({ tokenTimeoutMs: 150 });
    expectNoLeaks(await rejection(api.get('/payments')), canaries());
    auth.detach();
    const closed = await startRecordingServer();
    await closed.close();
    const refused = attach({ tokenUrl: `${closed.url}/token` });
    expectNoLeaks(await rejection(refused.api.get('/payments')), canaries());
    refused.auth.detach();
  });

  it('refresh failure followed by a failed fallback', async () => {
    const { api, auth } = attach();
    await api.get('/payments');
    now = 901_000;
    refreshMode = 'echo';
    tokenMode = 'echo';
    expectNoLeaks(await rejection(api.get('/payments')), canaries());
    auth.detach();
  });

  it.each(['401', '500', 'drop'] as const)(
    'API failure: %s (the AxiosError is cleaned of the bearer token)',
    async (mode) => {
      const { api, auth } = attach();
      await api.get('/payments');
      apiMode = mode;
      const error = await rejection(api.post('/payments', { amount: 1 }));
      expect(axios.isAxiosError(error)).toBe(true);
      expectNoLeaks(error, canaries());
      auth.detach();
    },
  );

  it('API timeout', async () => {
    const { api, auth } = attach();
    await api.get('/payments');
    apiMode = 'hang';
    expectNoLeaks(await rejection(api.get('/payments', { timeout: 100 })), canaries());
    auth.detach();
  });

  it('a 401 on a stream body', async () => {
    const { api, auth } = attach();
    await api.get('/payments');
    apiMode = '401';
    expectNoLeaks(await rejection(api.post('/payments', Readable.from(['{"amount":1}']))), canaries());
    auth.detach();
  });
});

describe('the scanner itself', () => {
  it('finds a token left in an AxiosError that was not cleaned', async () => {
    const plain = axios.create({
      baseURL: `${server.url}/api/v1`,
      headers: { Authorization: 'Bearer at-canary-unclean' },
    });
    apiMode = '500';
    const error = await rejection(plain.get('/payments'));
    expect(() => expectNoLeaks(error, ['at-canary-unclean'])).toThrow();
  });

  it('finds the secret in each of its forms, which all differ', () => {
    const all = forms(SECRET);
    expect(all).toHaveLength(6); // raw, base64, URI and form-encoded with upper- and lower-case escapes
    for (const form of all) expect(findLeaks(new Error(`echo: ${form}`), [SECRET])).toEqual([SECRET]);
    expect(findLeaks({ header: `Basic ${basicPair(credentials.clientId, SECRET)}` }, canaries())).toEqual([
      basicPair(credentials.clientId, SECRET),
    ]);
  });
});
