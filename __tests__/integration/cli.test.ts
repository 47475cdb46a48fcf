import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import axios from 'axios';
import { attachPaymentAuth } from '../../src';
import { demoCommand } from '../../src/cli/demo';
import type { Io } from '../../src/cli/io';
import { startPaymentSandbox, type PaymentSandbox, type SandboxCounters } from '../../src/testing';
import { testCerts, testKeyPair } from '../_helpers/certs';
import { HOSTILE_SECRET } from '../_helpers/leaks';

const cli = join(__dirname, '..', '..', 'dist', 'cli', 'index.js');

/** Runs the built CLI without blocking this process (the sandbox under test lives here). */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  expect(existsSync(cli)).toBe(true); // `npm test` builds first
});

describe('payment-auth', () => {
  it('prints help for the command and each subcommand', async () => {
    expect(await run(['--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('Commands:') });
    for (const name of ['demo', 'sandbox', 'token']) {
      const result = await run([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: payment-auth ${name} [options]`);
    }
  });

  it('lists each command with a whole sentence, and prints its version', async () => {
    const help = await run(['--help']);
    const commands = help.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(commands.map((line) => line.trim().split(/\s+/)[0])).toEqual(['demo', 'sandbox', 'token']);
    for (const line of commands) expect(line).toMatch(/^ {2}\w+ +[A-Z].*\.$/);
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-v', 'version']) {
      expect(await run([flag])).toEqual({
        code: 0,
        stdout: `payment-auth (axios-payment-auth) ${version}\n`,
        stderr: '',
      });
    }
  });

  it('says it cannot write its output to a full disk, in one line, and exits 1', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const child = spawn(process.execPath, [cli, '--version'], { stdio: ['ignore', full, 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect([code, stderr]).toEqual([1, 'payment-auth: cannot write the output: ENOSPC\n']);
    } finally {
      closeSync(full);
    }
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['demo', '--herd', '-1'], /^payment-auth demo: --herd must be an integer from 1 to 10000, got "-1"\nRun /],
    [['demo', '--herd'], /^payment-auth demo: Option '--herd <value>' argument missing\nRun /],
    [['demo', '--base-url', 'api.example-pay.com'], /--base-url must be an absolute URL, got "api.example-pay.com"/],
    [
      ['sandbox', '--host', '0.0.0.0'],
      /--host must be a loopback address \(127.0.0.1, ::1 or localhost\), got "0.0.0.0"/,
    ],
    [
      ['token', '--base-url', 'http://api.example-pay.com'],
      /http: on a non-loopback host; .* \(use https:, or --allow-insecure-http\)/,
    ],
    [['demo', '--verbose'], /Unknown option '--verbose'/],
    [['demo', '--herd', 'many'], /--herd must be an integer from 1 to 10000, got "many"/],
    [['sandbox', '--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['token'], /--base-url is required/],
    [['token', '--base-url', 'https://api.example-pay.com', '--auth-method', 'plain'], /--auth-method must be/],
    [
      [
        'token',
        '--base-url',
        'https://api.example-pay.com',
        '--auth-method',
        'client_secret_basic',
        '--private-key',
        __filename,
      ],
      /--private-key is for private_key_jwt, not client_secret_basic/,
    ],
    [
      ['token', '--base-url', 'https://api.example-pay.com', '--key-id', 'k1', '--issuer', 'https://as'],
      /--key-id, --issuer are for private_key_jwt, not client_secret_basic/,
    ],
  ])('rejects %p with a clear message and exit code 2', async (args, message) => {
    const result = await run(args as string[], { PAYMENT_CLIENT_ID: 'a', PAYMENT_CLIENT_SECRET: 'b' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('payment-auth token', () => {
  let sandbox: PaymentSandbox;
  beforeAll(async () => {
    sandbox = await startPaymentSandbox();
  });
  afterAll(() => sandbox.close());

  it('prints only the access token', async () => {
    const result = await run(['token', '--base-url', `${sandbox.url}/api/v1`], {
      PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
      PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^at_[\w-]+\n$/);
  });

  it('exits 1 with a clear message, and no secret, when the credentials are wrong', async () => {
    const result = await run(['token', '--base-url', sandbox.url], {
      PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
      PAYMENT_CLIENT_SECRET: 'wrong-secret-value',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /CREDENTIALS_REJECTED: Token request to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/oauth2\/token rejected with 401 invalid_client.*check clientId and clientSecret/,
    );
    expect(result.stderr).not.toContain('wrong-secret-value');
  });

  it('reaches an http: API off loopback only with --allow-insecure-http', async () => {
    // 0.0.0.0 is not a loopback name, yet Linux connects it to this machine: an http: URL the
    // package refuses by default.
    const url = sandbox.url.replace('127.0.0.1', '0.0.0.0');
    const env = {
      PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
      PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
    };
    expect((await run(['token', '--base-url', url], env)).code).toBe(2);
    const allowed = await run(['token', '--base-url', url, '--allow-insecure-http'], env);
    expect([allowed.code, allowed.stderr]).toEqual([0, '']);
    expect(allowed.stdout).toMatch(/^\S{16,}\n$/);
  });

  it('signs with --private-key (PEM or JWK file) for private_key_jwt, and presents --cert for mutual TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-keys-'));
    const key = await testKeyPair('ES256');
    const jwt = await startPaymentSandbox({
      clientAuth: 'private_key_jwt',
      credentials: { clientId: 'cli-jwt', jwks: { keys: [key.publicJwk] } },
    });
    const certs = testCerts();
    const tls = await startPaymentSandbox({
      clientAuth: 'tls_client_auth',
      tls: { cert: certs.server.cert, key: certs.server.key, clientCa: certs.ca.cert },
      credentials: { clientId: 'client-1', tlsClientAuthSubjectDn: 'CN=client-1' },
    });
    try {
      const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
      for (const keyFile of [file('key.pem', key.privatePem), file('key.jwk', JSON.stringify(key.privateJwk))]) {
        const result = await run(
          ['token', '--base-url', jwt.url, '--private-key', keyFile, '--key-id', key.kid, '--issuer', jwt.issuer],
          { PAYMENT_CLIENT_ID: 'cli-jwt' },
        );
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toMatch(/^at_[\w-]+\n$/);
      }
      expect(jwt.assertions().map((a) => a.claims.aud)).toEqual([jwt.issuer, jwt.issuer]);
      const mtls = await run(
        [
          'token',
          '--base-url',
          tls.url,
          '--cert',
          file('client.crt', certs.client.cert),
          '--key',
          file('client.key', certs.client.key),
          '--ca',
          file('ca.crt', certs.ca.cert),
        ],
        { PAYMENT_CLIENT_ID: 'client-1' },
      );
      expect(mtls).toMatchObject({ code: 0, stderr: '' });
      // An encrypted key: its passphrase from the environment, never a flag.
      const encrypted = createPrivateKey(certs.client.key).export({
        format: 'pem',
        type: 'pkcs8',
        cipher: 'aes-256-cbc',
        passphrase: 'key-pass',
      }) as string;
      const encryptedArgs = [
        'token',
        '--base-url',
        tls.url,
        '--cert',
        join(dir, 'client.crt'),
        '--key',
        file('client.enc.key', encrypted),
        '--ca',
        join(dir, 'ca.crt'),
      ];
      expect(
        await run(encryptedArgs, { PAYMENT_CLIENT_ID: 'client-1', PAYMENT_TLS_KEY_PASSPHRASE: 'key-pass' }),
      ).toMatchObject({
        code: 0,
        stderr: '',
      });
      expect(await run(encryptedArgs, { PAYMENT_CLIENT_ID: 'client-1' })).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/the files of --cert and --key cannot be used \(ERR_OSSL_/),
      });
      expect(tls.requests.map((r) => [r.route, r.clientAuth, r.status])).toEqual([
        ['token', 'tls', 200],
        ['token', 'tls', 200],
      ]);
      const missing = await run(['token', '--base-url', jwt.url, '--private-key', join(dir, 'nope.pem')], {
        PAYMENT_CLIENT_ID: 'cli-jwt',
      });
      expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/--private-key: cannot read .*ENOENT/) });
      const alone = await run(['token', '--base-url', tls.url, '--cert', join(dir, 'client.crt')], {
        PAYMENT_CLIENT_ID: 'client-1',
      });
      expect(alone).toMatchObject({ code: 2, stderr: expect.stringMatching(/--cert and --key go together/) });
      const wrongKey = await run(
        ['token', '--base-url', jwt.url, '--private-key', file('other.pem', (await testKeyPair('ES256')).privatePem)],
        {
          PAYMENT_CLIENT_ID: 'cli-jwt',
        },
      );
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toMatch(/CREDENTIALS_REJECTED/);
      expect(wrongKey.stderr).not.toMatch(/PRIVATE KEY|"d"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await jwt.close();
      await tls.close();
    }
  });

  it('exits 2 when the credentials are not in the environment', async () => {
    expect(await run(['token', '--base-url', sandbox.url])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/PAYMENT_CLIENT_ID and PAYMENT_CLIENT_SECRET not set/),
    });
  });
});

describe('payment-auth sandbox', () => {
  it('prints export lines a shell can eval, whatever the credentials hold', async () => {
    const secret = `p+/=&touch PWNED;%é'$(id)"x y`;
    const child = spawn(process.execPath, [cli, 'sandbox', '--client-id', 'id with space', '--client-secret', secret], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!out.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
    const exports = out.split('\n').filter((line) => line.startsWith('export '));
    const shell = spawnSync(
      'sh',
      ['-c', `${exports.join('\n')}\nprintf '%s\\n' "$PAYMENT_CLIENT_ID" "$PAYMENT_CLIENT_SECRET"`],
      {
        encoding: 'utf8',
        cwd: tmpdir(),
      },
    );
    expect(shell.stdout).toBe(`id with space\n${secret}\n`);
    expect(existsSync(join(tmpdir(), 'PWNED'))).toBe(false);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('--dpop: a DPoP sandbox that a client with dpop gets tokens from, and one without is refused by', async () => {
    const child = spawn(process.execPath, [cli, 'sandbox', '--dpop', '--dpop-nonce'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!out.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
    expect(out).toMatch(/DPoP: tokens are bound to the client's key, proofs must carry the server nonce/);
    const value = (name: string) => new RegExp(`export ${name}=(\\S+)`).exec(out)![1]!;
    const credentials = { clientId: value('PAYMENT_CLIENT_ID'), clientSecret: value('PAYMENT_CLIENT_SECRET') };
    const withDpop = axios.create({ baseURL: value('PAYMENT_API_URL') });
    const a = attachPaymentAuth(withDpop, credentials, { dpop: true });
    await expect(withDpop.get('/payments')).resolves.toMatchObject({ status: 200 });
    const without = axios.create({ baseURL: value('PAYMENT_API_URL') });
    const b = attachPaymentAuth(without, credentials);
    await expect(without.get('/payments')).rejects.toMatchObject({ code: 'TOKEN_REQUEST_REJECTED' });
    a.detach();
    b.detach();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await run(['sandbox', '--dpop-nonce'])).toMatchObject({ code: 2 });
  });

  it.each([['--client-id'], ['--client-secret']])('refuses a blank %s with exit code 2', async (flag) => {
    const result = await run(['sandbox', flag, ' ']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(new RegExp(`^payment-auth sandbox: ${flag} must not be blank\n`));
  });

  it('says what to do when its port is taken, and exits 1', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const result = await run(['sandbox', '--port', String(port)]);
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `payment-auth sandbox: port ${port} on 127.0.0.1 is in use (EADDRINUSE): pick another with --port, or --port 0 for a free one\n`,
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('prints its URL and credentials, serves tokens, and stops cleanly on a signal', async () => {
    const child = spawn(
      process.execPath,
      [cli, 'sandbox', '--access-ttl', '60', '--client-id', 'dev-client', '--client-secret', 'dev-secret'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!out.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
    const url = /export PAYMENT_API_URL=(\S+)/.exec(out)![1]!;
    expect(out).toContain('export PAYMENT_CLIENT_ID=dev-client');
    const response = await fetch(`${url}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=dev-client&client_secret=dev-secret',
    });
    expect(await response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/Stopped\. 1 token call, 0 refresh calls, 0 API calls, 0 payments created\./);
  });
});

describe('payment-auth demo', () => {
  /** An Io that keeps the printed lines (plain lines, not a terminal) and shows each to `onLine`. */
  function lineIo(onLine: (line: string) => void = () => undefined): Io & { lines: string[] } {
    const lines: string[] = [];
    return {
      lines,
      out(line) {
        lines.push(line);
        onLine(line);
      },
      err: (line) => void lines.push(`stderr: ${line}`),
      env: {},
      isTty: false,
      status: () => undefined,
      untilSignal: () => new Promise<void>(() => undefined),
    };
  }

  /** The result line of each phase: `✔ [1/6] cold-start herd: 100 requests, 1 token, 0 refresh, 0 401s, 0 retries…`. */
  function printedPhases(lines: string[]) {
    return lines.flatMap((line) => {
      const m =
        /^([✔✘]) \[\d+\/\d+\] (.+?): (\d+) requests?, (\d+) token, (\d+) refresh, (\d+) 401s?, (\d+) retr(?:y|ies)/.exec(
          line,
        );
      return m
        ? [
            {
              met: m[1] === '✔',
              name: m[2]!,
              requests: Number(m[3]),
              tokenCalls: Number(m[4]),
              refreshCalls: Number(m[5]),
              unauthorized: Number(m[6]),
              retries: Number(m[7]),
            },
          ]
        : [];
    });
  }

  /**
   * The sandbox's own counts per phase: a snapshot of its counters and log as each phase starts
   * (the demo prints "[i/n] name…" then) and once the demo is done.
   */
  function phaseMeter(sandbox: () => PaymentSandbox | undefined) {
    const marks: { name: string; counters: SandboxCounters; logged: number }[] = [];
    const mark = (name: string) =>
      marks.push({ name, counters: sandbox()!.counters(), logged: sandbox()!.requests.length });
    return {
      onLine(line: string) {
        const start = /^\[\d+\/\d+\] (.+)…$/.exec(line);
        if (start) mark(start[1]!);
      },
      phases() {
        const end = { counters: sandbox()!.counters(), logged: sandbox()!.requests.length };
        return marks.map((m, i) => {
          const next = marks[i + 1] ?? end;
          const delta = Object.fromEntries(
            Object.entries(m.counters).map(([k, v]) => [k, next.counters[k as keyof SandboxCounters] - v]),
          ) as unknown as SandboxCounters;
          const statuses = sandbox()!
            .requests.slice(m.logged, next.logged)
            .filter((r) => r.route === 'api')
            .map((r) => r.status);
          return { name: m.name, ...delta, statuses };
        });
      },
    };
  }

  it("runs every phase against its sandbox: the sandbox's own counts meet each expectation and are what it prints (in process)", async () => {
    let sandbox: PaymentSandbox | undefined;
    const meter = phaseMeter(() => sandbox);
    const io = lineIo((line) => meter.onLine(line));
    const code = await demoCommand(['--herd', '100', '--steady-seconds', '3'], io, {
      startSandbox: async () => (sandbox = await startPaymentSandbox()),
    });
    const seen = meter.phases();
    const printed = printedPhases(io.lines);
    expect(seen.map((p) => p.name)).toEqual([
      'cold-start herd',
      'steady traffic',
      'revoked access token',
      'revoked refresh token',
      '503 on a create call',
      'wrong secret',
    ]);
    const [herd, steady, revokedAccess, revokedRefresh, create503, wrongSecret] = seen;
    // What each phase must cost, read from the sandbox's log, not from the demo's own verdict.
    expect(herd).toMatchObject({ tokenCalls: 1, refreshCalls: 0, apiCalls: 100, unauthorized: 0 });
    expect(new Set(herd!.statuses)).toEqual(new Set([200]));
    expect(steady).toMatchObject({ tokenCalls: 0, unauthorized: 0 });
    expect(steady!.refreshCalls).toBeGreaterThanOrEqual(2); // several 2 s lifetimes, renewed ahead of expiry
    expect(new Set(steady!.statuses)).toEqual(new Set([200]));
    expect(revokedAccess).toMatchObject({ tokenCalls: 0, refreshCalls: 1, unauthorized: 50, apiCalls: 1 + 50 + 50 }); // one before the revocation, 50 401s, 50 replays
    expect(revokedRefresh).toMatchObject({ tokenCalls: 1, refreshCalls: 1, unauthorized: 20, apiCalls: 40 });
    expect(create503).toMatchObject({ paymentsCreated: 1, apiCalls: 2 });
    expect(create503!.statuses).toEqual([503, 201]);
    expect(wrongSecret).toMatchObject({ tokenCalls: 1, refreshCalls: 0, apiCalls: 0 });
    // What it prints is what the sandbox saw.
    expect(printed.map((p) => [p.name, p.tokenCalls, p.refreshCalls, p.unauthorized])).toEqual(
      seen.map((p) => [p.name, p.tokenCalls, p.refreshCalls, p.unauthorized]),
    );
    expect(printed[0]!.requests).toBe(herd!.apiCalls);
    expect(printed[1]!.requests).toBe(steady!.apiCalls);
    expect(printed[4]!.retries).toBe(1);
    expect(printed.every((p) => p.met)).toBe(true);
    expect(io.lines.at(-1)).toBe('Every expectation met.');
    expect(code).toBe(0);
  });

  it('fails the steady-traffic phase, and exits 1, when a request of that phase meets a 401 (in process)', async () => {
    const sandbox = await startPaymentSandbox({ accessTokenTtlS: 1, credentials: { clientSecret: HOSTILE_SECRET } });
    const meter = phaseMeter(() => sandbox);
    const io = lineIo((line) => {
      meter.onLine(line);
      // As the phase starts: its first API call gets a 401 (replayed, so no request fails).
      if (line === '[2/2] steady traffic…')
        sandbox.injectFault('api', {
          status: 401,
          body: { error: { code: 'INVALID_TOKEN', message: 'revoked', request_id: 'req_demo' } },
        });
    });
    const env = {
      PAYMENT_CLIENT_ID: process.env.PAYMENT_CLIENT_ID,
      PAYMENT_CLIENT_SECRET: process.env.PAYMENT_CLIENT_SECRET,
    };
    Object.assign(process.env, {
      PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
      PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
    });
    try {
      const code = await demoCommand(
        ['--herd', '20', '--steady-seconds', '2', '--base-url', `${sandbox.url}/api/v1`],
        io,
      );
      const [, steady] = meter.phases();
      // The 401 is the one thing wrong: no token call, no failed request, renewed ahead of expiry.
      expect(steady).toMatchObject({ name: 'steady traffic', tokenCalls: 0, unauthorized: 1 });
      expect(steady!.refreshCalls).toBeGreaterThanOrEqual(2);
      expect(steady!.statuses.filter((s) => s !== 200)).toEqual([401]);
      expect(printedPhases(io.lines).map((p) => [p.name, p.met, p.unauthorized])).toEqual([
        ['cold-start herd', true, 0],
        ['steady traffic', false, 1],
      ]);
      expect(io.lines.at(-1)).toBe('Some expectations were NOT met.');
      expect(code).toBe(1);
    } finally {
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await sandbox.close();
    }
  });

  it('passes against a real API whose tokens outlive the phase, and says why it shows no renewal (built CLI)', async () => {
    const sandbox = await startPaymentSandbox({ accessTokenTtlS: 900 });
    try {
      const result = await run(
        ['demo', '--herd', '10', '--steady-seconds', '1', '--base-url', `${sandbox.url}/api/v1/payments`],
        {
          PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
          PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
        },
      );
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(
        /^payment-auth demo against http:\/\/127\.0\.0\.1:\d+ \(node v\d+\.\d+\.\d+, axios /,
      );
      expect(result.stdout).toContain(
        '0 401s, 0 failed (tokens live 900 s, renewed after 840 s: no renewal due within 1 s)',
      );
      expect(result.stdout).toContain('Every expectation met.');
      expect(result.code).toBe(0);
      expect(sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 0, unauthorized: 0 });
    } finally {
      await sandbox.close();
    }
  });

  it('runs the non-destructive phases against a real API with --base-url, counting what that API counts (built CLI)', async () => {
    const sandbox = await startPaymentSandbox({ accessTokenTtlS: 1, credentials: { clientSecret: HOSTILE_SECRET } });
    try {
      const result = await run(
        ['demo', '--json', '--herd', '50', '--steady-seconds', '2', '--base-url', `${sandbox.url}/api/v1`],
        {
          PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
          PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
        },
      );
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as {
        ok: boolean;
        phases: {
          name: string;
          met: boolean;
          requests: number;
          tokenCalls: number;
          refreshCalls: number;
          unauthorized: number;
          failures: number;
        }[];
      };
      expect(report.phases.map((p) => p.name)).toEqual(['cold-start herd', 'steady traffic']);
      expect(report.phases[0]).toMatchObject({ requests: 50, tokenCalls: 1, failures: 0 });
      // Counted by the client's hooks here; the API's own counts must agree.
      const sum = (key: 'requests' | 'tokenCalls' | 'refreshCalls' | 'unauthorized') =>
        report.phases.reduce((n, p) => n + p[key], 0);
      const c = sandbox.counters();
      expect([sum('tokenCalls'), sum('refreshCalls'), sum('unauthorized'), sum('requests')]).toEqual([
        c.tokenCalls,
        c.refreshCalls,
        c.unauthorized,
        c.apiCalls,
      ]);
      expect(c).toMatchObject({ tokenCalls: 1, unauthorized: 0 });
      expect(c.refreshCalls).toBeGreaterThanOrEqual(2);
      expect(sandbox.payments()).toEqual([]);
      expect([report.ok, result.code]).toEqual([true, 0]);
    } finally {
      await sandbox.close();
    }
  });
});
