import { CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { cleanAxiosError } from '../errors/clean-axios-error';
import { untilAborted } from '../util/signals';

type CancelListener = (reason: unknown) => void;
interface CancelTokenLike {
  reason?: unknown;
  subscribe?: (listener: CancelListener) => void;
  unsubscribe?: (listener: CancelListener) => void;
}

/** A wait the caller may give up: `release()` tells whoever it waits on that it stopped waiting. */
export interface Waiter<T> {
  promise: Promise<T>;
  release: () => void;
}

const nothingToRelease = (): void => undefined;

/**
 * Starts `start()` and waits for it unless the request is cancelled first, by its `signal` or its
 * (deprecated, but still used by NestJS's HttpService) `cancelToken`. A cancellation rejects at
 * once with axios's `CanceledError`; the work itself goes on for everyone else who waits on it, and
 * a {@link Waiter}'s `release()` tells it that this caller stopped waiting. A request that is
 * already cancelled does not start anything.
 */
export function unlessCancelled<T>(
  start: () => Promise<T> | Waiter<T>,
  config: InternalAxiosRequestConfig,
): Promise<T> {
  const signal = config.signal as AbortSignal | undefined;
  const cancelToken = config.cancelToken as CancelTokenLike | undefined;
  const begin = (): Waiter<T> => {
    const started = start();
    return started instanceof Promise ? { promise: started, release: nothingToRelease } : started;
  };
  if (!signal && !cancelToken) return begin().promise;
  // As axios builds it (message, config): the config, cleaned of a bearer it may already carry.
  const cancelled = (): Error => cleanAxiosError(new CanceledError(undefined, config));
  if (signal?.aborted) return Promise.reject(cancelled());
  if (cancelToken?.reason) return Promise.reject(cancelToken.reason);
  // Either source aborts one signal, with the reason the caller would get from axios.
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort(cancelled());
  const onCancel: CancelListener = (reason) => cancel.abort(reason ?? cancelled());
  // Either may be a minimal object (axios's GenericAbortSignal): without the methods, nothing to listen to.
  signal?.addEventListener?.('abort', onAbort);
  cancelToken?.subscribe?.(onCancel);
  const stopListening = (): void => {
    signal?.removeEventListener?.('abort', onAbort);
    cancelToken?.unsubscribe?.(onCancel);
  };
  let waiter: Waiter<T>;
  try {
    waiter = begin();
  } catch (error) {
    stopListening();
    throw error;
  }
  cancel.signal.addEventListener('abort', () => waiter.release());
  return untilAborted(waiter.promise, cancel.signal).finally(stopListening);
}
