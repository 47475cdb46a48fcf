/**
 * Abort-signal helpers that work on every Node 20.x (`AbortSignal.any` needs 20.3) and remove
 * their listeners when done, so a long-lived signal (detach) never collects one per acquisition.
 */

/** A signal that aborts when any of `signals` does, with that signal's reason. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Stops listening to the source signals. */
  dispose(): void;
}

export function linkSignals(signals: readonly AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const listeners: [AbortSignal, () => void][] = [];
  const dispose = (): void => {
    for (const [source, listener] of listeners) source.removeEventListener('abort', listener);
    listeners.length = 0;
  };
  for (const source of signals) {
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    const listener = (): void => {
      dispose();
      controller.abort(source.reason);
    };
    source.addEventListener('abort', listener, { once: true });
    listeners.push([source, listener]);
  }
  return { signal: controller.signal, dispose };
}

/**
 * `promise`, or a rejection with the signal's reason as soon as it aborts: for waits on code that
 * takes no signal (a credentials provider, a token store), so a deadline or `detach()` still ends
 * them. The promise itself goes on; its outcome is ignored.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
