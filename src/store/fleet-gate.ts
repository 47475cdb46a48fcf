import type { TimerGroup } from '../util/timers';
import { bounded, invoke } from './bounded-call';
import { StoreUnavailable, type StoreErrorConsequence } from './store-unavailable';
import type { TokenStore } from './token-store';

/**
 * The right to call the token endpoint while it is failing, shared through the token store by
 * every attachment (and every process) that shares the store: a lock with a TTL of one cool-down,
 * taken by the one that probes and kept after a failed probe until the cool-down ends, so that the
 * whole fleet sends at most one token call per cool-down.
 */
export interface FleetGate {
  /**
   * Takes the right for `ttlMs`, afresh if this owner holds it already (a lock whose TTL ends a
   * moment after the owner's cool-down must not keep the owner itself out): false when another
   * holder has it. A store that fails or does not answer gives true (reported): each process then
   * decides alone, as without a store.
   */
  take(ttlMs: number): Promise<boolean>;
  /** Gives the right back early (a probe that succeeded), if this owner still holds it. */
  release(): Promise<void>;
}

export interface FleetGateConfig {
  store: TokenStore;
  key: string;
  /** The lock's owner value: unique per token manager. */
  owner: string;
  storeTimeoutMs: number;
  timers: TimerGroup;
  signal: AbortSignal;
  onStoreError(error: StoreUnavailable, consequence: StoreErrorConsequence): void;
}

/** A {@link FleetGate} on the store's lock of `key`. */
export function createFleetGate(config: FleetGateConfig): FleetGate {
  const { store, key, owner, storeTimeoutMs, timers, signal } = config;
  const release = (): Promise<void> =>
    bounded(
      invoke(() => store.unlock(key, owner)),
      'unlock',
      storeTimeoutMs,
      timers,
      signal,
    ).catch((error: unknown) => {
      if (error instanceof StoreUnavailable) config.onStoreError(error, 'the breaker gate expires on its own');
    });
  return {
    take: async (ttlMs) => {
      await release();
      return bounded(
        invoke(() => store.tryLock(key, owner, Math.max(1, Math.ceil(ttlMs)))),
        'lock',
        storeTimeoutMs,
        timers,
        signal,
      ).then(
        (taken) => taken === true,
        (error: unknown) => {
          if (!(error instanceof StoreUnavailable)) throw error; // detach()
          config.onStoreError(error, 'this process decides alone whether to call the token endpoint');
          return true;
        },
      );
    },
    release,
  };
}
