/**
 * Every timer of the package starts here, for two reasons:
 *
 * - Whether a timer keeps the process alive is decided in one place. A timer that nobody awaits
 *   (a background renewal's waits) is `unref()`ed, so it never holds a process open; a wait that a
 *   request or `getAccessToken()` awaits keeps the process alive until it settles, or a short
 *   script would exit silently in the middle of a request. A {@link TimerGroup} switches the timers
 *   of one token acquisition between the two while callers come and go.
 * - {@link pendingTimers} counts the package's own timers (Node's resource list leaves out
 *   unref'd ones), so tests can prove that nothing is left running.
 */

import { untilAborted } from './signals';

/** Largest delay a Node timer takes; a larger one fires at once with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

type Handle = ReturnType<typeof setTimeout>;
interface Refable {
  ref?: () => unknown;
  unref?: () => unknown;
}

/**
 * The package's pending timers, kept under a global symbol so that every copy of this module —
 * the core and the `testing` entry are bundled separately — counts the same set.
 */
const REGISTRY = Symbol.for('axios-payment-auth.pending-timers');
const pending: Set<Handle> = ((globalThis as Record<symbol, Set<Handle> | undefined>)[REGISTRY] ??= new Set<Handle>());

/**
 * How many timers of the package (in every copy of it loaded in this process) have started and
 * neither fired nor been stopped — unref'd ones included, which Node's own resource list leaves
 * out. For leak checks in tests; exported by `axios-payment-auth/testing`.
 */
export function pendingTimers(): number {
  return pending.size;
}

/** A delay clamped to what a timer can hold (NaN and negatives become 0). */
export function timerDelay(ms: number): number {
  return Number.isNaN(ms) ? 0 : Math.max(0, Math.min(ms, MAX_TIMER_MS));
}

/**
 * The timers of one piece of work that callers may or may not be waiting for. While at least one
 * caller holds the group its timers keep the process alive; once none does they are unref'd.
 */
export interface TimerGroup {
  /** A caller starts waiting; the returned function (safe to call twice) ends that wait. */
  hold(): () => void;
  /** Whether any caller waits now. */
  readonly held: boolean;
}

interface GroupInternals extends TimerGroup {
  add(handle: Handle): void;
  remove(handle: Handle): void;
}

function setAlive(handle: Handle, alive: boolean): void {
  const timer = handle as unknown as Refable; // browsers and workers return a number: nothing to do
  if (alive) timer.ref?.();
  else timer.unref?.();
}

/** Creates a {@link TimerGroup}; nobody holds it at first. */
export function createTimerGroup(): TimerGroup {
  const handles = new Set<Handle>();
  let holds = 0;
  const group: GroupInternals = {
    get held() {
      return holds > 0;
    },
    hold() {
      holds += 1;
      if (holds === 1) for (const handle of handles) setAlive(handle, true);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds -= 1;
        if (holds === 0) for (const handle of handles) setAlive(handle, false);
      };
    },
    add(handle) {
      handles.add(handle);
    },
    remove(handle) {
      handles.delete(handle);
    },
  };
  return group;
}

/** A group that is always held: for waits a caller always awaits (the back-off of an API retry). */
export const awaitedTimers: TimerGroup = createTimerGroup();
awaitedTimers.hold();

/** A started timer; {@link stopTimer} clears it. */
export interface Timer {
  readonly handle: Handle;
  readonly group: TimerGroup | undefined;
}

/**
 * Starts a timer. Without a group it never keeps the process alive; with one it does while the
 * group is held.
 */
export function startTimer(callback: () => void, ms: number, group?: TimerGroup): Timer {
  const internals = group as GroupInternals | undefined;
  const handle: Handle = setTimeout(() => {
    pending.delete(handle);
    internals?.remove(handle);
    callback();
  }, timerDelay(ms));
  pending.add(handle);
  internals?.add(handle);
  setAlive(handle, internals?.held ?? false);
  return { handle, group };
}

/** Stops a timer; safe on one that fired or was stopped. */
export function stopTimer(timer: Timer | undefined): void {
  if (!timer) return;
  clearTimeout(timer.handle);
  pending.delete(timer.handle);
  (timer.group as GroupInternals | undefined)?.remove(timer.handle);
}

/**
 * `promise`, or a rejection with `onTimeout()` if it has not settled within `ms`, or with the
 * signal's reason as soon as it aborts. The timer goes as soon as one of them happens.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  group?: TimerGroup,
  signal?: AbortSignal,
): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = startTimer(() => reject(onTimeout()), ms, group);
  });
  const raced = Promise.race([promise, timeout]);
  return (signal ? untilAborted(raced, signal) : raced).finally(() => stopTimer(timer));
}

/**
 * Waits `ms`. Rejects with the signal's reason as soon as it aborts, and removes its listener
 * either way. Keeps the process alive only while `group` is held.
 */
export function sleep(ms: number, signal?: AbortSignal, group?: TimerGroup): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      stopTimer(timer);
      reject(signal!.reason);
    };
    const timer = startTimer(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      ms,
      group,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
