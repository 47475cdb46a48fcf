/**
 * Values a hook, store or provider may throw that cannot be turned into a string: String() of an
 * object without a prototype throws, so does an error whose message getter throws, and on a
 * revoked Proxy even `instanceof` throws.
 */
export const UNPRINTABLES: [string, () => unknown][] = [
  ['an object without a prototype', () => Object.create(null)],
  [
    'an error whose message getter throws',
    () =>
      new (class extends Error {
        override get message(): string {
          throw new Error('no message');
        }
      })(),
  ],
  [
    'a revoked Proxy (even instanceof throws on it)',
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
  ],
];
