// 5. Memory: heap after 100,000 requests relative to after 1,000, with GC, in a fresh process per
// implementation; plus timers and sockets left over, and abort listeners on a shared signal.
import { startChild } from '../child.mjs';

export async function memory({ quick = false, log = () => undefined } = {}) {
  const total = quick ? 10_000 : 100_000;
  const rows = [];
  const { value: server, stop } = await startChild('minimal-server-process.mjs');
  try {
    for (const name of ['plain', 'ours']) {
      const { value, stop: end } = await startChild(
        'memory-worker.mjs',
        [name, String(total), JSON.stringify(server)],
        ['--expose-gc'],
      );
      await end();
      rows.push({ name, ...value });
      log(
        `memory ${name}: heap ${(value.growthBytes / 1e6).toFixed(2)} MB growth from ${value.early} to ${total} requests, ${value.leftoverTimers} timers and ${value.listeners} abort listeners left`,
      );
    }
  } finally {
    await stop();
  }
  return { total, rows };
}
