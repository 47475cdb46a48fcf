import { CanceledError, type InternalAxiosRequestConfig } from 'axios';
import { cleanAxiosError } from './redact';

type CancelListener = (reason: unknown) => void;
interface CancelTokenLike {
  reason?: unknown;
  subscribe?: (listener: CancelListener) => void;
  unsubscribe?: (listener: CancelListener) => void;
}

/**
 * Starts `start()` and waits for it unless the request is cancelled first, by its `signal` or its
 * (deprecated, but still used by NestJS's HttpService) `cancelToken`. A cancellation rejects at
 * once with axios's `CanceledError`; the work itself goes on for everyone else who waits on it. A
 * request that is already cancelled does not start anything.
 */
export function unlessCancelled<T>(start: () => Promise<T>, config: InternalAxiosRequestConfig): Promise<T> {
  const signal = config.signal as AbortSignal | undefined;
  const cancelToken = config.cancelToken as CancelTokenLike | undefined;
  if (!signal && !cancelToken) return start();
  // As axios builds it (message, config): the config, cleaned of a bearer it may already carry.
  const cancelled = (): Error => cleanAxiosError(new CanceledError(undefined, config));
  if (signal?.aborted) return Promise.reject(cancelled());
  if (cancelToken?.reason) return Promise.reject(cancelToken.reason);
  const pending = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cleanup();
      reject(cancelled());
    };
    const onCancel: CancelListener = (reason) => {
      cleanup();
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
