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

/**
 * The own enumerable properties of an options object, on an object without a prototype: a value
 * inherited from a polluted `Object.prototype` (a `tokenUrl` that would receive the client secret)
 * is never read, and each getter runs once, so what is checked is what is used. Validation sees
 * the same keys (`Object.keys`).
 */
export function ownOptions<T extends object>(value: T): T {
  return Object.assign(Object.create(null) as T, value);
}

/** Whether `value` is an options object: an object that is not null or an array. */
export function isOptionsObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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

/**
 * Text an option error quotes: a number of at most 10 characters written as a string (`"3"` where
 * 3 was meant), or a word that stands for a value (`"true"` where true was meant). Nothing longer:
 * a card number or a short password is text too.
 */
const QUOTABLE = /^(?:|true|false|null|undefined|[\d.eE+-]{1,10})$/;

/** The longest number an option error writes out (`2147483647`, `1e+300`); a longer one may be a card number. */
const SHORT_NUMBER = 10;

/**
 * A value as an error message shows it: booleans, null, undefined and numbers (NaN and Infinity by
 * name) or bigints of at most 10 characters as they are; any other value by its kind only. An option that holds the
 * wrong thing may hold a secret (a swapped environment variable, a URL with a password in it), and
 * an object may be circular, huge or hostile, so text is quoted only when it is a short number or
 * `true`, `false`, `null` or `undefined`, and an object's content never.
 */
export function shown(value: unknown): string {
  switch (typeof value) {
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'number':
    case 'bigint': {
      const written = typeof value === 'bigint' ? `${value}n` : String(value);
      return written.length <= SHORT_NUMBER ? written : `a ${typeof value} of ${written.length} characters`;
    }
    case 'string':
      if (QUOTABLE.test(value)) return JSON.stringify(value);
      return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
    case 'symbol':
    case 'function':
      return `a ${typeof value}`;
    default:
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
  }
}

/** A property name an error may quote: an identifier of at most 32 characters (an option's name, or a typo of one). */
const NAME = /^[A-Za-z_$][\w$-]{0,31}$/;

/**
 * Property names as an error message shows them: the first five, each quoted only when it reads
 * as an option's name (a name can be anything: a line end, a megabyte, a secret), then how many more.
 */
export function shownNames(names: readonly string[]): string {
  const shownOne = (name: string): string => (NAME.test(name) ? name : `(a name of ${name.length} characters)`);
  const listed = names.slice(0, 5).map(shownOne).join(', ');
  return names.length > 5 ? `${listed} and ${names.length - 5} more` : listed;
}

/** Whether a text holds a control character (C0, DEL or C1): a line end read from a file, an escape. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}
