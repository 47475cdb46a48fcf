import { AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import { ensureIdempotencyKey, idempotencyKeyOf, newIdempotencyKey } from '../../src/request/idempotency';
import { normalizeIdempotency } from '../../src/options/idempotency-options';

const config = (method: string, headers: Record<string, string> = {}) =>
  ({ method, headers: new AxiosHeaders(headers) }) as InternalAxiosRequestConfig;

describe('idempotency keys', () => {
  it('are UUID v4 and unique over 10,000 draws', () => {
    const keys = new Set(Array.from({ length: 10_000 }, newIdempotencyKey));
    expect(keys.size).toBe(10_000);
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    ['post', true],
    ['PATCH', true],
    ['get', false],
    ['put', false],
    ['delete', false],
  ])('are added to %s: %p', (method, added) => {
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

describe('idempotencyKeyOf: what counts as a key the server can de-duplicate on', () => {
  const raw = (value: unknown) => ({ get: () => value });
  it.each([
    ['a string', 'order-42', 'order-42'],
    ['a string with blanks around, kept as sent', ' k ', ' k '],
    ['a number as axios prints it', '42', '42'],
    ['a string that starts like a constant', 'true-order-7', 'true-order-7'],
    ['a string with an arrow inside', 'order=>7', 'order=>7'],
    ['a string that ends like a constant', 'order-true', 'order-true'],
    ['a string that holds NaN', 'x NaN', 'x NaN'],
  ])('%s is a key', (_name, value, key) => {
    expect(idempotencyKeyOf(raw(value), 'Idempotency-Key')).toBe(key);
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['false', false],
    ["''", ''],
    ['blanks', '   '],
    ['an object as axios prints it', '[object Object]'],
    ['true as axios prints it', 'true'],
    ['true', true],
    ['NaN as axios prints it', 'NaN'],
    ['a symbol as axios prints it', 'Symbol(key)'],
    ['an arrow function as axios prints it', '() => crypto.randomUUID()'],
    ['a one-parameter arrow function', 'x => x'],
    ['a function as axios prints it', 'function key() { return 1; }'],
    ['an async function', 'async function key() {}'],
    ['a Map as axios prints it', '[object Map]'],
    ['an async function printed with two spaces', 'async  function key() {}'],
    ['an async arrow function', 'async () => 1'],
    ['an async arrow function printed with two spaces', 'async  () => 1'],
    ['an arrow function with parameters', '(a, b) => a'],
    ['an arrow function without a space', '()=> 1'],
    ['an arrow function with a longer parameter', 'key => key'],
    ['an arrow function printed with two spaces before the arrow', 'key  => key'],
    ['a number not yet made a string', 5],
  ])('%s is no key', (_name, value) => {
    expect(idempotencyKeyOf(raw(value), 'Idempotency-Key')).toBeUndefined();
  });

  it('reads through the headers object and its name, and needs a get()', () => {
    expect(idempotencyKeyOf(new AxiosHeaders({ 'x-key': 'a' }), 'X-Key')).toBe('a');
    expect(idempotencyKeyOf(new AxiosHeaders({ 'x-key': 'a' }), 'Idempotency-Key')).toBeUndefined();
    expect(idempotencyKeyOf(undefined, 'X-Key')).toBeUndefined();
    expect(idempotencyKeyOf({ 'X-Key': 'a' }, 'X-Key')).toBeUndefined();
  });
});

describe('ensureIdempotencyKey', () => {
  it.each(['post', 'POST', 'patch', 'Patch'])('keys a %s without one, once', (method) => {
    const c = config(method);
    expect(ensureIdempotencyKey(c, 'Idempotency-Key')).toBe(true);
    const key = c.headers.get('Idempotency-Key');
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(ensureIdempotencyKey(c, 'Idempotency-Key')).toBe(false);
    expect(c.headers.get('Idempotency-Key')).toBe(key);
  });

  it.each(['get', 'put', 'delete', 'head', 'options'])('leaves a %s alone', (method) => {
    const c = config(method);
    expect(ensureIdempotencyKey(c, 'Idempotency-Key')).toBe(false);
    expect(c.headers.has('Idempotency-Key')).toBe(false);
  });

  it('treats a request without a method as a GET', () => {
    const c = { headers: new AxiosHeaders() } as InternalAxiosRequestConfig;
    expect(ensureIdempotencyKey(c, 'Idempotency-Key')).toBe(false);
  });

  it("keeps the caller's key and respects false", () => {
    const own = config('post', { 'idempotency-key': 'mine' });
    expect(ensureIdempotencyKey(own, 'Idempotency-Key')).toBe(false);
    expect(own.headers.get('Idempotency-Key')).toBe('mine');
    const none = {
      method: 'post',
      headers: new AxiosHeaders({ 'Idempotency-Key': false as unknown as string }),
    } as InternalAxiosRequestConfig;
    expect(ensureIdempotencyKey(none, 'Idempotency-Key')).toBe(false);
    expect(none.headers.get('Idempotency-Key')).toBe(false);
  });
});

describe('normalizeIdempotency', () => {
  it.each([
    [undefined, 'Idempotency-Key'],
    [true, 'Idempotency-Key'],
    [false, undefined],
    [{}, 'Idempotency-Key'],
    [{ headerName: 'X-Request-Key' }, 'X-Request-Key'],
  ])('%p gives %p', (value, header) => {
    expect(normalizeIdempotency(value)).toBe(header);
  });

  it.each([
    [null, /idempotency must be false or \{ headerName \}/],
    ['Idempotency-Key', /idempotency must be false or \{ headerName \}/],
    [{ header: 'x' }, /unknown idempotency option header/],
    [{ headerName: 'X', header: 1, name: 2 }, /^attachPaymentAuth: unknown idempotency option header, name$/],
    [{ headerName: 'bad name' }, /idempotency.headerName must be a valid header name/],
    [{ headerName: '' }, /idempotency.headerName must be a valid header name/],
    [{ headerName: 5 }, /idempotency.headerName must be a valid header name/],
  ])('refuses %p with a TypeError', (value, message) => {
    expect(() => normalizeIdempotency(value)).toThrow(TypeError);
    expect(() => normalizeIdempotency(value)).toThrow(message);
  });
});

describe('a caller header of true', () => {
  it('gets a key of its own on each request, not the shared text "true"', () => {
    const keys = ['post', 'post'].map(() => {
      const headers = new AxiosHeaders({ 'Idempotency-Key': true });
      expect(ensureIdempotencyKey({ method: 'post', headers } as InternalAxiosRequestConfig, 'Idempotency-Key')).toBe(
        true,
      );
      return headers.get('Idempotency-Key');
    });
    expect(keys[0]).not.toBe('true');
    expect(keys[0]).not.toBe(keys[1]);
  });
});
