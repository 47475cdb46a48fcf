import { sleep, type TimerGroup } from '../util/timers';
import { bounded, invoke } from './bounded-call';
import { StoreUnavailable, type StoreErrorConsequence } from './store-unavailable';
import { isStoredToken, type StoredToken, type TokenStore } from './token-store';

export interface SharedFlight {
  store: TokenStore;
  key: string;
  /** Unique per token manager: the lock's owner value, for compare-and-delete. */
  owner: string;
  lockTtlMs: number;
  /**
   * Longest wait for a lock another process holds before fetching in process (at most the lock's
   * TTL and a second): a holder that died must not cost the caller its whole deadline.
   */
  maxLockWaitMs: number;
  storeTimeoutMs: number;
  signal: AbortSignal;
  /** Timers of the acquisition: they keep the process alive while a caller waits. */
  timers: TimerGroup;
  clock: () => number;
  /** Whether a stored token can be served as it is (not rejected, not due for renewal). */
  isUsable(token: StoredToken): boolean;
  /** Fetches a new token from the token endpoint; `latest` is the newest stored state, if any. */
  fetch(latest: StoredToken | undefined): Promise<StoredToken>;
  /** A store call failed; `consequence` says what is done instead (for the log line). */
  onStoreError(error: StoreUnavailable, consequence: StoreErrorConsequence): void;
}

/** Longest time a token is kept in the store, whatever lifetimes the server or the options give. */
const MAX_STORE_TTL_MS = 400 * 24 * 3600 * 1000;

/** The first poll interval of a process waiting for another one's token; doubles up to 200 ms. */
const FIRST_POLL_MS = 20;

/**
 * Gets a token through the store so that one process in a fleet fetches it and the others wait
 * for it: read; if not usable, take the lock (set-if-absent with a TTL) and fetch, or wait for
 * whoever holds it by polling the store. A holder that dies delays the others by at most the
 * lock's TTL, after which one of them takes the lock. Any store failure — an error or no answer
 * within `storeTimeoutMs` — is reported and the token is fetched in process instead.
 */
export async function acquireShared(flight: SharedFlight): Promise<StoredToken> {
  const { store, key, owner, lockTtlMs, storeTimeoutMs, signal, timers } = flight;
  let latest: StoredToken | undefined;
  // Each store call has its own deadline, and the acquisition's deadline (or detach) ends it too.
  const call = <T>(method: () => Promise<T>, operation: string): Promise<T> =>
    bounded(invoke(method), operation, storeTimeoutMs, timers, signal);
  const read = async (): Promise<StoredToken | undefined> => {
    const value = await call(() => store.get(key), 'get');
    latest = isStoredToken(value) ? value : undefined;
    return latest && flight.isUsable(latest) ? latest : undefined;
  };
  const started = performance.now();
  try {
    const ready = await read();
    if (ready) return ready;
    for (let poll = FIRST_POLL_MS; ; poll = Math.min(poll * 2, 200)) {
      if (await call(() => store.tryLock(key, owner, lockTtlMs), 'lock')) {
        try {
          const raced = await read(); // another process may have written just before we locked
          if (raced) return raced;
          const token = await flight.fetch(latest);
          const ttl = Math.min(
            MAX_STORE_TTL_MS,
            Math.max(1000, Math.max(token.expiresAt, token.refreshExpiresAt ?? 0) - flight.clock()),
          );
          await bounded(
            invoke(() => store.set(key, token, ttl)),
            'set',
            storeTimeoutMs,
            timers,
          ).catch((error: StoreUnavailable) =>
            flight.onStoreError(error.cleanedOf([token.accessToken, token.refreshToken]), 'the token was not shared'),
          );
          return token;
        } finally {
          bounded(
            invoke(() => store.unlock(key, owner)),
            'unlock',
            storeTimeoutMs,
          ).catch((error: StoreUnavailable) => flight.onStoreError(error, 'its lock expires on its own'));
        }
      }
      const waited = performance.now() - started;
      if (waited > flight.maxLockWaitMs)
        throw new StoreUnavailable('lock', `held by another process for over ${Math.round(waited)} ms`);
      await sleep(poll, signal, timers);
      const shared = await read();
      if (shared) return shared;
    }
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    flight.onStoreError(error, 'fetching in process');
    return flight.fetch(latest);
  }
}

/**
 * One bounded read of the store, no lock: the token stored under `key` if there is one, whatever
 * its age (the caller decides whether it can be served). A store failure is reported and reads as
 * none. For a process that must not call the token endpoint now (its breaker is open) but may
 * take a token another process got.
 */
export async function peekShared(
  flight: Pick<SharedFlight, 'store' | 'key' | 'storeTimeoutMs' | 'timers' | 'signal' | 'onStoreError'>,
): Promise<StoredToken | undefined> {
  const { store, key, storeTimeoutMs, timers, signal } = flight;
  try {
    const value = await bounded(
      invoke(() => store.get(key)),
      'get',
      storeTimeoutMs,
      timers,
      signal,
    );
    return isStoredToken(value) ? value : undefined;
  } catch (error) {
    if (!(error instanceof StoreUnavailable)) throw error;
    flight.onStoreError(error, 'no token taken from it');
    return undefined;
  }
}
