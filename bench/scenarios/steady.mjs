// 1. Steady-state overhead: requests per second over keep-alive, at concurrency 1 and 64, every
// implementation against the same minimal server (its own process), alternating order round by
// round; each ratio is taken against plain axios of the same round. Besides wall-clock throughput,
// the client's CPU time per request is recorded: on a shared machine it is far less noisy, and a
// CPU-bound client's throughput is its inverse.
import { IMPLEMENTATIONS } from '../implementations.mjs';
import { startChild } from '../child.mjs';
import { drive, spread } from '../stats.mjs';

// plain2 is the A/A control: the same plain axios again, whose ratio to plain is the noise floor.
const NAMES = ['plain', 'plain2', 'ours', 'gist', 'authRefresh'];

export async function steady({ quick = false, log = () => undefined } = {}) {
  const { value: server, stop } = await startChild('minimal-server-process.mjs');
  // A quick run keeps five rounds: the A/A control needs a few to show the noise.
  const rounds = quick ? 5 : 11;
  const results = {};
  try {
    for (const concurrency of [1, 64]) {
      const count = quick ? 300 : concurrency === 1 ? 800 : 2500;
      const clients = {};
      for (const name of NAMES) {
        clients[name] = await IMPLEMENTATIONS[name].create({
          baseURL: `${server.url}/api/v1`,
          tokenUrl: server.tokenUrl,
          credentials: server.credentials,
        });
        await drive(() => clients[name].get('/things'), quick ? 50 : 500, concurrency); // warm-up: token, sockets, JIT
      }
      const rps = Object.fromEntries(NAMES.map((n) => [n, []]));
      const cpu = Object.fromEntries(NAMES.map((n) => [n, []]));
      for (let round = 0; round < rounds; round++) {
        const order = NAMES.map((_, i) => NAMES[(i + round) % NAMES.length]);
        for (const name of order) {
          globalThis.gc?.(); // collect the previous run's garbage before this one is timed
          const cpuBefore = process.cpuUsage();
          const { elapsedMs, errors } = await drive(() => clients[name].get('/things'), count, concurrency);
          const used = process.cpuUsage(cpuBefore);
          if (errors) throw new Error(`${name}: ${errors} errors in the steady run`);
          rps[name].push((count / elapsedMs) * 1000);
          cpu[name].push((used.user + used.system) / count);
        }
      }
      for (const name of NAMES) clients[name].close();
      const ratios = Object.fromEntries(
        NAMES.filter((n) => n !== 'plain').map((n) => [n, spread(rps[n].map((r, i) => r / rps.plain[i]))]),
      );
      const cpuRatios = Object.fromEntries(
        NAMES.filter((n) => n !== 'plain').map((n) => [n, spread(cpu[n].map((c, i) => cpu.plain[i] / c))]),
      );
      results[concurrency] = {
        rps: Object.fromEntries(NAMES.map((n) => [n, spread(rps[n])])),
        ratios,
        cpuRatios,
        cpuPerRequestUs: Object.fromEntries(NAMES.map((n) => [n, spread(cpu[n])])),
      };
      const aa = results[concurrency].ratios.plain2;
      log(
        `steady c=${concurrency}: plain ${Math.round(results[concurrency].rps.plain.median)} req/s; ours ÷ plain median ${results[concurrency].ratios.ours.median.toFixed(3)} (wall), ${cpuRatios.ours.median.toFixed(3)} (client CPU); A/A ${aa.min.toFixed(3)}–${aa.max.toFixed(3)}`,
      );
    }
  } finally {
    await stop();
  }
  return { rounds, results };
}
