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

/** The keys of `value` that are not in `known`. */
export function unknownKeys(value: object, known: readonly string[]): string[] {
  return Object.keys(value).filter((key) => !known.includes(key));
}
