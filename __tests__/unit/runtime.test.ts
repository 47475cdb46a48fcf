import { builtinModule } from '../../src/util/runtime';

// How the core reaches Node's built-in modules without importing them.
describe('builtinModule', () => {
  /** Runs `body` with `globalThis.process` replaced by `value`, then puts the real one back. */
  function withProcess<T>(value: unknown, body: () => T): T {
    const real = Object.getOwnPropertyDescriptor(globalThis, 'process')!;
    Object.defineProperty(globalThis, 'process', { value, configurable: true, writable: true });
    try {
      return body();
    } finally {
      Object.defineProperty(globalThis, 'process', real);
    }
  }

  it('returns the module from process.getBuiltinModule', () => {
    const crypto = { name: 'crypto' };
    const asked: string[] = [];
    const getBuiltinModule = (id: string) => (asked.push(id), crypto);
    expect(withProcess({ getBuiltinModule }, () => builtinModule('node:crypto'))).toBe(crypto);
    expect(asked).toEqual(['node:crypto']);
  });

  it('returns undefined on a runtime with a process but no getBuiltinModule', () => {
    expect(withProcess({ env: {} }, () => builtinModule('node:crypto'))).toBeUndefined();
  });

  it('returns undefined, without throwing, on a runtime with no process at all', () => {
    expect(withProcess(undefined, () => builtinModule('node:crypto'))).toBeUndefined();
  });
});
