// Helpers for the benchmarks that run several processes: a free port, a redis-server, and a
// worker process that answers one JSON line per command line.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** A redis-server on a free loopback port; `stop()` ends it. */
export async function startRedisServer() {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 300));
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill() };
}

/**
 * Starts `script` (in bench/) with `env`; it writes one JSON line when ready and one per command.
 * `send(line)` resolves with the answer; `exit()` ends it.
 */
export function startWorker(script, env) {
  const child = spawn(process.execPath, [join(import.meta.dirname, script)], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffer = '';
  const waiters = [];
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      waiters.shift()?.(JSON.parse(line));
    }
  });
  const next = () => new Promise((r) => waiters.push(r));
  return {
    ready: next(),
    send: (line) => (child.stdin.write(`${line}\n`), next()),
    exit: () => new Promise((r) => (child.once('exit', r), child.stdin.write('exit\n'))),
  };
}
