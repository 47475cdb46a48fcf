import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startPaymentSandbox, type PaymentSandbox } from '../../src/testing';
import { startRedis, type RedisServer } from '../_helpers/redis';

const WORKERS = 8;
const worker = join(__dirname, '..', '_helpers', 'fleet-worker.cjs');

interface Worker {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
  send(line: string): Promise<Record<string, unknown>>;
}

function startWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, [worker], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) => {
      const line = lines.shift();
      if (line !== undefined) resolve(JSON.parse(line));
      else waiters.push((l) => resolve(JSON.parse(l)));
    });
  return {
    child,
    next,
    send: (line) => {
      child.stdin.write(`${line}\n`);
      return next();
    },
  };
}

describe(`a fleet of ${WORKERS} processes sharing a RedisTokenStore`, () => {
  let sandbox: PaymentSandbox;
  let redis: RedisServer;
  let workers: Worker[];

  beforeAll(async () => {
    expect(existsSync(join(__dirname, '..', '..', 'dist', 'redis', 'index.js'))).toBe(true); // `npm test` builds first
    sandbox = await startPaymentSandbox();
    redis = await startRedis();
    const env = {
      SANDBOX_URL: sandbox.url,
      REDIS_URL: redis.url,
      PAYMENT_CLIENT_ID: sandbox.credentials.clientId,
      PAYMENT_CLIENT_SECRET: sandbox.credentials.clientSecret,
      STORE_KEY: Buffer.alloc(32, 3).toString('base64'),
    };
    workers = Array.from({ length: WORKERS }, () => startWorker(env));
    await Promise.all(workers.map((w) => w.next()));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise((resolve) => {
            w.child.once('exit', resolve);
            w.child.stdin.write('exit\n');
          }),
      ),
    );
    await redis.stop();
    await sandbox.close();
  });

  async function round(): Promise<{ ok: number; failed: string[] }[]> {
    sandbox.reset();
    return (await Promise.all(workers.map((w) => w.send('round 5')))) as never;
  }

  it('cold start together: exactly 1 token call', async () => {
    const results = await round();
    expect(results.every((r) => r.ok === 5 && r.failed.length === 0)).toBe(true);
    expect(sandbox.counters()).toMatchObject({ tokenCalls: 1, refreshCalls: 0, apiCalls: WORKERS * 5 });
  });

  it('a token revoked for everyone: exactly 1 refresh fleet-wide, 0 failed', async () => {
    sandbox.revokeAccessTokens();
    const results = await round();
    expect(results.flatMap((r) => r.failed)).toEqual([]);
    expect(sandbox.counters()).toMatchObject({ tokenCalls: 0, refreshCalls: 1 });
  });

  it('Redis stopped mid-run: requests keep succeeding', async () => {
    await redis.stop();
    sandbox.revokeAccessTokens();
    const results = await round();
    expect(results.flatMap((r) => r.failed)).toEqual([]);
    expect(results.every((r) => r.ok === 5)).toBe(true);
    const c = sandbox.counters();
    expect(c.tokenCalls + c.refreshCalls).toBeLessThanOrEqual(WORKERS); // each process renews on its own
  });

  it('Redis back: sharing resumes, 1 renewal fleet-wide', async () => {
    await redis.start();
    const until = Date.now() + 10_000;
    while ((await Promise.all(workers.map((w) => w.send('status')))).some((s) => s.status !== 'ready')) {
      if (Date.now() > until) throw new Error('workers did not reconnect to Redis');
      await new Promise((r) => setTimeout(r, 50));
    }
    sandbox.revokeAccessTokens();
    const results = await round();
    expect(results.flatMap((r) => r.failed)).toEqual([]);
    const c = sandbox.counters();
    expect(c.tokenCalls + c.refreshCalls).toBe(1);
  });
});
