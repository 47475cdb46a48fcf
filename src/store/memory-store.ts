import type { StoredToken, TokenStore } from './token-store';

/** Options of {@link MemoryTokenStore}. */
export interface MemoryTokenStoreOptions {
  /**
   * Most tokens (and locks) held at once: past it, the least recently written go. A store shared
   * by many tenants stays bounded; a token dropped is fetched again.
   * @default 10_000
   */
  maxEntries?: number;
}

/**
 * A {@link TokenStore} in process memory. Each attachment gets one of its own by default; pass
 * one instance to several `attachPaymentAuth` calls with the same credentials to share their
 * token (one token call for all of them).
 */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, { token: StoredToken; until: number }>();
  readonly #locks = new Map<string, { owner: string; until: number }>();
  readonly #maxEntries: number;

  /**
   * @param now clock in epoch ms, for tests. @default Date.now
   * @param options the bound on what it holds.
   */
  constructor(
    private readonly now: () => number = Date.now,
    options: MemoryTokenStoreOptions = {},
  ) {
    const max = options.maxEntries ?? 10_000;
    if (!Number.isInteger(max) || max < 1)
      throw new TypeError(`MemoryTokenStore: maxEntries must be a positive integer, got ${String(max)}`);
    this.#maxEntries = max;
  }

  async get(key: string): Promise<StoredToken | undefined> {
    const entry = this.#tokens.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.until) {
      this.#tokens.delete(key);
      return undefined;
    }
    return { ...entry.token };
  }

  async set(key: string, token: StoredToken, ttlMs: number): Promise<void> {
    // Written again: the most recent, last in the map's order.
    this.#tokens.delete(key);
    this.#tokens.set(key, { token: { ...token }, until: this.now() + ttlMs });
    this.#bound(this.#tokens);
  }

  async tryLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = this.#locks.get(key);
    if (held && held.until > this.now()) return false;
    this.#locks.delete(key);
    this.#locks.set(key, { owner, until: this.now() + ttlMs });
    this.#bound(this.#locks);
    return true;
  }

  /** Over the bound: the least recently written entries go (the first in the map's order). */
  #bound(entries: Map<string, unknown>): void {
    for (const key of entries.keys()) {
      if (entries.size <= this.#maxEntries) return;
      entries.delete(key);
    }
  }

  async unlock(key: string, owner: string): Promise<void> {
    if (this.#locks.get(key)?.owner === owner) this.#locks.delete(key);
  }
}
