import { linkSignals } from '../util/signals';
import { startTimer, stopTimer, type TimerGroup } from '../util/timers';

/** A time budget shared by every call of one token acquisition. */
export interface Deadline {
  signal: AbortSignal;
  /** The acquisition's timers: they keep the process alive while a caller waits. */
  timers: TimerGroup;
  /** Milliseconds left before the signal aborts. */
  remainingMs(): number;
}

/**
 * Starts a deadline of `ms` inside `within` (the detach signal, or an outer deadline): its signal
 * aborts with `reason()` when `ms` pass, or with the outer signal's reason. Its timer belongs to
 * `timers`. `end()` stops the timer and the listening; call it when the work is done.
 */
export function startDeadline(
  ms: number,
  timers: TimerGroup,
  within: AbortSignal | Deadline,
  reason?: () => unknown,
): Deadline & { end(): void } {
  const outer = within instanceof AbortSignal ? undefined : within;
  const endAt = performance.now() + ms;
  const own = new AbortController();
  const timer = startTimer(() => own.abort(reason?.()), ms, timers);
  const linked = linkSignals([outer ? outer.signal : (within as AbortSignal), own.signal]);
  return {
    signal: linked.signal,
    timers,
    remainingMs: () => Math.min(endAt - performance.now(), outer ? outer.remainingMs() : Infinity),
    end() {
      stopTimer(timer);
      linked.dispose();
    },
  };
}
