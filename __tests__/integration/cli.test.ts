import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';

const cli = join(__dirname, '..', '..', 'dist', 'cli', 'index.js');

/** Runs the built CLI without blocking this process (the sandbox under test lives here). */
function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
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

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['demo', '--verbose'], /Unknown option '--verbose'/],
    [['demo', '--herd', 'many'], /--herd must be an integer from 1 to 10000, got "many"/],
    [['sandbox', '--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['token'], /--base-url is required/],
    [['token', '--base-url', 'https://api.example-pay.com', '--auth-method', 'plain'], /--auth-method must be/],
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
    const result = await run(['token', '--base-url', `${sandbox.url}/api/v1`], { PAYMENT_CLIENT_ID: sandbox.credentials.clientId, PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^at_[\w-]+\n$/);
  });

  it('exits 1 with a clear message, and no secret, when the credentials are wrong', async () => {
    const result = await run(['token', '--base-url', sandbox.url], { PAYMENT_CLIENT_ID: sandbox.credentials.clientId, PAYMENT_CLIENT_SECRET: 'wrong-secret-value' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/CREDENTIALS_REJECTED: Token request rejected with 401 invalid_client.*check clientId and clientSecret/);
    expect(result.stderr).not.toContain('wrong-secret-value');
  });

  it('exits 2 when the credentials are not in the environment', async () => {
    expect(await run(['token', '--base-url', sandbox.url])).toMatchObject({ code: 2, stderr: expect.stringMatching(/PAYMENT_CLIENT_ID and PAYMENT_CLIENT_SECRET not set/) });
  });
});

describe('payment-auth sandbox', () => {
  it('prints its URL and credentials, serves tokens, and stops cleanly on a signal', async () => {
    const child = spawn(process.execPath, [cli, 'sandbox', '--access-ttl', '60', '--client-id', 'dev-client', '--client-secret', 'dev-secret'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    while (!out.includes('Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
    const url = /export PAYMENT_API_URL=(\S+)/.exec(out)![1]!;
    expect(out).toContain('export PAYMENT_CLIENT_ID=dev-client');
    const response = await fetch(`${url}/oauth2/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=dev-client&client_secret=dev-secret' });
    expect(await response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/Stopped\. 1 token calls/);
  });
});

describe('payment-auth demo', () => {
  it('runs every phase against the sandbox and meets every expectation (--json)', async () => {
    const result = await run(['demo', '--json', '--herd', '100', '--steady-seconds', '3']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; phases: { name: string; met: boolean; tokenCalls: number }[] };
    expect(report.ok).toBe(true);
    expect(report.phases.map((p) => [p.name, p.met])).toEqual([
      ['cold-start herd', true],
      ['steady traffic', true],
      ['revoked access token', true],
      ['revoked refresh token', true],
      ['503 on a create call', true],
      ['wrong secret', true],
    ]);
    expect(report.phases[0]!.tokenCalls).toBe(1);
  });

  it('runs the non-destructive phases against a real API with --base-url', async () => {
    const sandbox = await startPaymentSandbox();
    try {
      const result = await run(['demo', '--json', '--herd', '50', '--steady-seconds', '1', '--base-url', `${sandbox.url}/api/v1`], {
        PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
        PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
      });
      const report = JSON.parse(result.stdout) as { phases: { name: string; tokenCalls: number; unauthorized: number; failures: number }[] };
      expect(report.phases.map((p) => p.name)).toEqual(['cold-start herd', 'steady traffic']);
      expect(report.phases[0]).toMatchObject({ tokenCalls: 1, failures: 0 });
      expect(sandbox.counters().tokenCalls).toBe(1);
      expect(sandbox.payments()).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});
