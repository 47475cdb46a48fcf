/** Largest delay a Node timer takes; a larger one fires at once with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A delay clamped to what a timer can hold. */
export function timerDelay(ms: number): number {
  return Math.max(0, Math.min(ms, MAX_TIMER_MS));
}

/**
 * Waits `ms` on an `unref()`ed timer, so a pending wait never keeps the process alive. Rejects
 * with the signal's reason as soon as it aborts, and removes its listener either way.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, timerDelay(ms));
    (timer as { unref?: () => void }).unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
