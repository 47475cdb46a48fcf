import type { StoreUnavailable } from '../../src/store/store-unavailable';
import { acquireShared, type SharedFlight } from '../../src/store/shared-flight';
import { MemoryTokenStore } from '../../src/store/memory-store';
import { createTimerGroup } from '../../src/util/timers';
import type { StoredToken, TokenStore } from '../../src/store/token-store';

const token = (n: number): StoredToken => ({
  accessToken: `at-${n}`,
  issuedAt: 0,
  expiresAt: 900_000,
  refreshToken: `rt-${n}`,
  refreshExpiresAt: 86_400_000,
});

function flight(
  store: TokenStore,
  overrides: Partial<SharedFlight> = {},
): SharedFlight & { fetches: number; errors: StoreUnavailable[] } {
  const state: SharedFlight & { fetches: number; errors: StoreUnavailable[] } = {
    store,
    key: 'k',
    owner: `owner-${Math.random()}`,
    lockTtlMs: 300,
    maxLockWaitMs: 1300,
    storeTimeoutMs: 100,
    signal: new AbortController().signal,
    timers: createTimerGroup(),
    clock: () => 0,
    isUsable: (t: StoredToken) => t.accessToken !== 'at-rejected',
    fetches: 0,
    errors: [] as StoreUnavailable[],
    fetch: async (): Promise<StoredToken> => {
      state.fetches += 1;
      await new Promise((r) => setTimeout(r, 30));
      return token(state.fetches);
    },
    onStoreError: (e: StoreUnavailable) => void state.errors.push(e),
    ...overrides,
  };
  return state;
}

describe('acquireShared', () => {
  it('adopts a usable stored token without fetching', async () => {
    const store = new MemoryTokenStore(() => 0);
    await store.set('k', token(7), 60_000);
    const f = flight(store);
    await expect(acquireShared(f)).resolves.toEqual(token(7));
    expect(f.fetches).toBe(0);
  });

  it('adopts a usable stored token without taking the lock', async () => {
    const store = new MemoryTokenStore(() => 0);
    await store.set('k', token(7), 60_000);
    const tryLock = jest.spyOn(store, 'tryLock');
    await expect(acquireShared(flight(store))).resolves.toEqual(token(7));
    expect(tryLock).not.toHaveBeenCalled();
  });

  it('lets one of many concurrent flights fetch; the others wait for its token', async () => {
    const store = new MemoryTokenStore(() => 0);
    const flights = Array.from({ length: 8 }, () => flight(store));
    const results = await Promise.all(flights.map(acquireShared));
    expect(flights.reduce((n, f) => n + f.fetches, 0)).toBe(1);
    expect(new Set(results.map((r) => r.accessToken))).toEqual(new Set(['at-1']));
  });

  it('fetches over a rejected stored token', async () => {
    const store = new MemoryTokenStore(() => 0);
    await store.set('k', { ...token(0), accessToken: 'at-rejected' }, 60_000);
    const f = flight(store);
    expect((await acquireShared(f)).accessToken).toBe('at-1');
    expect((await store.get('k'))?.accessToken).toBe('at-1');
  });

  it('hands the newest stored state to fetch (a refresh token renewed elsewhere)', async () => {
    const store = new MemoryTokenStore(() => 0);
    await store.set('k', { ...token(5), accessToken: 'at-rejected' }, 60_000);
    const seen: (StoredToken | undefined)[] = [];
    await acquireShared(flight(store, { fetch: async (latest) => (seen.push(latest), token(6)) }));
    expect(seen[0]?.refreshToken).toBe('rt-5');
  });

  it('fetches in process when a holder keeps the lock past maxLockWaitMs, and reports it', async () => {
    const store = new MemoryTokenStore();
    await store.tryLock('k', 'dead-process', 60_000);
    const f = flight(store, { lockTtlMs: 60_000, maxLockWaitMs: 150 });
    await expect(acquireShared(f)).resolves.toEqual(token(1)); // not after the lock's 60 s
    expect(f.fetches).toBe(1);
    expect(f.errors.map((e) => e.operation)).toEqual(['lock']);
  });

  it('waits at most the lock TTL for a holder that died, then takes the lock', async () => {
    const store = new MemoryTokenStore();
    await store.tryLock('k', 'dead-process', 200);
    const f = flight(store);
    const started = Date.now();
    await expect(acquireShared(f)).resolves.toEqual(token(1));
    expect(f.fetches).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(f.errors).toEqual([]);
  });

  it('releases the lock only if it still owns it (compare-and-delete)', async () => {
    const store = new MemoryTokenStore();
    expect(await store.tryLock('k', 'a', 1000)).toBe(true);
    await store.unlock('k', 'b');
    expect(await store.tryLock('k', 'c', 1000)).toBe(false);
    await store.unlock('k', 'a');
    expect(await store.tryLock('k', 'c', 1000)).toBe(true);
  });

  it.each([
    [
      'throws',
      {
        get: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
    ],
    ['hangs', { get: () => new Promise<never>(() => undefined) }],
  ])('fetches in process and reports when the store %s', async (_name, broken) => {
    const store = Object.assign(new MemoryTokenStore(), broken) as TokenStore;
    const f = flight(store);
    await expect(acquireShared(f)).resolves.toEqual(token(1));
    expect(f.errors.map((e) => e.operation)).toEqual(['get']);
  });

  it('keeps the fetched token when only the write fails', async () => {
    const store = Object.assign(new MemoryTokenStore(), {
      set: async () => {
        throw new Error('READONLY');
      },
    }) as TokenStore;
    const f = flight(store);
    await expect(acquireShared(f)).resolves.toEqual(token(1));
    expect(f.errors.map((e) => e.message)).toEqual(['token store set failed: READONLY']);
  });

  it('passes token endpoint failures through untouched, and releases the lock', async () => {
    const store = new MemoryTokenStore();
    const failure = new Error('CREDENTIALS_REJECTED');
    await expect(
      acquireShared(
        flight(store, {
          fetch: async () => {
            throw failure;
          },
        }),
      ),
    ).rejects.toBe(failure);
    expect(await store.tryLock('k', 'next', 1000)).toBe(true);
  });
});

describe('MemoryTokenStore', () => {
  it('expires entries after their TTL', async () => {
    let now = 0;
    const store = new MemoryTokenStore(() => now);
    await store.set('k', token(1), 1000);
    now = 999;
    expect(await store.get('k')).toEqual(token(1));
    now = 1000;
    expect(await store.get('k')).toBeUndefined();
  });
});
