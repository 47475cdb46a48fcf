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

  it('unlocks a key nobody holds without failing', async () => {
    await expect(store().unlock('k', 'a')).resolves.toBeUndefined();
  });
});
