// Open-loop load: one request every `intervalMs` whatever the previous ones do, as traffic arriving
// at a server does. A client that fails fast does not get more requests than one that hangs.

/**
 * Fires `request()` every `intervalMs` for `durationMs` (or, past that, until `until(outcomes)` is true,
 * at most `maxMs` in all); resolves with every outcome once all have settled: `{ start, end, ok }`
 * in epoch ms. `onTick(now)` runs before each request.
 */
export async function openLoop({ request, intervalMs, durationMs, until = () => true, maxMs = durationMs, onTick }) {
  const outcomes = [];
  const pending = [];
  const started = Date.now();
  for (let i = 0; ; i++) {
    const due = started + i * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const now = Date.now();
    if (now - started >= maxMs || (now - started >= durationMs && until(outcomes))) break;
    onTick?.(now);
    const outcome = { start: now, end: 0, ok: false };
    outcomes.push(outcome);
    pending.push(
      Promise.resolve()
        .then(request)
        .then(
          () => (outcome.ok = true),
          () => (outcome.ok = false),
        )
        .finally(() => (outcome.end = Date.now())),
    );
  }
  await Promise.all(pending);
  return outcomes;
}
