import { MemoryTokenStore } from '../../src/store/memory-store';

const token = { accessToken: 'at', issuedAt: 0, expiresAt: 1_000, refreshToken: 'rt', refreshExpiresAt: 5_000 };

describe('MemoryTokenStore', () => {
  let now = 0;
  const store = () => new MemoryTokenStore(() => now);
  beforeEach(() => {
    now = 0;
  });

  it('returns a copy of what was set until its TTL ends, then nothing', async () => {
    const s = store();
    await s.set('k', token, 100);
    const read = await s.get('k');
    expect(read).toEqual(token);
    read!.accessToken = 'changed';
    expect((await s.get('k'))!.accessToken).toBe('at');
    now = 99;
    expect(await s.get('k')).toEqual(token);
    now = 100;
    expect(await s.get('k')).toBeUndefined();
    now = 0;
    expect(await s.get('k')).toBeUndefined(); // deleted, not only hidden
  });

  it('keeps a copy of the token it was given', async () => {
    const s = store();
    const given = { ...token };
    await s.set('k', given, 100);
    given.accessToken = 'changed';
    expect((await s.get('k'))!.accessToken).toBe('at');
  });

  it('gives a lock to one owner until it expires, exactly at its TTL', async () => {
    const s = store();
    expect(await s.tryLock('k', 'a', 100)).toBe(true);
    expect(await s.tryLock('k', 'b', 100)).toBe(false);
    now = 99;
    expect(await s.tryLock('k', 'b', 100)).toBe(false);
    now = 100;
    expect(await s.tryLock('k', 'b', 100)).toBe(true);
    expect(await s.tryLock('other', 'a', 100)).toBe(true);
  });

  it('releases a lock only for its owner', async () => {
    const s = store();
    await s.tryLock('k', 'a', 100);
    await s.unlock('k', 'b');
    expect(await s.tryLock('k', 'b', 100)).toBe(false);
    await s.unlock('k', 'a');
    expect(await s.tryLock('k', 'b', 100)).toBe(true);
  });

  it('holds at most maxEntries tokens and locks, dropping the least recently written', async () => {
    const store = new MemoryTokenStore(() => 0, { maxEntries: 3 });
    const token = (n: number) => ({ accessToken: `at-${n}`, issuedAt: 0, expiresAt: 1000 });
    for (const n of [1, 2, 3]) await store.set(`k${n}`, token(n), 1000);
    await store.set('k1', token(11), 1000); // written again: the most recent now
    await store.set('k4', token(4), 1000);
    expect(await store.get('k2')).toBeUndefined();
    expect((await Promise.all(['k1', 'k3', 'k4'].map((k) => store.get(k)))).map((t) => t?.accessToken)).toEqual([
      'at-11',
      'at-3',
      'at-4',
    ]);
    for (const n of [1, 2, 3, 4]) expect(await store.tryLock(`l${n}`, 'o', 1000)).toBe(true);
    expect(await store.tryLock('l1', 'other', 1000)).toBe(true); // l1 dropped past the bound
    expect(await store.tryLock('l4', 'other', 1000)).toBe(false);
  });

  it('refuses a bound that is not a positive integer', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN])
      expect(() => new MemoryTokenStore(Date.now, { maxEntries })).toThrow(TypeError);
    expect(() => new MemoryTokenStore(Date.now, { maxEntries: 1 })).not.toThrow();
  });

  it('unlocks a key nobody holds without failing', async () => {
    await expect(store().unlock('k', 'a')).resolves.toBeUndefined();
  });
});
