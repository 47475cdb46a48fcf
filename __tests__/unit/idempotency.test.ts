import { AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { ensureIdempotencyKey, newIdempotencyKey, normalizeIdempotency } from '../../src/idempotency';

const config = (method: string, headers: Record<string, string> = {}) => ({ method, headers: new AxiosHeaders(headers) }) as InternalAxiosRequestConfig;

describe('idempotency keys', () => {
  it('are UUID v4 and unique over 10,000 draws', () => {
    const keys = new Set(Array.from({ length: 10_000 }, newIdempotencyKey));
    expect(keys.size).toBe(10_000);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([['post', true], ['PATCH', true], ['get', false], ['put', false], ['delete', false]])('are added to %s: %p', (method, added) => {
    const c = config(method);
    expect(ensureIdempotencyKey(c, 'Idempotency-Key')).toBe(added);
    expect(c.headers.has('Idempotency-Key')).toBe(added);
  });

  it('never replace a key already set, whatever its case', () => {
    const c = config('post', { 'idempotency-key': 'mine' });
    ensureIdempotencyKey(c, 'Idempotency-Key');
    expect(c.headers.get('Idempotency-Key')).toBe('mine');
  });

  it('validate the option', () => {
    expect(normalizeIdempotency(undefined)).toBe('Idempotency-Key');
    expect(normalizeIdempotency(false)).toBeUndefined();
    expect(normalizeIdempotency({ headerName: 'X-Key' })).toBe('X-Key');
    expect(() => normalizeIdempotency({ headerName: 'bad header' })).toThrow(TypeError);
    expect(() => normalizeIdempotency({ header: 'X' })).toThrow(/unknown idempotency option header/);
    expect(() => normalizeIdempotency('yes')).toThrow(TypeError);
  });
});
