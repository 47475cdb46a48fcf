/*
 * A plain copy of a body of any shape, as a logger would print it, with every string and key
 * passed through a cleaning function: for the bodies JSON cannot take (BigInt values, cycles,
 * nesting deeper than the call stack) and the classes JSON prints as `{}` (Map, Set, FormData).
 */

/** The kinds whose entries JSON does not see: Map and Set, and the web's FormData, URLSearchParams, Headers. */
const ENTRY_LISTS = new Set(['[object FormData]', '[object URLSearchParams]', '[object Headers]']);

/** `value` as a plain value JSON can take: a Map as an object, a Set as an array, a FormData as its `[name, value]` pairs. */
export function plainOf(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (!value || typeof value !== 'object') return value;
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [String(key), item as unknown]));
  if (value instanceof Set) return [...value] as unknown[];
  if (ENTRY_LISTS.has(Object.prototype.toString.call(value)))
    return [...(value as { entries(): Iterable<unknown> }).entries()];
  return value;
}

/**
 * A plain copy of `value` with `clean` applied to every string and key, or `value` itself when
 * `clean` changed nothing. Walked without recursion (any depth); an object met twice (a cycle) is
 * copied once, so the copy has the same cycle. Own enumerable members are copied, as `util.inspect`
 * prints them (a `toJSON` that hides them does not hide them from a logger); a Date is kept.
 */
export function cleanedCopy(value: unknown, clean: (text: string) => string): unknown {
  let changed = false;
  const cleaned = (text: string): string => {
    const out = clean(text);
    changed ||= out !== text;
    return out;
  };
  const copies = new Map<object, unknown>();
  const pending: [item: unknown, into: Record<string | number, unknown>, key: string | number][] = [];
  const copy = (item: unknown): unknown => {
    if (typeof item === 'string') return cleaned(item);
    if (!item || typeof item !== 'object') return item;
    const known = copies.get(item);
    if (known !== undefined) return known;
    if (item instanceof Date) return item;
    const plain = plainOf(item) as object; // an object stays an object
    const into = (Array.isArray(plain) ? [] : {}) as Record<string | number, unknown>;
    copies.set(item, into);
    for (const [key, member] of Object.entries(plain)) {
      const name = Array.isArray(plain) ? Number(key) : cleaned(key);
      into[name] = undefined; // the order of the keys kept
      pending.push([member, into, name]);
    }
    return into;
  };
  const root = copy(value);
  for (let next = pending.pop(); next; next = pending.pop()) next[1][next[2]] = copy(next[0]);
  return changed ? root : value;
}
