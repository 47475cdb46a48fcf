import { TenantRegistry, type TenantEntry } from '../../src/token/tenant-registry';
import { tenantProblem, MAX_TENANT_LENGTH } from '../../src/request/tenant';
import { tokenStoreKey } from '../../src/store/token-store';

class Entry implements TenantEntry {
  busy = false;
  disposed = 0;
  constructor(readonly tenant: string) {}
  dispose(): void {
    this.disposed += 1;
  }
}

function registry(max: number): { r: TenantRegistry<Entry>; made: Entry[]; evicted: string[] } {
  const made: Entry[] = [];
  const evicted: string[] = [];
  const r = new TenantRegistry<Entry>(
    max,
    (tenant) => {
      const entry = new Entry(tenant);
      made.push(entry);
      return entry;
    },
    (tenant) => evicted.push(tenant),
  );
  return { r, made, evicted };
}

describe('TenantRegistry', () => {
  it('creates an entry once per tenant and evicts the least recently used, disposing of it', () => {
    const { r, made, evicted } = registry(2);
    const a = r.get('a');
    expect(r.get('a')).toBe(a);
    r.get('b');
    r.get('a'); // b is now the least recently used
    r.get('c');
    expect(evicted).toEqual(['b']);
    expect(made.find((e) => e.tenant === 'b')!.disposed).toBe(1);
    expect(r.peek('b')).toBeUndefined();
    expect(r.size).toBe(2);
    expect(r.evicted).toBe(1);
    expect(r.get('b')).not.toBe(made[1]); // back afresh
  });

  it('skips busy entries, exceeds the bound only by them, and catches up at the next new tenant', () => {
    const { r, evicted } = registry(2);
    r.get('a').busy = true;
    r.get('b').busy = true;
    r.get('c');
    expect(evicted).toEqual([]);
    expect(r.size).toBe(3);
    r.peek('a')!.busy = false;
    r.peek('b')!.busy = false;
    r.get('d');
    expect(evicted).toEqual(['a', 'b']);
    expect(r.size).toBe(2);
  });

  it('peek neither creates nor reorders; delete and clear dispose of entries', () => {
    const { r, made, evicted } = registry(2);
    r.get('a');
    r.get('b');
    expect(r.peek('a')).toBeDefined();
    expect(r.peek('zzz')).toBeUndefined();
    r.get('c'); // a is still the least recently used: peek did not touch it
    expect(evicted).toEqual(['a']);
    expect(r.delete('b')).toBe(true);
    expect(r.delete('b')).toBe(false);
    r.clear();
    expect(r.size).toBe(0);
    expect(made.map((e) => e.disposed)).toEqual([1, 1, 1]);
  });

  it('holds at most maxTenants of 100,000 tenants touched once', () => {
    const { r, made } = registry(1000);
    for (let i = 0; i < 100_000; i++) r.get(`t${i}`);
    expect(r.size).toBe(1000);
    expect(r.evicted).toBe(99_000);
    expect(made.filter((e) => e.disposed === 0)).toHaveLength(1000);
  });
});

describe('tenantProblem', () => {
  it.each([
    [null, 'got null'],
    [undefined, 'got undefined'],
    [false, 'got boolean'],
    [0, 'got number'],
    [[], 'got an array'],
    ['', 'empty string'],
    [' \t', 'blank'],
    ['   ', 'blank'],
    ['a\u0085b', 'control character'],
    ['x'.repeat(MAX_TENANT_LENGTH + 1), 'over the 256 allowed'],
  ])('refuses %p', (value, problem) => {
    expect(tenantProblem(value)).toContain(problem);
  });

  it('accepts ids of any script up to the limit', () => {
    for (const ok of ['merchant_42', 'acct:é/商户', 'x'.repeat(MAX_TENANT_LENGTH)])
      expect(tenantProblem(ok)).toBeUndefined();
  });
});

describe('tokenStoreKey with a tenant', () => {
  const url = 'https://auth.pay.test/oauth2/token';
  it('leads with the encoded tenant, and never equals a key without one or of another tenant', () => {
    const plain = tokenStoreKey('p:', url, 'c', {});
    const a = tokenStoreKey('p:', url, 'c', {}, undefined, 'a');
    expect(a).toBe(`p:tenant=a:${encodeURIComponent(url)}:c`);
    expect(a).not.toBe(plain);
    // Separators inside a tenant are encoded: no tenant can imitate another's key.
    const tricky = tokenStoreKey('p:', url, 'c', {}, undefined, `a:${encodeURIComponent(url)}`);
    expect(tricky).toContain('tenant=a%3Ahttps%253A');
    expect(new Set([plain, a, tricky, tokenStoreKey('p:', url, 'c', {}, undefined, 'b')]).size).toBe(4);
    // Everything else that changes the token still changes the key.
    const keys = [
      tokenStoreKey('p:', url, 'c', { scope: 'x' }, undefined, 'a'),
      tokenStoreKey('p:', url, 'd', {}, undefined, 'a'),
      tokenStoreKey('p:', `${url}2`, 'c', {}, undefined, 'a'),
      tokenStoreKey('p:', url, 'c', {}, 'jkt1', 'a'),
      a,
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
