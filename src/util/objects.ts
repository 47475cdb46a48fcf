/** Whether `value` is an object with a function under each of `methods` (a duck-typed interface). */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === 'function')
  );
}

/**
 * Every key of `T`, from a registry the compiler checks: it must name each key of `T` (optional
 * ones included) and nothing else, so a new option cannot be forgotten here.
 */
export function keysOf<T extends object>(registry: { [K in keyof T]-?: true }): readonly string[] {
  return Object.keys(registry);
}

/**
 * The `Symbol.toStringTag` of an object (`'CryptoKey'`, `'KeyObject'`…), or undefined: how a Web
 * Crypto key or a Node key object is told apart without importing either.
 */
export function toStringTag(value: unknown): unknown {
  return typeof value === 'object' && value !== null
    ? (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag]
    : undefined;
}

/** Whether `value` is a Web Crypto key pair: `{ privateKey, publicKey }`, both `CryptoKey`s. */
export function isCryptoKeyPair(value: unknown): value is { privateKey: object; publicKey: object } {
  if (typeof value !== 'object' || value === null) return false;
  const pair = value as { privateKey?: unknown; publicKey?: unknown };
  return toStringTag(pair.privateKey) === 'CryptoKey' && toStringTag(pair.publicKey) === 'CryptoKey';
}

/** Whether `value` is a promise or another thenable (what an `async` hook returns). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The keys of `value` that are not in `known`. */
export function unknownKeys(value: object, known: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !known.includes(key));
}

/** A value as an error message shows it: NaN and Infinity by name (JSON would say null), a symbol or function by kind. */
export function shown(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  return JSON.stringify(value) ?? String(value);
}

/** Whether a text holds a control character (C0, DEL or C1): a line end read from a file, an escape. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
