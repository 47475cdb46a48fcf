import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { testCerts } from '../_helpers/certs';
import { startRecordingServer, type RecordingServer } from '../_helpers/servers';

// A short script is the first thing a new user writes. When the token endpoint cannot be reached
// or keeps failing, every awaited request must settle: the script prints the error and exits with
// the code it chose, never silently with Node's "unsettled top-level await" (13) or 0. These run
// the built package in child processes, where nothing of jest keeps the event loop alive.

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, input?: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** A port with nothing listening on it: connections are refused. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const esm = (baseURL: string): string => `
import axios from 'axios';
import { attachPaymentAuth } from ${JSON.stringify(join(dist, 'index.mjs'))};
const api = axios.create({ baseURL: ${JSON.stringify(baseURL)} });
attachPaymentAuth(api, { clientId: 'c', clientSecret: 's3cret-value' }, { tokenTimeoutMs: 4000 });
try { await api.get('/payments/1'); console.log('unexpected success'); }
catch (e) { console.error('failed: ' + e.code); process.exitCode = 7; }
`;

const cjs = (baseURL: string): string => `
const axios = require('axios');
const { attachPaymentAuth } = require(${JSON.stringify(join(dist, 'index.js'))});
const api = axios.create({ baseURL: ${JSON.stringify(baseURL)} });
const auth = attachPaymentAuth(api, { clientId: 'c', clientSecret: 's3cret-value' }, { tokenTimeoutMs: 4000 });
api.get('/payments/1').then(
  () => console.log('unexpected success'),
  (e) => { console.error('failed: ' + e.code); process.exitCode = 7; },
);
auth.getAccessToken().catch((e) => console.error('token: ' + e.code));
`;

describe('a script whose token endpoint cannot be reached', () => {
  let base: string;
  beforeAll(async () => {
    base = `http://127.0.0.1:${await closedPort()}/api/v1`;
  });

  it('ESM with top-level await: prints the error and exits with its own code', async () => {
    const result = await run(['--input-type=module', '-'], {}, esm(base));
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('failed: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.code).toBe(7);
  });

  it('CommonJS with then(ok, fail): calls the failure callback and exits with its own code', async () => {
    const result = await run(['-'], {}, cjs(base));
    expect(result.stderr).toContain('failed: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.stderr).toContain('token: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.code).toBe(7);
  });

  it('payment-auth token: one line on stderr, nothing on stdout, exit 1', async () => {
    const result = await run([join(dist, 'cli', 'index.js'), 'token', '--base-url', base], {
      PAYMENT_CLIENT_ID: 'c',
      PAYMENT_CLIENT_SECRET: 's3cret-value',
    });
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^payment-auth token: TOKEN_ENDPOINT_UNAVAILABLE: /);
    expect(result.code).toBe(1);
  });

  it('payment-auth demo: reports the failure and exits 1', async () => {
    const result = await run(
      [join(dist, 'cli', 'index.js'), 'demo', '--base-url', base, '--herd', '5', '--steady-seconds', '1'],
      { PAYMENT_CLIENT_ID: 'c', PAYMENT_CLIENT_SECRET: 's3cret-value' },
    );
    expect(result.stdout + result.stderr).toMatch(/TOKEN_ENDPOINT_UNAVAILABLE/);
    expect(result.code).toBe(1);
  });
});

describe('a script whose token endpoint keeps answering 503', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer('127.0.0.1', (_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json' });
      res.end('{"error":"temporarily_unavailable"}');
    });
  });
  afterAll(() => server.close());

  it('ESM: prints the error after the retries and exits with its own code', async () => {
    const result = await run(['--input-type=module', '-'], {}, esm(`${server.url}/api/v1`));
    expect(result.stderr.trim()).toBe('failed: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.code).toBe(7);
    expect(server.requests.filter((r) => r.url === '/api/v1/oauth2/token').length).toBeGreaterThan(1); // it did retry
  });

  it('CommonJS: calls the failure callback and exits with its own code', async () => {
    const result = await run(['-'], {}, cjs(`${server.url}/api/v1`));
    expect(result.stderr).toContain('failed: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.code).toBe(7);
  });

  it('payment-auth token: exit 1 with the error on stderr', async () => {
    const result = await run([join(dist, 'cli', 'index.js'), 'token', '--base-url', server.url], {
      PAYMENT_CLIENT_ID: 'c',
      PAYMENT_CLIENT_SECRET: 's3cret-value',
    });
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^payment-auth token: TOKEN_ENDPOINT_UNAVAILABLE: .*503/);
    expect(result.code).toBe(1);
  });
});

describe('a script that keeps sending requests while the token endpoint is down', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer('127.0.0.1', (_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end('{"error":"temporarily_unavailable"}');
    });
  });
  afterAll(() => server.close());

  it('fails each request once the breaker is open, without a token call, prints and exits with its own code', async () => {
    const script = `
import axios from 'axios';
import { attachPaymentAuth } from ${JSON.stringify(join(dist, 'index.mjs'))};
const api = axios.create({ baseURL: ${JSON.stringify(`${server.url}/api/v1`)} });
const auth = attachPaymentAuth(api, { clientId: 'c', clientSecret: 's3cret-value' }, { tokenRetries: 0 });
const codes = new Set();
for (let i = 0; i < 200; i++) {
  try { await api.get('/payments'); } catch (e) { codes.add(e.code + ' ' + (e.retryAfterMs > 0)); }
}
console.error(JSON.stringify({ codes: [...codes], status: auth.status().breaker.state, shortCircuited: auth.status().counts.shortCircuited }));
process.exitCode = 3;
`;
    const result = await run(['--input-type=module', '-'], {}, script);
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stderr)).toEqual({
      codes: ['TOKEN_ENDPOINT_UNAVAILABLE true'],
      status: 'open',
      shortCircuited: 199,
    });
    // The Retry-After opened the breaker on the first failure: one call, then none for a second.
    expect(server.requests.filter((r) => r.url === '/api/v1/oauth2/token')).toHaveLength(1);
    expect(result.stderr).not.toContain('s3cret-value');
  });
});

describe('a script whose credentials provider never answers', () => {
  it('fails at the acquisition deadline, prints and exits with its own code', async () => {
    const script = `
import axios from 'axios';
import { attachPaymentAuth } from ${JSON.stringify(join(dist, 'index.mjs'))};
const api = axios.create({ baseURL: 'http://127.0.0.1:9/api/v1' });
attachPaymentAuth(api, () => new Promise(() => {}), { tokenTimeoutMs: 300 });
const started = Date.now();
try { await api.get('/payments/1'); } catch (e) { console.error(e.code + ' after ' + (Date.now() - started < 5000 ? 'the deadline' : 'too long')); process.exitCode = 4; }
`;
    const result = await run(['--input-type=module', '-'], {}, script);
    expect(result.stderr.trim()).toBe('TOKEN_ENDPOINT_TIMEOUT after the deadline');
    expect(result.code).toBe(4);
  });
});

describe('a script whose hooks, telemetry and logger are async and reject', () => {
  it('keeps running: each rejection is logged, none ends the process', async () => {
    const script = `
import axios from 'axios';
import { attachPaymentAuth } from ${JSON.stringify(join(dist, 'index.mjs'))};
import { startPaymentSandbox } from ${JSON.stringify(join(dist, 'testing', 'index.mjs'))};
const sandbox = await startPaymentSandbox();
const warnings = [];
const fail = (what) => async () => { throw new Error(what + ' down'); };
const noop = () => undefined;
const api = axios.create({ baseURL: sandbox.url + '/api/v1' });
const auth = attachPaymentAuth(api, sandbox.credentials, {
  onTokenAcquired: fail('onTokenAcquired'),
  onAuthError: fail('onAuthError'),
  retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1, onRetry: fail('onRetry') },
  logger: { debug: fail('debug logger'), info: fail('info logger'), warn: (m) => { warnings.push(m); return Promise.reject(new Error('warn logger down')); }, error: fail('error logger') },
  telemetry: {
    recordTokenOutcome: fail('recordTokenOutcome'), recordUnauthorized: noop, recordRetry: fail('recordRetry'),
    recordIdempotencyKey: noop, observeExpiry: () => noop,
    traceTokenCall: async (info, run) => { await run(); throw new Error('tracer down'); },
  },
});
sandbox.injectFault('api', { status: 503 });
const created = await api.post('/payments', { amount: 100 });
for (const route of ['refresh', 'token']) sandbox.injectFault(route, { status: 400, body: { error: 'invalid_request' } });
auth.invalidate();
const failed = await api.get('/payments').then(() => 'no failure', (e) => e.code);
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ status: created.status, failed, warnings }));
auth.detach();
await sandbox.close();
process.exitCode = 5;
`;
    const result = await run(['--input-type=module', '-'], {}, script);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(5);
    const { status, failed, warnings } = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(status).toBe(201);
    expect(failed).toBe('TOKEN_REQUEST_REJECTED');
    expect(warnings).toEqual(
      expect.arrayContaining([
        'axios-payment-auth: onTokenAcquired hook rejected',
        'axios-payment-auth: onAuthError hook rejected',
        'axios-payment-auth: onRetry hook rejected',
        'axios-payment-auth: telemetry recordTokenOutcome rejected',
        'axios-payment-auth: telemetry recordRetry rejected',
      ]),
    );
  });
});

describe('pendingTimers() of the testing entry', () => {
  it("counts the core's timers although the two entries are bundled apart, and sees them stop at detach()", async () => {
    const script = `
const axios = require('axios');
const { attachPaymentAuth } = require(${JSON.stringify(join(dist, 'index.js'))});
const { pendingTimers } = require(${JSON.stringify(join(dist, 'testing', 'index.js'))});
const api = axios.create({ baseURL: 'http://127.0.0.1:9' });
const auth = attachPaymentAuth(api, () => new Promise(() => {}), { tokenTimeoutMs: 100000 });
api.get('/x').catch((e) => console.log(e.code + ' ' + pendingTimers()));
setTimeout(() => { console.log('waiting ' + pendingTimers()); auth.detach(); }, 50);
`;
    const result = await run(['-'], {}, script);
    expect(result.stdout.trim().split('\n')).toEqual(['waiting 1', 'DETACHED 0']);
    expect(result.code).toBe(0);
  });
});

describe('a script whose only request is aborted while the token endpoint keeps failing', () => {
  let server: RecordingServer;
  beforeAll(async () => {
    server = await startRecordingServer('127.0.0.1', (_req, res) => {
      res.writeHead(503, { 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end('{}');
    });
  });
  afterAll(() => server.close());

  it('exits right after the abort: nobody waits for the acquisition any more', async () => {
    const script = `
import axios from 'axios';
import { attachPaymentAuth } from ${JSON.stringify(join(dist, 'index.mjs'))};
const api = axios.create({ baseURL: ${JSON.stringify(`${server.url}/api/v1`)} });
attachPaymentAuth(api, { clientId: 'c', clientSecret: 's3cret-value' }, { tokenRetries: 5 });
try { await api.get('/payments', { signal: AbortSignal.timeout(300) }); } catch (e) { console.log(e.code); }
// Printed only if something of the package still holds the process 3 s later.
setTimeout(() => console.log('still alive'), 3000).unref();
`;
    const result = await run(['--input-type=module', '-'], {}, script);
    expect(result.stdout.trim()).toBe('ERR_CANCELED');
    expect(result.code).toBe(0);
  });
});

describe('a script with DPoP', () => {
  const script = (baseURL: string): string => `
import axios from 'axios';
import { attachPaymentAuth } from ${JSON.stringify(join(dist, 'index.mjs'))};
const api = axios.create({ baseURL: ${JSON.stringify(baseURL)} });
attachPaymentAuth(api, { clientId: 'c', clientSecret: 's3cret-value' }, { tokenTimeoutMs: 1500, dpop: true });
try { await api.get('/payments/1'); console.log('unexpected success'); }
catch (e) { console.error('failed: ' + (e.code ?? e.response?.status) + ' ' + (e.response?.status ?? '')); process.exitCode = 7; }
`;
  let server: RecordingServer | undefined;
  afterEach(() => server?.close());

  it('against an unreachable token endpoint: prints the error and exits with its own code', async () => {
    const result = await run(['--input-type=module', '-'], {}, script(`http://127.0.0.1:${await closedPort()}/api/v1`));
    expect(result.stderr.trim()).toBe('failed: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.code).toBe(7);
  });

  it('against a token endpoint that asks for a new nonce every time', async () => {
    let n = 0;
    server = await startRecordingServer('127.0.0.1', (_req, res) => {
      res.writeHead(400, { 'Content-Type': 'application/json', 'DPoP-Nonce': `n${++n}` });
      res.end('{"error":"use_dpop_nonce"}');
    });
    const result = await run(['--input-type=module', '-'], {}, script(`${server.url}/api/v1`));
    expect(result.stderr.trim()).toBe('failed: TOKEN_REQUEST_REJECTED');
    expect(result.code).toBe(7);
    expect(server.requests).toHaveLength(2);
  });

  it('against an API that asks for a new nonce every time', async () => {
    let n = 0;
    server = await startRecordingServer('127.0.0.1', (req, res) => {
      if (req.url.endsWith('/oauth2/token')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"access_token":"tok","token_type":"DPoP","expires_in":900}');
        return;
      }
      res.writeHead(401, { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"', 'DPoP-Nonce': `n${++n}` });
      res.end();
    });
    const result = await run(['--input-type=module', '-'], {}, script(`${server.url}/api/v1`));
    expect(result.stderr.trim()).toBe('failed: ERR_BAD_REQUEST 401');
    expect(result.code).toBe(7);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v1/oauth2/token',
      '/api/v1/payments/1',
      '/api/v1/payments/1',
    ]);
  });
});

describe('a script with strong client authentication', () => {
  const script = (credentials: string, options: string, baseURL: string): string => `
import axios from 'axios';
import { generateKeyPairSync } from 'node:crypto';
import { attachPaymentAuth } from ${JSON.stringify(join(dist, 'index.mjs'))};
const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
const api = axios.create({ baseURL: ${JSON.stringify(baseURL)} });
attachPaymentAuth(api, ${credentials}, { tokenTimeoutMs: 1500, ...${options} });
try { await api.get('/payments/1'); console.log('unexpected success'); }
catch (e) { console.error('failed: ' + e.code); process.exitCode = 7; }
`;
  let base: string;
  beforeAll(async () => {
    base = `http://127.0.0.1:${await closedPort()}/api/v1`;
  });

  it('private_key_jwt against an unreachable token endpoint: prints the error and exits with its own code', async () => {
    const result = await run(
      ['--input-type=module', '-'],
      {},
      script("{ clientId: 'c', privateKey: key }", '{}', base),
    );
    expect(result.stderr.trim()).toBe('failed: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.code).toBe(7);
  });

  it('a clientAssertion signer that never answers: the deadline ends the wait', async () => {
    const result = await run(
      ['--input-type=module', '-'],
      {},
      script("{ clientId: 'c', clientAssertion: () => new Promise(() => {}) }", '{}', base),
    );
    expect(result.stderr.trim()).toBe('failed: TOKEN_ENDPOINT_TIMEOUT');
    expect(result.code).toBe(7);
  });

  it('mutual TLS against an unreachable token endpoint', async () => {
    const httpsBase = base.replace('http:', 'https:');
    const { client } = testCerts();
    const result = await run(
      ['--input-type=module', '-'],
      {},
      script(
        "{ clientId: 'c' }",
        `{ clientAuthMethod: 'tls_client_auth', tls: ${JSON.stringify({ cert: client.cert, key: client.key })} }`,
        httpsBase,
      ),
    );
    expect(result.stderr.trim()).toBe('failed: TOKEN_ENDPOINT_UNAVAILABLE');
    expect(result.code).toBe(7);
  });
});

describe('the server clock in another time zone', () => {
  // A token endpoint 3 minutes ahead that writes its Date in asctime (RFC 9110 §5.6.7: no zone,
  // meaning GMT) and refuses an assertion whose iat is off its clock; the client runs in New York,
  // where Date.parse would read asctime as local time. In a child process: TZ is the process's.
  const script = `
const http = require('node:http');
const axios = require('axios');
const { attachPaymentAuth } = require(${JSON.stringify(join(dist, 'index.js'))});
const { generateKeyPairSync } = require('node:crypto');
const ahead = 180000;
const asctime = (ms) => {
  const d = new Date(ms).toUTCString().split(' '); // Sun, 06 Nov 1994 08:49:37 GMT
  return d[0].slice(0, 3) + ' ' + d[2] + ' ' + d[1].replace(/^0/, ' ') + ' ' + d[4] + ' ' + d[3];
};
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const jws = new URLSearchParams(body).get('client_assertion');
    const { iat } = JSON.parse(Buffer.from(jws.split('.')[1], 'base64url').toString());
    const now = Date.now() + ahead;
    res.setHeader('Date', asctime(now));
    res.setHeader('Content-Type', 'application/json');
    if (Math.abs(iat * 1000 - now) > 5000) {
      res.statusCode = 401;
      res.end(JSON.stringify({ error: 'invalid_client', error_description: 'assertion iat is not within the accepted window of the server clock' }));
    } else res.end(JSON.stringify({ access_token: 'at-ok', token_type: 'Bearer', expires_in: 60 }));
  });
});
server.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port;
  const api = axios.create({ baseURL: base });
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const auth = attachPaymentAuth(api, { clientId: 'c', privateKey: key }, { tokenUrl: base + '/token', refreshUrl: false });
  try { console.log(await auth.getAccessToken()); } catch (e) { console.log(e.code + ': ' + e.hint); }
  auth.detach();
  server.close();
});
`;

  it('learns the offset from an asctime Date, read as GMT', async () => {
    const result = await run(['-'], { TZ: 'America/New_York' }, script);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('at-ok');
    expect(result.code).toBe(0);
  });
});
