import { withTimeout, type TimerGroup } from '../util/timers';
import { describeThrown, isInstance } from '../util/thrown';
import { StoreUnavailable } from './store-unavailable';

/**
 * Calls a store method so that one that throws at once, or returns a plain value, is a failing
 * store like any other (a rejected promise), never an exception in the caller.
 */
export function invoke<T>(method: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve) => resolve(method()));
}

/** A store call with its own deadline; any failure becomes a {@link StoreUnavailable}. */
export function bounded<T>(
  promise: Promise<T>,
  operation: string,
  ms: number,
  timers?: TimerGroup,
  signal?: AbortSignal,
): Promise<T> {
  const call = promise.catch((error: unknown) => {
    throw isInstance(error, StoreUnavailable) ? error : new StoreUnavailable(operation, describeThrown(error));
  });
  return withTimeout(call, ms, () => new StoreUnavailable(operation, `no answer in ${ms} ms`), timers, signal);
}
