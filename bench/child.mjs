import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Starts a bench script in a child process and resolves with its first JSON line. */
export function startChild(script, args = [], execArgv = []) {
  const child = spawn(process.execPath, [...execArgv, join(import.meta.dirname, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      const i = buffer.indexOf('\n');
      if (i >= 0)
        resolve({
          child,
          value: JSON.parse(buffer.slice(0, i)),
          stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))),
        });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
