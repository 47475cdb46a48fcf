// One memory run: `node --expose-gc memory-worker.mjs <impl> <total> <server json>`.
import { setMaxListeners } from 'node:events';
import { pendingTimers } from '../dist/testing/index.mjs';
import { IMPLEMENTATIONS } from './implementations.mjs';
import { drive } from './stats.mjs';

const [name, totalArg, serverJson] = process.argv.slice(2);
const server = JSON.parse(serverJson);
const total = Number(totalArg);
const early = 1000;
const client = await IMPLEMENTATIONS[name].create({
  baseURL: `${server.url}/api/v1`,
  tokenUrl: server.tokenUrl,
  credentials: server.credentials,
});
const signal = new AbortController().signal; // one long-lived signal shared by every request
setMaxListeners(256, signal); // 64 requests in flight each hold one listener (axios's own): not a leak
let listeners = 0;
const add = signal.addEventListener.bind(signal);
const remove = signal.removeEventListener.bind(signal);
signal.addEventListener = (...args) => ((listeners += 1), add(...args));
signal.removeEventListener = (...args) => ((listeners -= 1), remove(...args));
const get = () => (client.api ? client.api.get('/things', { signal }) : client.get('/things'));

const heap = () => {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
};
await drive(get, early, 64);
const before = heap();
await drive(get, total - early, 64);
const after = heap();
client.close();
// Node's resource list leaves out unref'd timers; this package's own timers are counted through
// its timer registry (0 for the other implementations, whose unref'd timers go uncounted).
const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length + pendingTimers();
process.stdout.write(
  `${JSON.stringify({ early, heapAfterEarly: before, heapAfterTotal: after, growthBytes: after - before, leftoverTimers: timers, listeners })}\n`,
);
