import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { inspect } from 'node:util';
import axios, { type AxiosError } from 'axios';
import nock from 'nock';
import { attachPaymentAuth, isPaymentAuthError, parsePaymentError, type PaymentAuthOptions } from '../../src';
import { formUrlEncode } from '../../src/util/encoding';
import { expectNoLeaks } from '../_helpers/leaks';
import { rejection } from '../_helpers/rejection';
import {
  deferred,
  startRecordingServer,
  startTokenAndApiServer,
  waitFor,
  type Recorded,
  type RecordingServer,
} from '../_helpers/servers';
import type { ServerResponse } from 'node:http';

// Every text a server sends back may echo what it was sent, in any field and any encoding. These
// tests make the token endpoint and the API echo each form of the secret and of the tokens, and
// scan every way a user may print what comes out (errors, toJSON, util.inspect at depth 10,
// status(), the logger, hooks, the CLI).

// Real sockets: the raw request behind a stream body is what leaked.
beforeAll(() => nock.restore());

const CLIENT_ID = 'shop:42 é';
const SECRET = 'cAnary+/=&% :é-секрет-9d2f!\'()*"\\x';
const credentials = { clientId: CLIENT_ID, clientSecret: SECRET };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** Every form of the secret a server could send back. */
const ECHOES = [
  SECRET,
  encodeURIComponent(SECRET),
  encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
  formUrlEncode(SECRET),
  encodeURIComponent(SECRET).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`), // RFC 3986, strictly
  JSON.stringify(SECRET).slice(1, -1), // inside a JSON string
  JSON.stringify(SECRET)
    .slice(1, -1)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`), // \u-escaped
  b64(SECRET),
  b64(SECRET).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), // base64url
  SECRET.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'), // in an HTML page
  Buffer.from(SECRET).toString('hex'), // hex
  Buffer.from(SECRET)
    .toString('hex')
    .replace(/../g, (b) => `%${b}`), // every byte percent-encoded
  encodeURIComponent(encodeURIComponent(SECRET)), // twice
  b64(`grant_type=client_credentials&client_secret=${formUrlEncode(SECRET)}`), // base64 of a form body
  b64(`${formUrlEncode(CLIENT_ID)}:${formUrlEncode(SECRET)}`), // the Basic header as sent
  b64(`${CLIENT_ID}:${SECRET}`), // a naive Basic encoding
];

const issued: string[] = [];
const canaries = () => [
  SECRET,
  b64(`${formUrlEncode(CLIENT_ID)}:${formUrlEncode(SECRET)}`),
  b64(`${CLIENT_ID}:${SECRET}`),
  ...issued,
];

type TokenMode = { status: number; body: unknown; contentType?: string } | 'ok' | 'echo-body';
let tokenMode: TokenMode = 'ok';
let apiMode: 'ok' | '401' | '500' = 'ok';
let tokenHold: Promise<void> | undefined;

function tokenReply(res: ServerResponse, req: Recorded): void {
  if (tokenHold) {
    const hold = tokenHold;
    tokenHold = undefined;
    void hold.then(() => tokenReply(res, req));
    return;
  }
  if (tokenMode === 'echo-body') {
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_request', error_description: `cannot parse ${req.body}` }));
    return;
  }
  if (tokenMode === 'ok') {
    const access = `at-${issued.length}-${Math.random().toString(36).slice(2)}`;
    const refresh = `rt-${issued.length}-${Math.random().toString(36).slice(2)}`;
    issued.push(access, refresh);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ access_token: access, refresh_token: refresh, token_type: 'Bearer', expires_in: 900 }));
    return;
  }
  res.writeHead(tokenMode.status, { 'Content-Type': tokenMode.contentType ?? 'application/json' });
  res.end(typeof tokenMode.body === 'string' ? tokenMode.body : JSON.stringify(tokenMode.body));
}

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer('127.0.0.1', (req: Recorded, res) => {
    if (req.url.startsWith('/api/v1/oauth2/')) return tokenReply(res, req);
    const bearer = String(req.headers.authorization ?? '');
    const reply = (status: number) => {
      const challenge =
        status === 401
          ? { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${bearer} expired"` }
          : {};
      res.writeHead(status, { 'Content-Type': 'application/json', ...challenge });
      res.end(
        JSON.stringify({ error: { code: status === 401 ? 'INVALID_TOKEN' : 'X', message: `you sent ${bearer}` } }),
      );
    };
    reply(apiMode === '401' ? 401 : apiMode === '500' ? 500 : 200);
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

function attach(options: PaymentAuthOptions = {}) {
  const api = axios.create({ baseURL: `${server.url}/api/v1` });
  const auth = attachPaymentAuth(api, credentials, {
    logger,
    onAuthError: (e) => lines.push(e),
    tokenRetries: 0,
    ...options,
  });
  return { api, auth };
}

beforeEach(() => {
  tokenMode = 'ok';
  apiMode = 'ok';
});
afterAll(() => {
  // Every log line and hook payload of the file, against every token issued in it.
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expectNoLeaks(line, canaries());
});

function scan(value: unknown): void {
  expectNoLeaks(value, canaries());
  // util.inspect at the depth a curious user goes to, hidden properties included.
  const deep = inspect(value, { depth: 10, showHidden: true });
  for (const secret of canaries()) expect(deep).not.toContain(secret);
}

describe('a token endpoint that echoes a form of the secret', () => {
  it.each(ECHOES.map((echo, i) => [i, echo]))(
    'in the OAuth error field (form %i): nowhere in the error, status() or the log',
    async (_i, echo) => {
      tokenMode = {
        status: 400,
        body: { error: `invalid_client cid:${echo}`, error_description: `cannot verify Basic ${echo}` },
      };
      const { api, auth } = attach();
      const error = await rejection(api.get('/payments'));
      expect(isPaymentAuthError(error) && error.code).toBe('TOKEN_REQUEST_REJECTED');
      // Cut to 64 characters, the error field shows the echo's start at most, never the echo.
      expect((error as { oauthError?: string }).oauthError).toMatch(/^invalid_client cid:/);
      expect((error as Error).message).toContain('cannot verify Basic ');
      expect((error as Error).message).toContain('[REDACTED]');
      for (const text of [inspect(error, { depth: 10 }), JSON.stringify(error), JSON.stringify(auth.status())])
        expect(text).not.toContain(echo);
      scan(error);
      scan(auth.status());
      auth.detach();
    },
  );

  it('in a huge error field full of control characters: bounded, one line', async () => {
    tokenMode = {
      status: 400,
      body: {
        error: `invalid_request\n\u001b[31m${'x'.repeat(100_000)}${SECRET}`,
        error_description: `a\r\nforged: line ${'y'.repeat(100_000)}`,
      },
    };
    const { api, auth } = attach();
    const error = (await rejection(api.get('/payments'))) as Error & { oauthError: string };
    // What the server sent is cut to 64 + 200 characters; the rest is ours, the token URL included.
    const url = /^Token request to (\S+) rejected/.exec(error.message)![1]!;
    expect(error.message.length).toBeLessThan(400 + url.length);
    expect(error.oauthError.length).toBeLessThanOrEqual(65);
    for (const control of ['\r', '\n', '\u001b']) expect(error.message).not.toContain(control);
    scan(error);
    auth.detach();
  });

  it('in a content type or a token_type: cleaned there too', async () => {
    tokenMode = { status: 200, body: '<html>', contentType: `text/html; x=${formUrlEncode(SECRET)}` };
    const { api, auth } = attach();
    scan(await rejection(api.get('/payments')));
    tokenMode = { status: 200, body: { access_token: 'at-x', token_type: SECRET } };
    scan(await rejection(api.get('/payments')));
    auth.detach();
  });

  it('prints no form of it from the CLI', async () => {
    tokenMode = { status: 401, body: { error: `invalid_client ${ECHOES.join(' ')}` } };
    const cli = join(__dirname, '..', '..', 'dist', 'cli', 'index.js');
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, [cli, 'token', '--base-url', server.url], {
        env: { PATH: process.env.PATH ?? '', PAYMENT_CLIENT_ID: CLIENT_ID, PAYMENT_CLIENT_SECRET: SECRET },
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/CREDENTIALS_REJECTED/);
    for (const echo of ECHOES) expect(result.out).not.toContain(echo);
  });
});

describe('a token endpoint that quotes the JSON body it was sent (client_secret_post, JSON)', () => {
  it('gets the secret in its JSON-escaped form redacted', async () => {
    tokenMode = 'echo-body';
    const { api, auth } = attach({ clientAuthMethod: 'client_secret_post', tokenRequestFormat: 'json' });
    const error = await rejection(api.get('/payments'));
    expect((error as Error).message).toContain('"client_secret":"[REDACTED]"');
    scan(error);
    scan(auth.status());
    auth.detach();
  });
});

describe('an API error that quotes the token it refused', () => {
  it.each([
    ['a 500', '500'],
    ['a 401 after the replay', '401'],
  ] as const)('%s: cleaned in the body, the headers and parsePaymentError()', async (_name, mode) => {
    const { api, auth } = attach({ retry: false });
    await api.get('/payments');
    apiMode = mode;
    const error = (await rejection(api.get('/payments'))) as AxiosError<{ error: { message: string } }>;
    expect(error.response?.data.error.message).toBe('you sent Bearer [REDACTED]');
    if (mode === '401')
      expect(error.response?.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="Bearer [REDACTED] expired"',
      );
    expect(parsePaymentError(error).message).toBe('you sent Bearer [REDACTED]');
    scan(error);
    auth.detach();
  });
});

describe('an API error with a stream body', () => {
  it.each([
    ['following redirects (the default)', {}],
    ['with maxRedirects 0', { maxRedirects: 0 }],
  ])('holds the bearer nowhere, %s, and the body can still be read', async (_name, config) => {
    const { api, auth } = attach();
    await api.get('/payments');
    apiMode = '500';
    const error = (await rejection(api.get('/payments', { responseType: 'stream', ...config }))) as AxiosError;
    expect(error.response?.status).toBe(500);
    scan(error);
    let body = '';
    for await (const chunk of error.response!.data as NodeJS.ReadableStream) body += String(chunk);
    expect(body).toContain('you sent Bearer');
    auth.detach();
  });
});

describe('a request aborted while it waits for the renewal after a 401', () => {
  it('rejects with a CanceledError whose config is cleaned, and no raw request', async () => {
    const { api, auth } = attach();
    await api.get('/payments');
    const gate = deferred();
    tokenHold = gate.promise; // the renewal waits: the aborted request is waiting for it
    apiMode = '401';
    const tokenCalls = () => server.requests.filter((r) => r.url.startsWith('/api/v1/oauth2/')).length;
    const before = tokenCalls();
    const controller = new AbortController();
    const pending = api.get('/payments', { signal: controller.signal });
    await waitFor(() => tokenCalls() > before);
    controller.abort();
    const error = (await rejection(pending)) as AxiosError;
    gate.resolve();
    expect(error.code).toBe('ERR_CANCELED');
    expect(error.config?.url).toBe('/payments');
    expect(error.config?.headers.Authorization).toBe('Bearer [REDACTED]');
    expect(error.request).toBeUndefined();
    scan(error);
    auth.detach();
  });
});

describe('API error bodies of every shape', () => {
  let shape: (bearer: string) => unknown = (bearer) => ({ error: { message: bearer } });
  let api: RecordingServer;
  beforeAll(async () => {
    api = await startTokenAndApiServer((req, res) => {
      const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(shape(bearer)));
    }, 'at-shapes-0123456789');
  });
  afterAll(() => api.close());
  const TOKEN = 'at-shapes-0123456789';

  const deep = (bearer: string) => {
    let node: unknown = { message: `token ${bearer}` };
    for (let i = 0; i < 40; i++) node = { next: node };
    return node;
  };
  it.each([
    [
      '10,000 values before the message',
      (bearer: string) => ({
        rejected: Array.from({ length: 10_000 }, (_, i) => i),
        error: { message: `token ${bearer} lacks scope` },
      }),
    ],
    ['40 levels deep', deep],
    ['the token as a key', (bearer: string) => ({ tokens: { [bearer]: 'rejected' } })],
  ])('cleans a body with %s', async (_name, make) => {
    shape = make;
    const instance = axios.create({ baseURL: `${api.url}/api/v1` });
    const auth = attachPaymentAuth(instance, credentials, { retry: false });
    const error = (await rejection(instance.get('/payments'))) as AxiosError;
    expect(error.response?.status).toBe(400);
    expect(inspect(error.response, { depth: Infinity })).not.toContain(TOKEN);
    expect(JSON.stringify(error.response?.data)).toContain('[REDACTED]');
    auth.detach();
  });

  it('cleans a binary body, so parsePaymentError() quotes no token', async () => {
    shape = (bearer) => ({ error: { code: 'INVALID_TOKEN', message: `token ${bearer} is not valid` } });
    const instance = axios.create({ baseURL: `${api.url}/api/v1` });
    const auth = attachPaymentAuth(instance, credentials, { retry: false });
    for (const responseType of ['arraybuffer', 'json', 'text'] as const) {
      const error = (await rejection(instance.get('/payments', { responseType }))) as AxiosError;
      expect(parsePaymentError(error).message).toBe('token [REDACTED] is not valid');
      if (responseType === 'arraybuffer') expect(Buffer.isBuffer(error.response?.data)).toBe(true);
    }
    auth.detach();
  });

  it('cleans a binary body of more than a megabyte, with the arraybuffer of the http and fetch adapters', async () => {
    const padding = 'x'.repeat(2 * 1024 * 1024);
    shape = (bearer) => ({ error: { code: 'INVALID_TOKEN', message: `${padding} token ${bearer} is not valid` } });
    for (const adapter of ['http', 'fetch'] as const) {
      const instance = axios.create({ baseURL: `${api.url}/api/v1`, adapter });
      const auth = attachPaymentAuth(instance, credentials, { retry: false });
      const error = (await rejection(instance.get('/payments', { responseType: 'arraybuffer' }))) as AxiosError;
      expect(Buffer.from(error.response?.data as ArrayBuffer).toString()).not.toContain(TOKEN);
      expect(parsePaymentError(error).message).toBe(`${padding} token [REDACTED] is not valid`);
      auth.detach();
    }
  });

  it('leaves a frozen body that quotes nothing as it is, and replaces one that quotes the token', async () => {
    const freeze = (data: unknown): unknown => {
      if (data && typeof data === 'object') {
        Object.values(data).forEach(freeze);
        Object.freeze(data);
      }
      return data;
    };
    const instance = axios.create({
      baseURL: `${api.url}/api/v1`,
      transformResponse: [...(axios.defaults.transformResponse as []), freeze],
    });
    const auth = attachPaymentAuth(instance, credentials, { retry: false });
    shape = () => ({ error: { code: 'NOT_FOUND', message: 'no such payment' } });
    const plain = (await rejection(instance.get('/payments'))) as AxiosError<{ error: { code: string } }>;
    expect(axios.isAxiosError(plain)).toBe(true);
    expect(Object.isFrozen(plain.response?.data)).toBe(true);
    expect(plain.response?.data.error.code).toBe('NOT_FOUND');
    shape = (bearer) => ({ error: { code: 'INVALID', message: bearer } });
    const quoting = (await rejection(instance.get('/payments'))) as AxiosError<{ error: { message: string } }>;
    expect(axios.isAxiosError(quoting)).toBe(true);
    expect(quoting.response?.data.error.message).toBe('[REDACTED]');
    auth.detach();
  });
});
