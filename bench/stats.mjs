export const sum = (xs) => xs.reduce((a, b) => a + b, 0);

export function quantile(xs, q) {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export const median = (xs) => quantile(xs, 0.5);

/** { min, median, max } of a list. */
export function spread(xs) {
  return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) };
}

export const fmt = (x, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** Runs `count` calls of `fn` with at most `concurrency` in flight; returns per-call latencies (ms) and errors. */
export async function drive(fn, count, concurrency) {
  const latencies = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next += 1;
        const t = performance.now();
        try {
          await fn();
        } catch {
          errors += 1;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, errors, elapsedMs: performance.now() - started };
}

/** Sends `count` requests one after another (`send` returns a promise); µs per request. */
export async function timeBatch(send, count) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await send();
  return Number(process.hrtime.bigint() - started) / 1000 / count;
}

/**
 * Times `count` requests of each sender per round, `rounds` times: the order rotates every round
 * (A-B-C, B-C-A, …) and is reversed every other round, so no variant always runs first or last; a
 * gc before each batch (with --expose-gc). Returns the µs per request of every batch, by name.
 */
export async function timeRotated(senders, rounds, count) {
  const names = Object.keys(senders);
  const us = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const rotated = names.map((_, i) => names[(i + round) % names.length]);
    const order = round % 2 === 0 ? rotated : rotated.reverse();
    for (const n of order) {
      globalThis.gc?.();
      us[n].push(await timeBatch(senders[n], count));
    }
  }
  return us;
}
