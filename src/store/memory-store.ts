import type { StoredToken, TokenStore } from './token-store';

/**
 * A {@link TokenStore} in process memory. Each attachment gets one of its own by default; pass
 * one instance to several `attachPaymentAuth` calls with the same credentials to share their
 * token (one token call for all of them).
 */
export class MemoryTokenStore implements TokenStore {
  readonly #tokens = new Map<string, { token: StoredToken; until: number }>();
  readonly #locks = new Map<string, { owner: string; until: number }>();

  /** @param now clock in epoch ms, for tests. @default Date.now */
  constructor(private readonly now: () => number = Date.now) {}

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
    this.#tokens.set(key, { token: { ...token }, until: this.now() + ttlMs });
  }

  async tryLock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const held = this.#locks.get(key);
    if (held && held.until > this.now()) return false;
    this.#locks.set(key, { owner, until: this.now() + ttlMs });
    return true;
  }

  async unlock(key: string, owner: string): Promise<void> {
    if (this.#locks.get(key)?.owner === owner) this.#locks.delete(key);
  }
}
