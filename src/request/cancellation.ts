import { CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { cleanAxiosError } from '../errors/clean-axios-error';

type CancelListener = (reason: unknown) => void;
interface CancelTokenLike {
  reason?: unknown;
  subscribe?: (listener: CancelListener) => void;
  unsubscribe?: (listener: CancelListener) => void;
}

/** A wait the caller may give up: `release()` tells whoever it waits on that it stopped waiting. */
export interface Waiter<T> {
  promise: Promise<T>;
  release?: () => void;
}

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
    return started instanceof Promise ? { promise: started } : started;
  };
  if (!signal && !cancelToken) return begin().promise;
  // As axios builds it (message, config): the config, cleaned of a bearer it may already carry.
  const cancelled = (): Error => cleanAxiosError(new CanceledError(undefined, config));
  if (signal?.aborted) return Promise.reject(cancelled());
  if (cancelToken?.reason) return Promise.reject(cancelToken.reason);
  const waiter = begin();
  const pending = waiter.promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cleanup();
      waiter.release?.();
      reject(cancelled());
    };
    const onCancel: CancelListener = (reason) => {
      cleanup();
      waiter.release?.();
      reject(reason ?? cancelled());
    };
    const cleanup = (): void => {
      signal?.removeEventListener?.('abort', onAbort);
      cancelToken?.unsubscribe?.(onCancel);
    };
    signal?.addEventListener?.('abort', onAbort, { once: true });
    cancelToken?.subscribe?.(onCancel);
    pending.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
