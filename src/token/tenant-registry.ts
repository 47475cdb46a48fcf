/** What the registry needs of what it holds per tenant. */
export interface TenantEntry {
  /** Work is under way (a token acquisition someone may wait for): never evicted while true. */
  readonly busy: boolean;
  /** Releases everything the entry holds (tokens, flights, the breaker's fleet gate). */
  dispose(): void;
}

/**
 * The state of many tenants, bounded: at most `maxTenants` entries are kept, and past that the
 * least recently used idle entry is disposed of and forgotten. An entry whose work is under way is
 * skipped (a request waiting for its token must get it), so the registry may exceed the bound by
 * the number of tenants with an acquisition in flight, and comes back under it at the first new
 * tenant after they end.
 *
 * A `Map` keeps insertion order: each use moves its tenant to the end, so the first key is the
 * least recently used one. Every operation is O(1), eviction aside, which walks past busy entries.
 */
export class TenantRegistry<E extends TenantEntry> {
  readonly #entries = new Map<string, E>();
  #evicted = 0;

  constructor(
    readonly maxTenants: number,
    private readonly create: (tenant: string) => E,
    private readonly onEvict?: (tenant: string) => void,
  ) {}

  /** The entry of `tenant`, created if it has none; marks it as the most recently used. */
  get(tenant: string): E {
    const entries = this.#entries;
    let entry = entries.get(tenant);
    if (entry !== undefined) {
      // Already the most recent: the common case of a burst for one tenant costs no reordering.
      if (entries.size > 1) {
        entries.delete(tenant);
        entries.set(tenant, entry);
      }
      return entry;
    }
    entry = this.create(tenant);
    entries.set(tenant, entry);
    if (entries.size > this.maxTenants) this.#evictIdle(tenant);
    return entry;
  }

  /** The entry of `tenant` if it has one, without creating it or changing the order of use. */
  peek(tenant: string): E | undefined {
    return this.#entries.get(tenant);
  }

  /** Disposes of the entry of `tenant` now, if it has one. */
  delete(tenant: string): boolean {
    const entry = this.#entries.get(tenant);
    if (entry === undefined) return false;
    this.#entries.delete(tenant);
    entry.dispose();
    return true;
  }

  /** Disposes of every entry. */
  clear(): void {
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    for (const entry of entries) entry.dispose();
  }

  /** How many tenants have state now. */
  get size(): number {
    return this.#entries.size;
  }

  /** How many tenants were evicted since the registry was made (disposed by {@link delete} not counted). */
  get evicted(): number {
    return this.#evicted;
  }

  /**
   * Evicts least recently used idle entries until the bound holds again (or only busy ones are
   * left), never `keep`, the tenant just added. Also catches up on tenants that could not be
   * evicted earlier because they were busy.
   */
  #evictIdle(keep: string): void {
    const entries = this.#entries;
    for (const [tenant, entry] of entries) {
      if (entries.size <= this.maxTenants) return;
      if (tenant === keep || entry.busy) continue;
      entries.delete(tenant);
      this.#evicted += 1;
      entry.dispose();
      this.onEvict?.(tenant);
    }
  }
}
