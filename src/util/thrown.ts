/** What a thrown value that cannot be read is described as. */
const UNPRINTABLE = 'a value that cannot be printed';

/**
 * A thrown value as a log line or an error message shows it: an error's message, or the value as
 * `String()` writes it. Never throws: a caller's hook, store or provider may throw anything, and
 * describing it must not fail what it was about (`String()` of an object without a prototype
 * throws, and so does an error whose `message` is a getter that throws).
 */
export function describeThrown(value: unknown): string {
  try {
    if (value instanceof Error) {
      const message: unknown = value.message;
      if (typeof message === 'string') return message;
    }
    return String(value);
  } catch {
    return UNPRINTABLE;
  }
}

/**
 * What a thrown value is, for a message that must not quote it: an error's name, or its type.
 * Never throws (an error's `name` may be a getter that throws).
 */
export function kindOfThrown(value: unknown): string {
  try {
    if (value instanceof Error) {
      const name: unknown = value.name;
      if (typeof name === 'string') return name;
    }
  } catch {
    // Its type, then.
  }
  return typeof value;
}

/** Whether `value instanceof type`; false where asking throws (a revoked Proxy throws on it). */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
