import { describeThrown, isInstance, kindOfThrown } from '../../src/util/thrown';

class MessageThrows extends Error {
  override get message(): string {
    throw new Error('no message');
  }
}
class NameThrows extends Error {
  override get name(): string {
    throw new Error('no name');
  }
}

describe('describeThrown', () => {
  it("gives an error's message, and any other value as String() writes it", () => {
    expect(describeThrown(new TypeError('bad'))).toBe('bad');
    expect(describeThrown('text')).toBe('text');
    expect(describeThrown(42)).toBe('42');
    expect(describeThrown(undefined)).toBe('undefined');
    expect(describeThrown({ toString: () => 'custom' })).toBe('custom');
  });

  it('never throws: what cannot be printed is described as such', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const value of [Object.create(null), new MessageThrows(), Symbol.iterator, revoked.proxy])
      expect(describeThrown(value)).toBe(
        typeof value === 'symbol' ? 'Symbol(Symbol.iterator)' : 'a value that cannot be printed',
      );
    expect(describeThrown({ toString: () => ({}) })).toBe('a value that cannot be printed');
  });
});

describe('kindOfThrown', () => {
  it("gives an error's name, or the type of any other value, and never throws", () => {
    expect(kindOfThrown(new TypeError('bad'))).toBe('TypeError');
    expect(kindOfThrown('text')).toBe('string');
    expect(kindOfThrown(Object.create(null))).toBe('object');
    expect(kindOfThrown(new NameThrows())).toBe('object');
  });
});

describe('isInstance', () => {
  it('is instanceof, and false without throwing where instanceof throws (a revoked Proxy)', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(() => proxy instanceof Error).toThrow(TypeError);
    expect(isInstance(proxy, Error)).toBe(false);
    expect(isInstance(new RangeError('x'), Error)).toBe(true);
    expect(isInstance({}, Error)).toBe(false);
  });
});
